//! `GET /api/v1/workspaces`.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::rfc3339;
use pintalk_db::workspaces;

use super::WorkspaceView;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::state::AppState;

/// The workspaces the signed-in account belongs to, with its role in each, oldest
/// membership first (its own workspace, then those it joined).
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces", security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkspaceView>)))]
pub async fn list_workspaces(
    state: web::Data<AppState>,
    auth: SessionAccess,
) -> Result<HttpResponse, ApiError> {
    let account = auth.owner.id;
    let list = state
        .db(move |conn| Ok(workspaces::memberships(conn, account)?))
        .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(|m| WorkspaceView {
                id: m.workspace.id,
                name: m.workspace.name,
                role: m.member.role,
                created_at: rfc3339(m.workspace.created_at),
            })
            .collect::<Vec<_>>(),
    ))
}
