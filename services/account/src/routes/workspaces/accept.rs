//! `POST /api/v1/invitations/accept`.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::rfc3339;
use pintalk_core::secret::token_hash;
use pintalk_db::invitations::{self, Accepted};
use pintalk_db::workspaces;

use super::WorkspaceView;
use super::invitation::{InvitationToken, invalid_invitation};
use crate::auth::{AuthOwner, end_access};
use crate::body::Json;
use crate::error::ApiError;
use crate::state::AppState;

/// Joins the workspace an invitation link is for, as the signed-in account, with the
/// invitation's role; the link then stops working. The account's open sockets reconnect
/// (`access_changed`) with the workspace's sites granted.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "workspaces",
    security(("bearer" = [])), request_body = InvitationToken,
    responses((status = 200, body = WorkspaceView),
        (status = 409, body = crate::error::ErrorBody, description = "already_member"),
        (status = 410, body = crate::error::ErrorBody, description = "invalid_invitation")))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<InvitationToken>,
) -> Result<HttpResponse, ApiError> {
    let (hash, now, account) = (
        token_hash(body.token.trim()),
        state.clock.now_ms(),
        auth.owner.id,
    );
    let (accepted, workspace) = state
        .db(move |conn| {
            let accepted = invitations::accept(conn, &hash, account, now)?;
            let workspace = match &accepted {
                Accepted::Joined(member) => workspaces::find(conn, member.workspace_id)?,
                _ => None,
            };
            Ok((accepted, workspace))
        })
        .await?;
    let member = match accepted {
        Accepted::Joined(member) => member,
        Accepted::Invalid => return Err(invalid_invitation()),
        Accepted::AlreadyMember => {
            return Err(ApiError::new(
                ErrorCode::AlreadyMember,
                "you are a member of this workspace already",
            ));
        }
    };
    let workspace = workspace.ok_or_else(invalid_invitation)?;
    end_access(&state, account).await;
    Ok(HttpResponse::Ok().json(WorkspaceView {
        id: workspace.id,
        name: workspace.name,
        role: member.role,
        created_at: rfc3339(workspace.created_at),
    }))
}
