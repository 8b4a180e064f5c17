//! PinTalk's stateful WebSocket gateway. It talks to the bus only — never to SQL — so it
//! scales out freely: a socket authenticates with its first frame, its messages are
//! appended to the bus (one atomic script) and acked, and the fan-out hands publications
//! to the local sockets that listen.
//!
//! [`Gateway`] is mounted by its own binary ([`Application`]) and by the all-in-one
//! binary beside the account service.

mod admission;
mod bucket;
mod connection;
mod fanout;
mod identity;
mod metrics;
mod presence;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpRequest, HttpResponse, web};
use anyhow::Context;
use pintalk_bus::Bus;
use pintalk_core::protocol::close;
use pintalk_core::settings::Settings;
use pintalk_core::token::Verifier;
use secrecy::ExposeSecret;
use tokio::sync::{Semaphore, watch};

use crate::admission::Admission;
use crate::fanout::Fanout;
use crate::metrics::Metrics;
use crate::presence::Presence;

/// The gateway's shared state: one per process, shared by every worker.
pub struct Gateway {
    /// The limits and timings every socket follows (heartbeat, queue bound, backlog).
    settings: Settings,
    /// Checks `auth` tickets with the account service's public keys only.
    verifier: Verifier,
    /// Redis (or memory): where messages are appended and publications come from.
    bus: Arc<dyn Bus>,
    /// Which local sockets listen to which topic; hands them publications.
    fanout: Arc<Fanout>,
    /// Announces owners and visitors arriving and leaving, with a grace period.
    presence: Arc<Presence>,
    /// What `/metrics` reports.
    metrics: Arc<Metrics>,
    /// Bounds sockets per gateway and per client IP; each socket holds a slot.
    admission: Arc<Admission>,
    /// Owners' sockets must come from here.
    dashboard_origin: String,
    /// Random per process: makes presence member names unique across gateways.
    instance: String,
    /// Numbers this process's sockets, for logs and the fan-out registry.
    next_connection: AtomicU64,
    /// One permit per append in progress (`gateway.max_inflight_appends`): a send that
    /// finds none is refused (`overloaded`) instead of queueing for Redis.
    appends: Semaphore,
    /// Flips to true on shutdown: every socket closes with 1012 and clients reconnect
    /// (to another gateway) and resume.
    shutdown: watch::Sender<bool>,
}

impl Gateway {
    /// Builds the gateway and starts its fan-out (the bus listener).
    pub fn start(settings: Settings, verifier: Verifier, bus: Arc<dyn Bus>) -> Arc<Self> {
        let metrics = Arc::new(Metrics::default());
        let fanout = Arc::new(Fanout::new(bus.clone(), metrics.clone()));
        let grace = Duration::from_millis(settings.gateway.presence_grace_ms);
        let lease = silence_limit(heartbeat(&settings));
        let gateway = Arc::new(Self {
            dashboard_origin: settings.dashboard_origin(),
            admission: Admission::new(
                settings.gateway.max_connections,
                settings.gateway.max_connections_per_ip,
            ),
            presence: Arc::new(Presence::new(bus.clone(), grace, lease)),
            instance: pintalk_core::secret::hex(&pintalk_core::secret::random_bytes::<6>()),
            next_connection: AtomicU64::new(1),
            appends: Semaphore::new(settings.gateway.max_inflight_appends.max(1)),
            shutdown: watch::Sender::new(false),
            settings,
            verifier,
            bus,
            fanout: fanout.clone(),
            metrics,
        });
        tokio::spawn(fanout.run());
        gateway
    }

    fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    fn next_connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    fn client_ip(&self, req: &HttpRequest) -> String {
        let info = req.connection_info();
        let ip = if self.settings.server.trust_forwarded_for {
            info.realip_remote_addr()
        } else {
            info.peer_addr()
        };
        ip.unwrap_or("unknown").to_owned()
    }

    /// Tells every socket to reconnect elsewhere (1012) and stops accepting new ones.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
        self.fanout
            .close_all(close::SERVICE_RESTART, "gateway restarting");
    }

    fn is_stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// How often sockets are pinged.
    fn heartbeat(&self) -> Duration {
        heartbeat(&self.settings)
    }

    /// How long a socket may stay silent before it is closed (4009).
    fn silence_limit(&self) -> Duration {
        silence_limit(self.heartbeat())
    }

    /// Prometheus metrics text.
    pub fn metrics_text(&self) -> String {
        self.metrics.render()
    }
}

/// How often sockets are pinged: `gateway.heartbeat_secs`, at least a second.
fn heartbeat(settings: &Settings) -> Duration {
    Duration::from_secs(settings.gateway.heartbeat_secs.max(1))
}

/// Three heartbeats: how long a socket may stay silent before it is closed, and so how
/// long its presence lasts without a renewal (each heartbeat renews it).
fn silence_limit(heartbeat: Duration) -> Duration {
    3 * heartbeat
}

