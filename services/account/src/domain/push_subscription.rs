//! A browser's push subscription as `PushSubscription.toJSON()` gives it: an https endpoint
//! of its push service, and the keys to encrypt for it (RFC 8291), base64url.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pintalk_core::ErrorCode;

use crate::error::ApiError;
use crate::push::encrypt::{AUTH_LEN, is_public_key};

/// The longest endpoint stored (push services' are a few hundred characters).
pub const MAX_ENDPOINT: usize = 1024;

/// A subscription whose endpoint is a URL we may post to and whose keys are usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserSubscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url as given.
    pub p256dh: String,
    /// The browser's auth secret, base64url as given.
    pub auth: String,
}

impl BrowserSubscription {
    /// `insecure` allows http endpoints (a local push service in tests or development).
    pub fn parse(
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        insecure: bool,
    ) -> Result<Self, ApiError> {
        let invalid = |why: &str| {
            ApiError::new(
                ErrorCode::InvalidPushSubscription,
                format!("not a push subscription: {why}"),
            )
        };
        if endpoint.len() > MAX_ENDPOINT {
            return Err(invalid("the endpoint is over 1024 characters"));
        }
        let url = url::Url::parse(endpoint).map_err(|_| invalid("the endpoint is not a URL"))?;
        let scheme_ok = url.scheme() == "https" || (insecure && url.scheme() == "http");
        if !scheme_ok || url.host().is_none() {
            return Err(invalid("the endpoint must be an https URL"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "the endpoint must not hold a user name or password",
            ));
        }
        // Decoded lengths bound the inputs: nothing longer gets this far.
        let key = URL_SAFE_NO_PAD
            .decode(p256dh.trim_end_matches('='))
            .map_err(|_| invalid("keys.p256dh is not base64url"))?;
        if !is_public_key(&key) {
            return Err(invalid("keys.p256dh is not a P-256 public key"));
        }
        let secret = URL_SAFE_NO_PAD
            .decode(auth.trim_end_matches('='))
            .map_err(|_| invalid("keys.auth is not base64url"))?;
        if secret.len() != AUTH_LEN {
            return Err(invalid("keys.auth is not 16 bytes"));
        }
        Ok(BrowserSubscription {
            endpoint: url.to_string(),
            p256dh: URL_SAFE_NO_PAD.encode(key),
            auth: URL_SAFE_NO_PAD.encode(secret),
        })
    }
}

#[cfg(test)]
mod tests {
    use ring::agreement::{ECDH_P256, EphemeralPrivateKey};
    use ring::rand::SystemRandom;

    use super::*;

    fn browser_key() -> String {
        let key = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new()).unwrap();
        URL_SAFE_NO_PAD.encode(key.compute_public_key().unwrap().as_ref())
    }

    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    #[test]
    fn a_browsers_subscription_is_accepted() {
        let key = browser_key();
        let parsed =
            BrowserSubscription::parse("https://push.example/send/abc", &key, AUTH, false).unwrap();
        assert_eq!(parsed.p256dh, key);
        assert_eq!(parsed.auth, AUTH);
    }

    #[test]
    fn bad_endpoints_and_keys_are_refused_with_their_code() {
        let key = browser_key();
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT));
        let not_a_point = URL_SAFE_NO_PAD.encode([4u8; 65]);
        for (endpoint, p256dh, auth) in [
            ("http://push.example/x", key.as_str(), AUTH),
            ("push.example/x", key.as_str(), AUTH),
            ("https://user:pw@push.example/x", key.as_str(), AUTH),
            (long.as_str(), key.as_str(), AUTH),
            ("https://push.example/x", "not base64!", AUTH),
            ("https://push.example/x", not_a_point.as_str(), AUTH),
            ("https://push.example/x", key.as_str(), "c2hvcnQ"),
        ] {
            let refused = BrowserSubscription::parse(endpoint, p256dh, auth, false).unwrap_err();
            assert_eq!(
                refused.code(),
                ErrorCode::InvalidPushSubscription,
                "{endpoint}"
            );
        }
        assert!(BrowserSubscription::parse("http://127.0.0.1:7200/x", &key, AUTH, true).is_ok());
    }
}
