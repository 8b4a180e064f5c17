//! PinTalk's stateful WebSocket gateway. Until the realtime issue lands it serves only
//! its health probe, so deployments and the all-in-one binary already have its shape.

use actix_web::{HttpResponse, web};

/// Mounts the gateway's routes on an `App`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}
