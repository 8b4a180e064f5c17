//! One attempt of one delivery: the signed POST, to the address that was checked, with a
//! timeout, no redirects, and at most `webhooks.max_response_bytes` of the answer read.

use std::time::Duration;

use futures_util::StreamExt;
use hmac::{Hmac, KeyInit, Mac};
use pintalk_core::secret::hex;
use pintalk_core::settings::WebhookSettings;
use pintalk_db::models::{Delivery, Webhook};
use sha2::Sha256;
use url::Url;

use super::target;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "PinTalk-Signature";

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>`: the timestamp is signed with
/// the body, so a receiver that refuses old timestamps cannot be replayed an old request.
pub fn signature(secret: &str, unix: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes a key of any length"),
    };
    mac.update(unix.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={unix},v1={}", hex(&mac.finalize().into_bytes()))
}

/// How one attempt ended.
#[derive(Debug)]
pub enum Answer {
    /// The endpoint answered with this status (2xx counts as delivered).
    Status(u16),
    /// No answer: why.
    Failed(String),
}

/// The HTTP client of the deliveries: TLS with the Mozilla roots, no redirects.
pub struct Sender {
    client: awc::Client,
    timeout: Duration,
    max_response_bytes: usize,
    allow_private: bool,
}

impl Sender {
    pub fn new(settings: &WebhookSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs(settings.timeout_secs);
        let client = crate::outbound::client(crate::outbound::tls_config()?, timeout);
        Ok(Self {
            client,
            timeout,
            max_response_bytes: settings.max_response_bytes,
            allow_private: settings.allow_private_targets,
        })
    }

    /// Sends `delivery` to `webhook`, signed at `unix`.
    pub async fn send(&self, webhook: &Webhook, delivery: &Delivery, unix: i64) -> Answer {
        match tokio::time::timeout(self.timeout, self.attempt(webhook, delivery, unix)).await {
            Ok(Ok(status)) => Answer::Status(status),
            Ok(Err(why)) => Answer::Failed(why),
            Err(_) => Answer::Failed(format!("no answer within {:?}", self.timeout)),
        }
    }

    async fn attempt(
        &self,
        webhook: &Webhook,
        delivery: &Delivery,
        unix: i64,
    ) -> Result<u16, String> {
        let url = Url::parse(&webhook.url).map_err(|e| format!("bad url: {e}"))?;
        // Resolved and checked here, and the request pinned to that address: the client
        // must not look the name up again.
        let address = target::resolve(&url, self.allow_private)
            .await
            .map_err(|e| e.to_string())?;
        let mut answer = self
            .client
            .post(url.as_str())
            .address(address)
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("User-Agent", "PinTalk-Webhooks/1"))
            .insert_header((
                SIGNATURE_HEADER,
                signature(&webhook.secret, unix, &delivery.payload),
            ))
            .insert_header(("PinTalk-Event", delivery.event.as_str()))
            .insert_header(("PinTalk-Event-Id", delivery.event_id.as_str()))
            .insert_header(("PinTalk-Delivery", delivery.id.to_string()))
            .send_body(delivery.payload.clone())
            .await
            .map_err(|e| format!("{address}: {e}"))?;
        let status = answer.status().as_u16();
        // Read (and drop) up to the bound, so a well-behaved connection can be reused;
        // whatever is beyond it is not read at all.
        let mut read = 0;
        while read < self.max_response_bytes {
            match answer.next().await {
                Some(Ok(chunk)) => read += chunk.len(),
                _ => break,
            }
        }
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, "{\"a\":1}"),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }
}
