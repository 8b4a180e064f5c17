//! The route table: every endpoint of the HTTP API, in one place.

pub mod assets;
pub mod auth;
pub mod health;
pub mod me;
pub mod realtime;
pub mod rooms;
pub mod sites;
pub mod widget;

use actix_web::web;
use serde::{Deserialize, Deserializer};

/// Mounts every route (each as a resource, so a wrong method is a 405, not a 404) under `/api/v1` (plus the health probes at the root).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/widget.js").get(assets::widget))
        .service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/openapi.json").get(crate::openapi::serve))
                .service(web::resource("/auth/signup").post(auth::signup::signup))
                .service(web::resource("/auth/email/verify").post(auth::verify_email::verify_email))
                .service(web::resource("/auth/login").post(auth::login::login))
                .service(web::resource("/auth/refresh").post(auth::refresh::refresh))
                .service(web::resource("/auth/logout").post(auth::logout::logout))
                .service(web::resource("/auth/logout-all").post(auth::logout::logout_all))
                .service(web::resource("/auth/password/forgot").post(auth::password_reset::forgot))
                .service(web::resource("/auth/password/reset").post(auth::password_reset::reset))
                .service(
                    web::resource("/me")
                        .get(me::get_me)
                        .patch(me::update_me)
                        .delete(me::delete_me),
                )
                .service(web::resource("/me/password").put(me::change_password))
                .service(
                    web::resource("/sites")
                        .get(sites::list::list_sites)
                        .post(sites::create::create_site),
                )
                .service(
                    web::resource("/sites/{id}")
                        .get(sites::get::get_site)
                        .patch(sites::update::update_site)
                        .delete(sites::delete::delete_site),
                )
                .service(web::resource("/sites/{id}/key").post(sites::rotate_key::rotate_key))
                .service(web::resource("/sites/{id}/rooms").get(rooms::list::list_rooms))
                .service(
                    web::resource("/rooms/{id}")
                        .get(rooms::get::get_room)
                        .patch(rooms::update::update_room)
                        .delete(rooms::delete::delete_room),
                )
                .service(
                    web::resource("/rooms/{id}/messages")
                        .get(rooms::messages::list_messages)
                        .route(
                            web::method(actix_web::http::Method::OPTIONS)
                                .to(rooms::messages::messages_preflight),
                        ),
                )
                .service(web::resource("/rooms/{id}/transcript").get(rooms::transcript::transcript))
                .service(web::resource("/rooms/{id}/block").post(rooms::block::block_visitor))
                .service(web::resource("/realtime/token").post(realtime::owner_token))
                .service(
                    web::resource("/widget/sessions")
                        .post(widget::session)
                        .route(web::method(actix_web::http::Method::OPTIONS).to(widget::preflight)),
                )
                .service(
                    web::resource("/widget/config")
                        .get(widget::config)
                        .route(web::method(actix_web::http::Method::OPTIONS).to(widget::preflight)),
                )
                .default_service(web::to(crate::error::not_found)),
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
