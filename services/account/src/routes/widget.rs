//! The public endpoints the widget calls from a visitor's browser. They answer only when
//! the request's `Origin` is exactly on the site's allow-list, and answer CORS (preflight
//! included) for exactly that origin.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use std::time::Duration;

use pintalk_core::ids::{RoomId, SiteId, VisitorId};
use pintalk_core::protocol::RoomStatus;
use pintalk_core::secret::token_hash;
use pintalk_core::token::VisitorSocketGrant;
use pintalk_db::models::Site;
use pintalk_db::sites;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::domain::text::bounded;
use crate::domain::widget::WidgetSettings;
use crate::error::ApiError;
use crate::limits::{client_ip, enforce};
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// Whether an owner of the site has a socket open now.
    pub owner_online: bool,
}

/// The widget's appearance for the site whose key it carries.
#[utoipa::path(get, path = "/api/v1/widget/config", tag = "widget", params(SiteKeyQuery,
        ("Origin" = String, Header, description = "the embedding page's origin; must be on the site's allow-list")),
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
        let owner_online = state
            .bus
            .presence_count(&pintalk_bus::presence::owner_key(site.id))
            .await?
            > 0;
        HttpResponse::Ok().json(WidgetConfig {
            site_id: site.id,
            settings: WidgetSettings::from_site(&site),
            owner_online,
        })
    } else {
        actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::SiteNotLive,
            "this site's owner has not verified their email yet",
        ))
    };
    Ok(with_cors(response, &origin))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub site_key: String,
    /// A returning visitor's id and secret, from the widget's storage.
    #[serde(default)]
    pub visitor_id: Option<String>,
    #[serde(default)]
    pub visitor_secret: Option<String>,
    /// From the page's `PinTalk('identify', {name, email})`: shown to the owner.
    /// Up to 100 characters.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A visitor's conversation as the widget sees it.
#[derive(Serialize, ToSchema)]
pub struct VisitorRoom {
    pub id: RoomId,
    pub status: RoomStatus,
    /// The highest persisted seq; newer messages arrive over the socket.
    pub last_seq: i64,
}

/// What the widget needs to talk: who it is, its conversation, and a socket ticket.
#[derive(Serialize, ToSchema)]
pub struct VisitorSession {
    pub visitor_id: VisitorId,
    /// Keep it (localStorage) to come back to the same conversation; only its hash is
    /// stored. Absent when the visitor came back with theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_secret: Option<String>,
    pub room: VisitorRoom,
    /// For the socket's `auth` frame (it opens one socket), and as a bearer token for this
    /// room's history until it expires.
    pub token: String,
    pub gateway_url: String,
    pub expires_in: u64,
}

/// Starts or resumes a visitor's conversation and hands out a gateway token scoped to
/// it. Rate-limited per IP and per site.
#[utoipa::path(post, path = "/api/v1/widget/sessions", tag = "widget", request_body = SessionRequest,
    params(("Origin" = String, Header, description = "the embedding page's origin; must be on the site's allow-list")),
    responses(
        (status = 200, body = VisitorSession),
        (status = 403, description = "origin_not_allowed, site_not_live or visitor_blocked", body = crate::error::ErrorBody),
        (status = 404, description = "no site has this key", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests", body = crate::error::ErrorBody),
    ))]
pub async fn session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SessionRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let (site, origin, verified) = site_for_origin(&state, &req, &request.site_key).await?;
    let result = visitor_session(&state, &req, site, &origin, verified, request).await;
    Ok(with_cors(
        match result {
            Ok(session) => HttpResponse::Ok().json(session),
            Err(e) => actix_web::ResponseError::error_response(&e),
        },
        &origin,
    ))
}

async fn visitor_session(
    state: &AppState,
    req: &HttpRequest,
    site: Site,
    origin: &str,
    verified: bool,
    request: SessionRequest,
) -> Result<VisitorSession, ApiError> {
    let SessionRequest {
        visitor_id,
        visitor_secret,
        name,
        email,
        ..
    } = request;
    let name = name
        .map(|n| bounded("name", &n, 0, 100, false))
        .transpose()?
        .filter(|n| !n.is_empty());
    let email = email
        .filter(|e| !e.trim().is_empty())
        .map(|e| EmailAddress::parse(&e).map(|e| e.as_str().to_owned()))
        .transpose()?;
    if !verified {
        return Err(ApiError::new(
            ErrorCode::SiteNotLive,
            "this site's owner has not verified their email yet",
        ));
    }
    let limits = &state.settings.limits;
    let ip = client_ip(req, &state.settings);
    enforce(
        &*state.bus,
        &format!("session:ip:{ip}"),
        limits.sessions_per_ip,
        limits.sessions_window_secs,
    )
    .await?;
    enforce(
        &*state.bus,
        &format!("session:site:{}", site.id),
        limits.sessions_per_site,
        limits.sessions_window_secs,
    )
    .await?;
    let returning = match (
        visitor_id.and_then(|v| v.parse::<VisitorId>().ok()),
        visitor_secret,
    ) {
        (Some(id), Some(secret)) if secret.len() <= 100 => Some((id, token_hash(&secret))),
        _ => None,
    };
    let site_id = site.id;
    let (visitor, room, secret) = state
        .db(move |conn| crate::visitors::find_or_create(conn, site_id, returning, name, email))
        .await?;
    // A new room starts its numbering here; a known one only if the bus lost it, so a
    // returning visitor's session costs one look-up, not a seed.
    if room.last_seq == 0 {
        state.bus.seed(room.id, site_id, 0, &[]).await?;
    } else if state.bus.last_seq(room.id).await?.is_none() {
        crate::seeding::seed_room(&state.pool, state.bus.as_ref(), room.id)
            .await
            .map_err(ApiError::Internal)?;
    }
    let ttl = state.settings.gateway.token_ttl_secs;
    let grant = VisitorSocketGrant {
        site: site_id,
        room: room.id,
        origin: origin.to_owned(),
        name: visitor.name.clone(),
    };
    let token = state
        .signer
        .sign(&visitor.id.to_string(), Duration::from_secs(ttl), grant)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(VisitorSession {
        visitor_id: visitor.id,
        visitor_secret: secret,
        room: VisitorRoom {
            id: room.id,
            status: room.status,
            last_seq: room.last_seq,
        },
        token,
        gateway_url: state.settings.gateway_url(),
        expires_in: ttl,
    })
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
    if !site.allowed_origins.allows(&origin) {
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
