//! `OPTIONS` on the widget endpoints.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{SiteKeyQuery, site_for_origin, with_cors};
use crate::error::ApiError;
use crate::state::AppState;

/// CORS preflight for the widget endpoints.
pub async fn preflight(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SiteKeyQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, origin, _) = site_for_origin(&state, &req, &query.site_key).await?;
    let mut response = HttpResponse::NoContent().finish();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    Ok(with_cors(response, &origin))
}
