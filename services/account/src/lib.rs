//! PinTalk's stateless HTTP service: owners, sessions, sites and the widget's
//! configuration. [`Application::build`] is what its own binary, the all-in-one binary
//! and the tests all start.

pub mod abuse;
pub mod access;
pub mod append;
pub mod auth;
pub mod background;
pub mod body;
pub mod domain;
pub mod error;
pub mod export;
pub mod history;
pub mod identity;
pub mod inbound;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod mail_link;
pub mod notifier;
pub mod openapi;
pub mod outbound;
pub mod persister;
pub mod policy;
pub mod push;
pub mod request_id;
pub mod retention;
pub mod routes;
pub mod seeding;
pub mod state;
pub mod visitors;
pub mod webhooks;
pub mod widget_script;

use std::sync::Arc;

use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, ResponseError, web};
use pintalk_bus::Bus;
use pintalk_core::ErrorCode;
use pintalk_core::settings::Settings;
use pintalk_core::token::Signer;
use secrecy::ExposeSecret;

use crate::background::Background;
use crate::error::{ApiError, json_error, path_error, query_error};
use crate::state::AppState;

/// A bound, not yet running, account service.
pub struct Application {
    port: u16,
    server: Server,
    /// Stopped, and waited for, once the server has stopped.
    background: Background,
}

impl Application {
    /// Connects to the database (migrating it) and the bus, starts the persister, and
    /// binds `server.host:server.port` (port 0 picks a free one, as tests do).
    pub async fn build(settings: Settings, signer: Signer) -> anyhow::Result<Self> {
        let listener = pintalk_http::bind(&settings.server)?;
        let port = listener.local_addr()?.port();
        let workers = settings.server.workers;
        let bus = connect_bus(&settings).await?;
        let vapid = keys::load_vapid(&settings, false)?;
        let state = web::Data::new(state(settings, signer, vapid, bus).await?);
        let background = Background::start(&state)?;
        let server = pintalk_http::serve(listener, workers, move || {
            // /metrics before the routes: the dashboard's fallback would answer it.
            App::new()
                .service(web::resource("/metrics").get(metrics_endpoint))
                .configure(|cfg| configure(cfg, state.clone()))
        })?;
        Ok(Self {
            port,
            server,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (on a signal: `pintalk_http::stop_on_signal`).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (SIGTERM, Ctrl-C), then stops the persister and
    /// waits for it to finish its batch.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.background.stop().await;
        served
    }
}

/// The bus `settings` name: Redis, or this process's memory when no URL is set.
pub async fn connect_bus(settings: &Settings) -> anyhow::Result<Arc<dyn Bus>> {
    Ok(pintalk_bus::connect(&settings.redis).await?)
}

/// Builds the shared state: database pool (migrated), mailer, dummy hash, metrics.
pub async fn state(
    settings: Settings,
    signer: Signer,
    vapid: Option<push::Vapid>,
    bus: Arc<dyn Bus>,
) -> anyhow::Result<AppState> {
    let url = settings.database.url.expose_secret().to_owned();
    let size = settings.database.pool_size;
    let pool =
        actix_web::rt::task::spawn_blocking(move || pintalk_db::connect_and_migrate(&url, size))
            .await??;
    let mailer = mail::Mailer::from_settings(&settings)?;
    let cost = settings.auth.bcrypt_cost;
    let dummy_hash = actix_web::rt::task::spawn_blocking(move || {
        bcrypt::hash(pintalk_core::secret::new_token(), cost)
    })
    .await??;
    let metrics = persister::PersisterMetrics::default();
    Ok(AppState {
        settings,
        pool,
        bus,
        signer,
        mailer,
        vapid: vapid.map(Arc::new),
        dummy_hash,
        metrics,
        retention: retention::RetentionMetrics::default(),
        clock: pintalk_core::clock::Clock::default(),
    })
}

/// The account service's Prometheus metrics (the persister's lag among them).
pub fn metrics_text(state: &AppState) -> String {
    let mut registry = prometheus_client::registry::Registry::with_prefix("pintalk_account");
    let m = &state.metrics;
    registry.register(
        "persisted",
        "outbox entries written to SQL",
        m.persisted.clone(),
    );
    registry.register(
        "outbox_backlog",
        "entries waiting in the outbox",
        m.backlog.clone(),
    );
    registry.register(
        "persist_errors",
        "failed batch writes, retried",
        m.errors.clone(),
    );
    registry.register(
        "retention_rooms_deleted",
        "conversations deleted under their site's retention",
        state.retention.rooms_deleted.clone(),
    );
    registry.register(
        "retention_visitors_deleted",
        "visitors deleted with their last conversation under retention",
        state.retention.visitors_deleted.clone(),
    );
    let mut text = String::new();
    let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
    text
}

async fn metrics_endpoint(state: web::Data<AppState>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics_text(&state))
}

/// Mounts the account service on an `App`: state, extractor limits and error bodies,
/// request ids, and every route. The all-in-one binary mounts the gateway beside it.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    let max_body = state.settings.limits.max_body_bytes;
    cfg.app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(max_body)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::default().limit(max_body))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(
            web::scope("")
                .wrap(
                    ErrorHandlers::new()
                        .handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed),
                )
                .wrap(from_fn(request_id::middleware))
                .configure(routes::configure)
                // Everything else is the dashboard (its files and its own routes).
                .default_service(web::to(routes::assets::fallback)),
        );
}

/// Actix answers a wrong method with an empty 405; give it our error body.
fn method_not_allowed<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let response = ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take this method",
    )
    .error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
