//! `GET /api/v1/sites/{id}/bans`.

use actix_web::{HttpResponse, web};
use pintalk_db::bans;
use serde::Serialize;
use utoipa::ToSchema;

use super::BanView;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::routes::webhooks::owned_site;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BanList {
    /// The bans that apply now, the newest first (at most `limits.bans_per_site`);
    /// expired ones are left out.
    pub bans: Vec<BanView>,
}

/// The site's bans in force.
#[utoipa::path(get, path = "/api/v1/sites/{id}/bans", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses(
        (status = 200, body = BanList),
        (status = 404, description = "no such site of the owner's", body = crate::error::ErrorBody),
    ))]
pub async fn list_bans(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site, now) = (
        auth.permitted(path.id, Action::ManageSites)?,
        path.id,
        state.clock.now_ms(),
    );
    let rows = state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            Ok(bans::list_for_site(conn, site, now)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BanList {
        bans: rows.into_iter().map(BanView::new).collect(),
    }))
}
