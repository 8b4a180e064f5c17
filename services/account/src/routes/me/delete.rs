//! `DELETE /me`.

use actix_web::{HttpResponse, web};
use pintalk_db::owners;

use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// Deletes the account with its sites, visitors, rooms and messages. Irreversible.
#[utoipa::path(delete, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "deleted")))]
pub async fn delete_me(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let id = auth.owner.id;
    state.db(move |conn| Ok(owners::delete(conn, id)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}
