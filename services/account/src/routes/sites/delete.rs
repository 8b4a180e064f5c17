//! `DELETE /api/v1/sites/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::sites;

use super::SitePath;
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// Deletes a site with its visitors, rooms and messages.
#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 204, description = "deleted")))]
pub async fn delete_site(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (owner, id) = (auth.owner.id, path.id);
    let deleted = state
        .db(move |conn| Ok(sites::delete(conn, owner, id)?))
        .await?;
    if !deleted {
        return Err(ApiError::not_found("site"));
    }
    Ok(HttpResponse::NoContent().finish())
}
