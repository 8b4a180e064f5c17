//! `GET /api/v1/sites`: the owner's sites.

use actix_web::{HttpResponse, web};
use pintalk_db::sites;

use super::SiteView;
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The sites the caller may see, in every workspace they belong to. An API token with the `read` scope may list them too, to find the
/// site ids its conversations are under.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites",
    security(("bearer" = []), ("api_token" = ["read"])),
    responses((status = 200, body = Vec<SiteView>)))]
pub async fn list_sites(
    state: web::Data<AppState>,
    access: ReadAccess,
) -> Result<HttpResponse, ApiError> {
    let granted = access.sites(Action::ReadConversations);
    let list = state
        .db(move |conn| Ok(sites::list_in(conn, &granted)?))
        .await?;
    let base = state.settings.public_base();
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(|s| SiteView::new(s, base))
            .collect::<Vec<_>>(),
    ))
}
