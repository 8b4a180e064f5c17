//! The all-in-one server: the account service, the gateway and the persister in one
//! process on one port, sharing one bus (memory by default, Redis when configured). The
//! binary and the tests start it through [`AllInOne::build`].

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpResponse, web};
use pintalk_account::state::AppState;
use pintalk_core::settings::Settings;
use pintalk_core::token::Signer;
use pintalk_gateway::Gateway;

/// A bound, not yet running, all-in-one server.
pub struct AllInOne {
    port: u16,
    server: Server,
    gateway: Arc<Gateway>,
    /// Stopped, and waited for, once the server has stopped.
    background: pintalk_account::background::Background,
    /// The account service's clock, which tests of a debug build move ahead.
    clock: pintalk_core::clock::Clock,
}

impl AllInOne {
    /// Binds `server.host:server.port` and builds the server on it.
    pub async fn build(settings: Settings, signer: Signer) -> anyhow::Result<Self> {
        let listener = pintalk_http::bind(&settings.server)?;
        Self::build_on(listener, settings, signer).await
    }

    /// Builds the server on an already bound listener (tests bind first, to learn the
    /// port the gateway URL must name).
    pub async fn build_on(
        listener: TcpListener,
        settings: Settings,
        signer: Signer,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let workers = settings.server.workers;
        let bus = pintalk_account::connect_bus(&settings).await?;
        let verifier = signer.verifier().clone();
        let gateway = Gateway::start(settings.clone(), verifier, bus.clone());
        // The all-in-one binary is one replica: it may keep a VAPID key of its own.
        let vapid = pintalk_account::keys::load_vapid(&settings, true)?;
        let state = web::Data::new(pintalk_account::state(settings, signer, vapid, bus).await?);
        let background = pintalk_account::background::Background::start(&state)?;
        let clock = state.clock.clone();
        let gateway_data = web::Data::from(gateway.clone());
        let server = pintalk_http::serve(listener, workers, move || {
            App::new()
                .configure(|cfg| pintalk_gateway::configure(cfg, gateway_data.clone()))
                .service(web::resource("/metrics").get(metrics))
                .configure(|cfg| pintalk_account::configure(cfg, state.clone()))
        })?;
        Ok(Self {
            port,
            server,
            gateway,
            background,
            clock,
        })
    }

    /// The clock the notifier, business hours and link expiry go by. Only a debug build
    /// can move it ([`pintalk_core::clock::Clock::advance`]); tests do, instead of sleeping.
    pub fn clock(&self) -> pintalk_core::clock::Clock {
        self.clock.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What a graceful stop needs: the server's handle and the gateway to warn sockets.
    pub fn handles(&self) -> (ServerHandle, Arc<Gateway>) {
        (self.server.handle(), self.gateway.clone())
    }

    /// Serves until the server is stopped, then stops the background work (the persister
    /// finishes its batch).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.background.stop().await;
        served
    }
}

/// Both halves' metrics on one page.
async fn metrics(state: web::Data<AppState>, gateway: web::Data<Gateway>) -> HttpResponse {
    let account = pintalk_account::metrics_text(&state);
    // Each half ends its text with "# EOF"; one page has one.
    let body = format!(
        "{}{}",
        account.trim_end().trim_end_matches("# EOF"),
        gateway.metrics_text()
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
