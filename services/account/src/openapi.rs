//! The OpenAPI 3 document, generated from the handlers' own annotations so it cannot
//! drift from the code. Error responses every endpoint of a kind can give (bad JSON,
//! missing token, unknown id, database down) are added here once, not per handler.

use actix_web::HttpResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;
use crate::routes::{auth, health, me, realtime, rooms, sites, widget};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PinTalk account API",
        version = "1",
        description = "Owners, sessions, sites and the widget's configuration. Errors are \
                       `{\"error\": \"<stable_code>\", \"message\": \"...\"}`."
    ),
    paths(
        health::healthz,
        health::readyz,
        auth::signup::signup,
        auth::verify_email::verify_email,
        auth::login::login,
        auth::refresh::refresh,
        auth::logout::logout,
        auth::logout::logout_all,
        auth::password_reset::forgot,
        auth::password_reset::reset,
        me::get_me,
        me::update_me,
        me::delete_me,
        me::change_password,
        sites::list::list_sites,
        sites::create::create_site,
        sites::get::get_site,
        sites::update::update_site,
        sites::delete::delete_site,
        sites::rotate_key::rotate_key,
        rooms::list::list_rooms,
        rooms::get::get_room,
        rooms::update::update_room,
        rooms::delete::delete_room,
        rooms::messages::list_messages,
        rooms::transcript::transcript,
        rooms::block::block_visitor,
        realtime::owner_token,
        widget::config,
        widget::session,
    ),
    components(schemas(ErrorBody, rooms::transcript::TranscriptFormat)),
    modifiers(&BearerAuth, &CommonErrors),
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            let is_liveness = path == "/healthz";
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                add_common_errors(op, has_id, is_liveness);
            }
        }
    }
}

fn add_common_errors(op: &mut Operation, has_id: bool, is_liveness: bool) {
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(description));
    };
    if is_liveness {
        return;
    }
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if has_body || has_query || has_id {
        add(
            "400",
            "invalid_json, invalid_query, invalid_id or a field's own code",
        );
    }
    if has_body {
        add("413", "payload_too_large");
        add("415", "unsupported_media_type");
    }
    if secured {
        add("401", "missing_token or invalid_token");
    }
    if has_id {
        add("404", "not_found (also another owner's resource)");
    }
    add(
        "500",
        "internal; the x-request-id header finds it in the logs",
    );
    add("503", "unavailable: a dependency is down");
}

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}
