//! `PATCH /api/v1/workspaces/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::rfc3339;
use pintalk_db::workspaces;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{WorkspacePath, WorkspaceView};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::domain::text::bounded;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameWorkspaceRequest {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// Renames the workspace (owner or admin).
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}", tag = "workspaces",
    security(("bearer" = [])), params(WorkspacePath), request_body = RenameWorkspaceRequest,
    responses((status = 200, body = WorkspaceView),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed")))]
pub async fn rename_workspace(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WorkspacePath>,
    body: Json<RenameWorkspaceRequest>,
) -> Result<HttpResponse, ApiError> {
    let role = auth.workspace(path.id, Action::RenameWorkspace)?;
    let name = bounded("name", &body.name, 1, 100, false)?;
    let id = path.id;
    let workspace = state
        .db(move |conn| {
            workspaces::rename(conn, id, &name)?;
            workspaces::find(conn, id)?.ok_or_else(|| ApiError::not_found("workspace"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(WorkspaceView {
        id: workspace.id,
        name: workspace.name,
        role,
        created_at: rfc3339(workspace.created_at),
    }))
}
