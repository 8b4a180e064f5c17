//! `DELETE /api/v1/workspaces/{id}/invitations/{invitation}`.

use actix_web::{HttpResponse, web};
use pintalk_db::invitations;

use super::InvitationPath;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Revokes a pending invitation (owner or admin): its link stops working at once.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/invitations/{invitation}",
    tag = "workspaces", security(("bearer" = [])), params(InvitationPath),
    responses((status = 204, description = "revoked"),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed")))]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<InvitationPath>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::ManageMembers)?;
    let (id, invitation, now) = (path.id, path.invitation, state.clock.now_ms());
    let revoked = state
        .db(move |conn| Ok(invitations::revoke(conn, id, invitation, now)?))
        .await?;
    if !revoked {
        return Err(ApiError::not_found("invitation"));
    }
    Ok(HttpResponse::NoContent().finish())
}
