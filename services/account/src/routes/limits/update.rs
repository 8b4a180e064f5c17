//! `PUT /api/v1/sites/{id}/limits`.

use actix_web::{HttpResponse, web};
use pintalk_db::bans;

use super::{LimitsRequest, LimitsView};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::routes::webhooks::owned_site;
use crate::state::AppState;

/// Replaces the site's limits. Sessions and conversations are counted with the new bound
/// at once; a visitor's messages a minute with the one their socket ticket carries, so a
/// change reaches a visitor when their widget next connects.
#[utoipa::path(put, path = "/api/v1/sites/{id}/limits", tag = "sites", security(("bearer" = [])),
    params(SitePath), request_body = LimitsRequest, responses(
        (status = 200, body = LimitsView),
        (status = 400, description = "invalid_field: a value out of its bounds", body = crate::error::ErrorBody),
        (status = 404, description = "no such site of the owner's", body = crate::error::ErrorBody),
    ))]
pub async fn put_limits(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
    body: Json<LimitsRequest>,
) -> Result<HttpResponse, ApiError> {
    let limits = body
        .into_inner()
        .into_limits(path.id, state.clock.now_ms())?;
    let (granted, stored) = (
        auth.permitted(path.id, Action::ManageSites)?,
        limits.clone(),
    );
    state
        .db(move |conn| {
            owned_site(conn, &granted, stored.site_id)?;
            Ok(bans::set_limits(conn, &stored)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LimitsView::new(&limits, &state.settings.limits)))
}
