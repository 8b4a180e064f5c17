//! `DELETE /api/v1/sites/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::sites;

use super::SitePath;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Deletes a site with its visitors, rooms and messages.
#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 204, description = "deleted")))]
pub async fn delete_site(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, id) = (auth.permitted(path.id, Action::ManageSites)?, path.id);
    let deleted = state
        .db(move |conn| Ok(sites::delete(conn, &granted, id)?))
        .await?;
    if !deleted {
        return Err(ApiError::not_found("site"));
    }
    Ok(HttpResponse::NoContent().finish())
}
