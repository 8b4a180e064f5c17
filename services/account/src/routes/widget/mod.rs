//! The public endpoints the widget calls from a visitor's browser, one handler per file.
//! They answer only when the request's `Origin` is exactly on the site's allow-list, and
//! answer CORS (preflight included) for exactly that origin.

pub mod config;
pub mod preflight;
pub mod start;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use pintalk_core::ErrorCode;
use pintalk_db::models::Site;
use pintalk_db::sites;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteKeyQuery {
    /// The site's public key, from the embed snippet.
    pub site_key: String,
}

/// The site for `site_key` and the request's origin, if that origin is allowed.
pub(super) async fn site_for_origin(
    state: &AppState,
    req: &HttpRequest,
    site_key: &str,
) -> Result<(Site, String, bool), ApiError> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::new(ErrorCode::OriginNotAllowed, "the request has no Origin"))?;
    if site_key.is_empty() || site_key.len() > 64 {
        return Err(ApiError::not_found("site"));
    }
    let key = site_key.to_owned();
    let (site, verified) = state
        .db(move |conn| sites::find_by_key(conn, &key)?.ok_or_else(|| ApiError::not_found("site")))
        .await?;
    if !site.allowed_origins.allows(&origin) {
        return Err(ApiError::new(
            ErrorCode::OriginNotAllowed,
            "this page's origin is not on the site's allow-list",
        ));
    }
    Ok((site, origin, verified))
}

pub(super) fn with_cors(mut response: HttpResponse, origin: &str) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(origin) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}
