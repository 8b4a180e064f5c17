//! The OpenAPI 3 document, generated from the handlers' own annotations so it cannot
//! drift from the code. Error responses every endpoint of a kind can give (bad JSON,
//! missing token, unknown id, database down) are added here once, not per handler.

use actix_web::HttpResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;
use crate::routes::{self, rooms};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PinTalk account API",
        version = "1",
        description = "Owners, sessions, sites and the widget's configuration. Errors are \
                       `{\"error\": \"<stable_code>\", \"message\": \"...\"}`."
    ),
    components(schemas(ErrorBody, rooms::transcript::TranscriptFormat))
)]
pub struct ApiDoc;

/// The whole document: the route table's operations with the shared parts.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(routes::Operations::openapi());
    // The modifiers see the operations only once they are merged in.
    BearerAuth.modify(&mut doc);
    CommonErrors.modify(&mut doc);
    doc
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
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
        // A workspace API token for bots and back offices; the scope an operation needs
        // is named in its security requirement (`read` or `write`).
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pt_...")
                    .description(Some(
                        "A workspace API token (`pt_...`, from POST /api/v1/api-tokens) with \
                         scope `read` or `write`; only the operations that list it accept one.",
                    ))
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
        add(
            "403",
            "insufficient_scope (an API token's scope) or api_token_not_allowed",
        );
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The document lists exactly the route table's operations, at the paths the table
    /// mounts them on (each handler's own `path = ...` is checked against its route).
    #[test]
    fn the_document_and_the_route_table_agree() {
        let doc = document();
        let mut documented = BTreeSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [
                ("get", &item.get),
                ("post", &item.post),
                ("put", &item.put),
                ("patch", &item.patch),
                ("delete", &item.delete),
            ] {
                if op.is_some() {
                    documented.insert((path.clone(), method.to_owned()));
                }
            }
        }
        let routed: BTreeSet<(String, String)> = routes::DOCUMENTED
            .iter()
            .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
            .collect();
        assert_eq!(documented, routed);
    }
}
