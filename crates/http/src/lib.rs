//! The one way a PinTalk HTTP server is bound, run and stopped — the account service,
//! the gateway and the all-in-one binary all start theirs here, so they cannot drift:
//! the same bind (host and port from `server`, port 0 for a free one), the same worker
//! count, actix's own signal handling off (each binary stops its server itself, after
//! what must happen first: a gateway tells its sockets to go elsewhere), and the same
//! grace for requests in flight.

use std::future::Future;
use std::net::TcpListener;

use actix_http::Request;
use actix_service::IntoServiceFactory;
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Response, Server, ServerHandle, Service, ServiceFactory};
use actix_web::{Error, HttpServer};
use anyhow::Context;
use pintalk_core::settings::ServerSettings;

/// Seconds requests in flight get to finish once a server stops.
const SHUTDOWN_GRACE_SECS: u64 = 5;

/// Binds `server.host:server.port`.
pub fn bind(server: &ServerSettings) -> anyhow::Result<TcpListener> {
    TcpListener::bind((server.host.as_str(), server.port))
        .with_context(|| format!("binding {}:{}", server.host, server.port))
}

/// Runs the app that `factory` builds (one per worker) on `listener`.
pub fn serve<F, I, S, B>(
    listener: TcpListener,
    workers: usize,
    factory: F,
) -> std::io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    let mut server = HttpServer::new(factory)
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE_SECS)
        .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// On SIGTERM or Ctrl-C: runs `before` (whatever must precede the stop), then stops the
/// server gracefully.
pub async fn stop_on_signal<F: Future<Output = ()>>(server: ServerHandle, before: F) {
    wait_for_signal().await;
    before.await;
    server.stop(true).await;
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