/// Mounts `/ws`. (Probes and `/metrics` are the binary's: the all-in-one server
/// combines them with the account service's.)
pub fn configure(cfg: &mut web::ServiceConfig, gateway: web::Data<Gateway>) {
    cfg.app_data(gateway)
        .service(web::resource("/ws").get(connection::open));
}

async fn metrics_endpoint(gateway: web::Data<Gateway>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(gateway.metrics_text())
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(gateway: web::Data<Gateway>) -> HttpResponse {
    if *gateway.shutdown.borrow() {
        return HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "error": "unavailable", "message": "shutting down" }));
    }
    match gateway.bus.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(_) => HttpResponse::ServiceUnavailable().json(
            serde_json::json!({ "error": "unavailable", "message": "the bus is unreachable" }),
        ),
    }
}

/// The verifier the gateway trusts: public keys only (`auth.public_keys`,
/// `auth.public_key_file`, or the public half of `auth.signing_key` when one process
/// holds both).
pub fn verifier(settings: &Settings) -> anyhow::Result<Verifier> {
    let auth = &settings.auth;
    let mut keys = auth.public_keys.clone();
    if !auth.public_key_file.is_empty() {
        keys.push(
            std::fs::read_to_string(&auth.public_key_file).with_context(|| {
                format!("reading auth.public_key_file {}", auth.public_key_file)
            })?,
        );
    }
    if keys.is_empty() && !auth.signing_key.expose_secret().is_empty() {
        let signer =
            pintalk_core::token::Signer::new(&auth.issuer, auth.signing_key.expose_secret(), &[])?;
        keys.push(signer.public_pem().to_owned());
    }
    keys.extend(auth.previous_public_keys.iter().cloned());
    anyhow::ensure!(
        !keys.is_empty(),
        "the gateway needs the account service's public key: auth.public_key_file or auth.public_keys"
    );
    Ok(Verifier::new(&auth.issuer, &keys)?)
}

/// A bound, not yet running, standalone gateway.
pub struct Application {
    port: u16,
    server: Server,
    gateway: Arc<Gateway>,
}

impl Application {
    /// Connects to the bus (Redis; the memory bus makes sense only in the all-in-one
    /// binary) and binds `server.host:server.port`.
    pub async fn build(settings: Settings, verifier: Verifier) -> anyhow::Result<Self> {
        let bus = pintalk_bus::connect(&settings.redis).await?;
        let listener = pintalk_http::bind(&settings.server)?;
        let port = listener.local_addr()?.port();
        let workers = settings.server.workers;
        let gateway = Gateway::start(settings, verifier, bus);
        let data = web::Data::from(gateway.clone());
        let server = pintalk_http::serve(listener, workers, move || {
            App::new()
                .configure(|cfg| configure(cfg, data.clone()))
                .service(web::resource("/metrics").get(metrics_endpoint))
                .service(web::resource("/healthz").get(healthz))
                .service(web::resource("/readyz").get(readyz))
        })?;
        Ok(Self {
            port,
            server,
            gateway,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server, and the gateway to tell its sockets first.
    pub fn handles(&self) -> (ServerHandle, Arc<Gateway>) {
        (self.server.handle(), self.gateway.clone())
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// How long a stopping gateway waits for its sockets to close.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

impl Gateway {
    /// Before the server stops: every socket is told to reconnect elsewhere (1012), and
    /// the gateway waits for them to close — or for the drain limit, for a client that
    /// never takes its close frame.
    pub async fn drain(&self) {
        log::info!("stopping: closing sockets with 1012, then draining");
        self.shutdown();
        if !self.admission.drained(DRAIN_LIMIT).await {
            log::warn!("stopping: sockets still open after {DRAIN_LIMIT:?}; stopping anyway");
        }
    }
}

/// Graceful stop on SIGTERM or Ctrl-C: the sockets drain, then the server stops.
pub async fn stop_on_signal(server: ServerHandle, gateway: Arc<Gateway>) {
    pintalk_http::stop_on_signal(server, async move { gateway.drain().await }).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_lease_and_idle_close_are_three_heartbeats_of_the_setting() {
        let lowered = Settings::from_toml("[gateway]\nheartbeat_secs = 2\n").unwrap();
        assert_eq!(heartbeat(&lowered), Duration::from_secs(2));
        assert_eq!(silence_limit(heartbeat(&lowered)), Duration::from_secs(6));
        let default = Settings::from_toml("").unwrap();
        assert_eq!(
            silence_limit(heartbeat(&default)),
            Duration::from_secs(3 * default.gateway.heartbeat_secs)
        );
        let zero = Settings::from_toml("[gateway]\nheartbeat_secs = 0\n").unwrap();
        assert_eq!(silence_limit(heartbeat(&zero)), Duration::from_secs(3));
    }
}
