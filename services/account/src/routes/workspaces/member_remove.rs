//! `DELETE /api/v1/workspaces/{id}/members/{member}`.

use actix_web::{HttpResponse, web};
use pintalk_db::workspaces::{self, MemberChange};

use super::MemberPath;
use super::member_update::owner_required;
use crate::access::SessionAccess;
use crate::auth::end_access;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Removes a member (owner or admin), or leaves the workspace (any member but the owner,
/// naming themselves). The API tokens they made for it are revoked, their open sockets
/// close at once (`access_changed`) and their tickets are refused; conversations
/// assigned to them stay assigned until someone reassigns them.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/members/{member}", tag = "workspaces",
    security(("bearer" = [])), params(MemberPath),
    responses((status = 204, description = "removed"),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed"),
        (status = 409, body = crate::error::ErrorBody, description = "owner_required")))]
pub async fn remove_member(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<MemberPath>,
) -> Result<HttpResponse, ApiError> {
    let (id, member) = (path.id, path.member);
    if member == auth.owner.id {
        auth.workspace(id, Action::ReadConversations)?;
    } else {
        auth.workspace(id, Action::ManageMembers)?;
    }
    let change = state
        .db(move |conn| Ok(workspaces::remove(conn, id, member)?))
        .await?;
    match change {
        MemberChange::Done => {}
        MemberChange::IsOwner => return Err(owner_required()),
        MemberChange::Missing | MemberChange::ForeignSite => {
            return Err(ApiError::not_found("member"));
        }
    }
    end_access(&state, member).await;
    Ok(HttpResponse::NoContent().finish())
}
