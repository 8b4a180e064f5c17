//! The public endpoints the widget calls from a visitor's browser. They answer only when
//! the request's `Origin` is exactly on the site's allow-list, and answer CORS (preflight
//! included) for exactly that origin.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::ids::SiteId;
use pintalk_db::models::Site;
use pintalk_db::sites;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sites::WidgetSettings;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SiteKeyQuery {
    /// The site's public key, from the embed snippet.
    pub site_key: String,
}

/// What the widget needs to draw itself.
#[derive(Serialize, ToSchema)]
pub struct WidgetConfig {
    pub site_id: SiteId,
    #[serde(flatten)]
    pub settings: WidgetSettings,
    /// Whether an owner is connected now (always false until the realtime gateway).
    pub owner_online: bool,
}

/// The widget's appearance for the site whose key it carries.
#[utoipa::path(get, path = "/api/v1/widget/config", tag = "widget", params(SiteKeyQuery),
    params(("Origin" = String, Header, description = "the embedding page's origin; must be on the site's allow-list")),
    responses(
        (status = 200, body = WidgetConfig),
        (status = 403, description = "origin_not_allowed, or site_not_live (the owner has not verified their email)", body = crate::error::ErrorBody),
        (status = 404, description = "no site has this key", body = crate::error::ErrorBody),
    ))]
pub async fn config(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SiteKeyQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site, origin, verified) = site_for_origin(&state, &req, &query.site_key).await?;
    let response = if verified {
        HttpResponse::Ok().json(WidgetConfig {
            site_id: site.id,
            settings: WidgetSettings::from_site(&site),
            owner_online: false,
        })
    } else {
        actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::SiteNotLive,
            "this site's owner has not verified their email yet",
        ))
    };
    Ok(with_cors(response, &origin))
}

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

/// The site for `site_key` and the request's origin, if that origin is allowed.
async fn site_for_origin(
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
    if !site.origins().contains(&origin) {
        return Err(ApiError::new(
            ErrorCode::OriginNotAllowed,
            "this page's origin is not on the site's allow-list",
        ));
    }
    Ok((site, origin, verified))
}

fn with_cors(mut response: HttpResponse, origin: &str) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(origin) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}
