//! `DELETE /api/v1/workspaces/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::workspaces;

use super::WorkspacePath;
use crate::access::SessionAccess;
use crate::auth::end_access;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Deletes the workspace with its sites, conversations, members, invitations, canned
/// replies and API tokens (owner only). Irreversible. Every member's sockets close at
/// once (`access_changed`).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}", tag = "workspaces",
    security(("bearer" = [])), params(WorkspacePath),
    responses((status = 204, description = "deleted"),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed")))]
pub async fn delete_workspace(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WorkspacePath>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::OwnWorkspace)?;
    let id = path.id;
    let members = state
        .db(move |conn| {
            let members = workspaces::members_of(conn, id)?;
            workspaces::delete(conn, id)?;
            Ok(members)
        })
        .await?;
    for row in members {
        end_access(&state, row.account.id).await;
    }
    Ok(HttpResponse::NoContent().finish())
}
