//! `POST /api/v1/workspaces/{id}/transfer`.

use actix_web::{HttpResponse, web};
use pintalk_core::ids::OwnerId;
use pintalk_db::workspaces::{self, MemberChange};
use serde::Deserialize;
use utoipa::ToSchema;

use super::WorkspacePath;
use crate::access::SessionAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The member who becomes the owner.
    pub member: OwnerId,
}

/// Hands the workspace to another member (owner only): they become its owner, the caller
/// an admin. The sites' data then answers to the new owner's account.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/transfer", tag = "workspaces",
    security(("bearer" = [])), params(WorkspacePath), request_body = TransferRequest,
    responses((status = 204, description = "transferred"),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed"),
        (status = 404, body = crate::error::ErrorBody, description = "no such member")))]
pub async fn transfer_workspace(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WorkspacePath>,
    body: Json<TransferRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::OwnWorkspace)?;
    let (id, from, to) = (path.id, auth.owner.id, body.member);
    if to == from {
        return Err(ApiError::invalid_field("member", "is already the owner"));
    }
    let change = state
        .db(move |conn| Ok(workspaces::transfer(conn, id, from, to)?))
        .await?;
    if change != MemberChange::Done {
        return Err(ApiError::not_found("member"));
    }
    Ok(HttpResponse::NoContent().finish())
}
