//! `DELETE /me`.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_db::{owners, workspaces};

use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// Deletes the account with the workspaces it owns — their sites, visitors, rooms and
/// messages — and its memberships of others. Irreversible. Refused with
/// `workspace_has_members` while a workspace it owns has other members: transfer it or
/// remove them first.
#[utoipa::path(delete, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "deleted"),
        (status = 409, body = crate::error::ErrorBody, description = "workspace_has_members")))]
pub async fn delete_me(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let id = auth.owner.id;
    state
        .db(move |conn| {
            if workspaces::owned_by(conn, id)?
                .iter()
                .any(|(_, members)| *members > 1)
            {
                return Err(ApiError::new(
                    ErrorCode::WorkspaceHasMembers,
                    "a workspace you own has other members: transfer it or remove them first",
                ));
            }
            Ok(owners::delete(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
