//! `DELETE /api/v1/sites/{id}/bans/{ban}`.

use actix_web::{HttpResponse, web};
use pintalk_db::bans;

use super::BanPath;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::webhooks::owned_site;
use crate::state::AppState;

/// Lifts a ban: the address or network gets the widget again at once.
#[utoipa::path(delete, path = "/api/v1/sites/{id}/bans/{ban}", tag = "sites", security(("bearer" = [])),
    params(BanPath), responses(
        (status = 204, description = "lifted"),
        (status = 404, description = "no such ban or site of the owner's", body = crate::error::ErrorBody),
    ))]
pub async fn delete_ban(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<BanPath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site, id) = (
        auth.permitted(path.id, Action::ManageSites)?,
        path.id,
        path.ban,
    );
    let deleted = state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            Ok(bans::delete(conn, site, id)?)
        })
        .await?;
    if !deleted {
        return Err(ApiError::not_found("ban"));
    }
    Ok(HttpResponse::NoContent().finish())
}
