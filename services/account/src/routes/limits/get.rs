//! `GET /api/v1/sites/{id}/limits`.

use actix_web::{HttpResponse, web};
use pintalk_db::bans;

use super::LimitsView;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::routes::webhooks::owned_site;
use crate::state::AppState;

/// The site's abuse limits: its own, and those in force.
#[utoipa::path(get, path = "/api/v1/sites/{id}/limits", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses(
        (status = 200, body = LimitsView),
        (status = 404, description = "no such site of the owner's", body = crate::error::ErrorBody),
    ))]
pub async fn get_limits(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site) = (auth.permitted(path.id, Action::ManageSites)?, path.id);
    let limits = state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            Ok(bans::limits(conn, site)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LimitsView::new(&limits, &state.settings.limits)))
}
