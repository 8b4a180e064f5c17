//! `GET /api/v1/workspaces/{id}/invitations`.

use actix_web::{HttpResponse, web};
use pintalk_db::invitations;

use super::{InvitationView, WorkspacePath};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The workspace's pending invitations, newest first (owner or admin).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/invitations", tag = "workspaces",
    security(("bearer" = [])), params(WorkspacePath),
    responses((status = 200, body = Vec<InvitationView>),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed")))]
pub async fn list_invitations(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WorkspacePath>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::ManageMembers)?;
    let (id, now) = (path.id, state.clock.now_ms());
    let list = state
        .db(move |conn| Ok(invitations::pending(conn, id, now)?))
        .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(InvitationView::from)
            .collect::<Vec<_>>(),
    ))
}
