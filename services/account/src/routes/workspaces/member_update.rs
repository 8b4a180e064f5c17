//! `PATCH /api/v1/workspaces/{id}/members/{member}`.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::domain::Role;
use pintalk_core::ids::SiteId;
use pintalk_db::workspaces::{self, MemberChange};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{MemberPath, MemberView};
use crate::access::SessionAccess;
use crate::auth::end_access;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The most sites one member may be given one by one.
const MAX_SITES: usize = 100;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    /// `admin` or `agent` (ownership moves only by `POST .../transfer`).
    pub role: Role,
    /// The sites they may see and answer, at most 100 of the workspace's; null or absent:
    /// every site, now and later.
    #[serde(default)]
    pub sites: Option<Vec<SiteId>>,
}

/// Changes a member's role and sites (owner or admin; never the owner's). Their open
/// sockets close at once (`access_changed`) and reconnect with what they may see now.
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}/members/{member}", tag = "workspaces",
    security(("bearer" = [])), params(MemberPath), request_body = UpdateMemberRequest,
    responses((status = 200, body = MemberView),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed"),
        (status = 409, body = crate::error::ErrorBody, description = "owner_required")))]
pub async fn update_member(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<MemberPath>,
    body: Json<UpdateMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::ManageMembers)?;
    let UpdateMemberRequest { role, sites } = body.into_inner();
    if role == Role::Owner {
        return Err(owner_required());
    }
    let sites = sites.map(|mut sites| {
        sites.sort();
        sites.dedup();
        sites
    });
    if sites.as_ref().is_some_and(|s| s.len() > MAX_SITES) {
        return Err(ApiError::invalid_field("sites", "at most 100 sites"));
    }
    let (id, member) = (path.id, path.member);
    let (change, row) = state
        .db(move |conn| {
            let change = workspaces::change(conn, id, member, role, sites.as_deref())?;
            let row = workspaces::members_of(conn, id)?
                .into_iter()
                .find(|row| row.account.id == member);
            Ok((change, row))
        })
        .await?;
    match change {
        MemberChange::Done => {}
        MemberChange::Missing => return Err(ApiError::not_found("member")),
        MemberChange::IsOwner => return Err(owner_required()),
        MemberChange::ForeignSite => {
            return Err(ApiError::invalid_field(
                "sites",
                "every site must be one of the workspace's",
            ));
        }
    }
    end_access(&state, member).await;
    let row = row.ok_or_else(|| ApiError::not_found("member"))?;
    Ok(HttpResponse::Ok().json(MemberView::from(row)))
}

/// The refusal to change, remove or demote the owner other than by a transfer.
pub(crate) fn owner_required() -> ApiError {
    ApiError::new(
        ErrorCode::OwnerRequired,
        "the workspace's owner stays its owner until they transfer it",
    )
}
