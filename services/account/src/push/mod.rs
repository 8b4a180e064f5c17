//! Web Push to owners' browsers (RFC 8030): a visitor message nobody read within
//! `push.delay_secs` is pushed, encrypted for each subscribed browser (RFC 8291), with a
//! VAPID signature (RFC 8292). The notifier decides when (the same durable schedule as
//! its mails); this module says what and how. A push service answering 404 or 410 has
//! dropped the subscription, and so do we.

pub mod encrypt;
pub mod vapid;

use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pintalk_db::models::PushSubscription;
use tokio::sync::{mpsc, oneshot};

pub use vapid::Vapid;

/// How long one push service may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Pushes waiting for the client thread; a notifier pass sends a handful at most.
const QUEUE: usize = 64;

/// One push, ready to post.
pub struct PushRequest {
    pub endpoint: String,
    /// `vapid t=…, k=…`.
    pub authorization: String,
    /// The `aes128gcm` body.
    pub body: Vec<u8>,
    pub ttl_secs: u64,
}

/// What a push service made of a push.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted (201, or any 2xx).
    Accepted,
    /// The subscription is gone (404, 410): delete it.
    Gone,
    /// Not delivered now (a 429 or 5xx, a refusal, the network): worth trying again.
    Failed(String),
}

/// A push request and where its answer goes.
type Job = (PushRequest, oneshot::Sender<Delivery>);

/// Posts pushes from a thread of its own: awc's client is bound to one thread, and the
/// notifier runs on any. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct PushClient {
    jobs: mpsc::Sender<Job>,
}

impl PushClient {
    pub fn start() -> anyhow::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>(QUEUE);
        let tls = crate::outbound::tls_config()?;
        std::thread::Builder::new()
            .name("web-push".into())
            .spawn(move || actix_web::rt::System::new().block_on(serve(queue, tls)))
            .context("starting the web push thread")?;
        Ok(PushClient { jobs })
    }

    /// Posts one push and tells what came of it.
    pub async fn post(&self, request: PushRequest) -> Delivery {
        let (answer, answered) = oneshot::channel();
        if self.jobs.send((request, answer)).await.is_err() {
            return Delivery::Failed("the web push thread has stopped".into());
        }
        answered
            .await
            .unwrap_or_else(|_| Delivery::Failed("the web push thread dropped a push".into()))
    }
}

/// The client thread: each push posted on a task of its own, so one slow push service
/// does not hold up the others.
async fn serve(mut queue: mpsc::Receiver<Job>, tls: std::sync::Arc<rustls::ClientConfig>) {
    let client = crate::outbound::client(tls, TIMEOUT);
    while let Some((request, answer)) = queue.recv().await {
        let client = client.clone();
        actix_web::rt::spawn(async move {
            let _ = answer.send(deliver(&client, request).await);
        });
    }
}

async fn deliver(client: &awc::Client, request: PushRequest) -> Delivery {
    let sent = client
        .post(&request.endpoint)
        .insert_header(("TTL", request.ttl_secs.to_string()))
        .insert_header(("Urgency", "high"))
        .insert_header(("Content-Encoding", "aes128gcm"))
        .insert_header(("Content-Type", "application/octet-stream"))
        .insert_header(("Authorization", request.authorization))
        .send_body(request.body)
        .await;
    match sent {
        Ok(response) if response.status().is_success() => Delivery::Accepted,
        Ok(response) if matches!(response.status().as_u16(), 404 | 410) => Delivery::Gone,
        Ok(response) => Delivery::Failed(format!("answered {}", response.status())),
        Err(e) => Delivery::Failed(e.to_string()),
    }
}

/// The origin of a push endpoint: the `aud` of its VAPID JWT.
pub fn audience(endpoint: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(endpoint).context("the endpoint is not a URL")?;
    Ok(url.origin().ascii_serialization())
}

/// The push of `payload` to `subscription`, encrypted and signed at `now_secs`.
pub fn request(
    vapid: &Vapid,
    subscription: &PushSubscription,
    payload: &[u8],
    ttl_secs: u64,
    now_secs: u64,
) -> anyhow::Result<PushRequest> {
    let browser_key = URL_SAFE_NO_PAD
        .decode(&subscription.p256dh)
        .context("the subscription's p256dh")?;
    let auth = URL_SAFE_NO_PAD
        .decode(&subscription.auth)
        .context("the subscription's auth")?;
    let body = encrypt::encrypt(payload, &browser_key, &auth)?;
    Ok(PushRequest {
        endpoint: subscription.endpoint.clone(),
        authorization: vapid.authorization(&audience(&subscription.endpoint)?, now_secs)?,
        body,
        ttl_secs,
    })
}
