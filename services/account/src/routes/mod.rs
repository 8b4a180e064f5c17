//! The route table: every endpoint of the HTTP API, in one place.

pub mod auth;
pub mod health;
pub mod me;
pub mod sites;
pub mod widget;

use actix_web::web;
use serde::{Deserialize, Deserializer};

/// Mounts every route under `/api/v1` (plus the health probes at the root).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", web::get().to(crate::openapi::serve))
                .route("/auth/signup", web::post().to(auth::signup::signup))
                .route("/auth/email/verify", web::post().to(auth::verify_email::verify_email))
                .route("/auth/login", web::post().to(auth::login::login))
                .route("/auth/refresh", web::post().to(auth::refresh::refresh))
                .route("/auth/logout", web::post().to(auth::logout::logout))
                .route("/auth/logout-all", web::post().to(auth::logout::logout_all))
                .route("/auth/password/forgot", web::post().to(auth::password_reset::forgot))
                .route("/auth/password/reset", web::post().to(auth::password_reset::reset))
                .service(
                    web::resource("/me")
                        .get(me::get_me)
                        .patch(me::update_me)
                        .delete(me::delete_me),
                )
                .route("/me/password", web::put().to(me::change_password))
                .service(
                    web::resource("/sites").get(sites::list_sites).post(sites::create_site),
                )
                .service(
                    web::resource("/sites/{id}")
                        .get(sites::get_site)
                        .patch(sites::update_site)
                        .delete(sites::delete_site),
                )
                .route("/sites/{id}/key", web::post().to(sites::rotate_key))
                .service(
                    web::resource("/widget/config")
                        .get(widget::config)
                        .route(web::method(actix_web::http::Method::OPTIONS).to(widget::preflight)),
                ),
        );
}

/// For PATCH bodies: tells "absent" (`None`) from "null" (`Some(None)`), so a client can
/// clear a nullable field.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}
