//! `GET /api/v1/sites/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::sites;

use super::{SitePath, SiteView};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// One of the owner's sites.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, body = SiteView)))]
pub async fn get_site(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, id) = (auth.permitted(path.id, Action::ReadConversations)?, path.id);
    let site = state
        .db(move |conn| {
            sites::find_in(conn, &granted, id)?.ok_or_else(|| ApiError::not_found("site"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(SiteView::new(site, state.settings.public_base())))
}
