//! `GET` and `PUT /api/v1/sites/{id}/retention`: how many days a conversation of the site
//! is kept after it went idle (`null`: for ever, the default). See [`crate::retention`].

use actix_web::{HttpResponse, web};
use pintalk_db::{retention, sites};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::SitePath;
use crate::access::SessionAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The longest retention a site may set: ten years.
pub const MAX_RETENTION_DAYS: i64 = 3650;

/// A site's retention.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Days, 1 to 3650, after which an idle conversation (no message, no close or reopen)
    /// is deleted with its messages; `null`: kept for ever.
    pub retention_days: Option<i64>,
}

/// The site's retention.
#[utoipa::path(get, path = "/api/v1/sites/{id}/retention", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, body = Retention)))]
pub async fn get_retention(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, id) = (auth.permitted(path.id, Action::ManageSites)?, path.id);
    let days = state
        .db(move |conn| {
            sites::find_in(conn, &granted, id)?.ok_or_else(|| ApiError::not_found("site"))?;
            Ok(retention::days(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Retention {
        retention_days: days,
    }))
}

/// Sets the site's retention; conversations already idle longer go at the sweeper's next
/// pass.
#[utoipa::path(put, path = "/api/v1/sites/{id}/retention", tag = "sites", security(("bearer" = [])),
    params(SitePath), request_body = Retention, responses((status = 200, body = Retention)))]
pub async fn put_retention(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
    body: Json<Retention>,
) -> Result<HttpResponse, ApiError> {
    let days = body.into_inner().retention_days;
    if days.is_some_and(|d| !(1..=MAX_RETENTION_DAYS).contains(&d)) {
        return Err(ApiError::invalid_field(
            "retention_days",
            &format!("1 to {MAX_RETENTION_DAYS} days, or null"),
        ));
    }
    let (granted, id, now) = (
        auth.permitted(path.id, Action::ManageSites)?,
        path.id,
        state.clock.now_ms(),
    );
    state
        .db(move |conn| {
            sites::find_in(conn, &granted, id)?.ok_or_else(|| ApiError::not_found("site"))?;
            Ok(retention::set_days(conn, id, days, now)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Retention {
        retention_days: days,
    }))
}
