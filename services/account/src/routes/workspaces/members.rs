//! `GET /api/v1/workspaces/{id}/members`.

use actix_web::{HttpResponse, web};
use pintalk_db::workspaces;

use super::{MemberView, WorkspacePath};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The workspace's members, owner first (any member may list them: they assign
/// conversations to each other).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/members", tag = "workspaces",
    security(("bearer" = [])), params(WorkspacePath),
    responses((status = 200, body = Vec<MemberView>)))]
pub async fn list_members(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WorkspacePath>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::ReadConversations)?;
    let id = path.id;
    let rows = state
        .db(move |conn| Ok(workspaces::members_of(conn, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(MemberView::from).collect::<Vec<_>>()))
}
