//! `POST /api/v1/workspaces/{id}/invitations`.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::domain::Role;
use pintalk_core::ids::InvitationId;
use pintalk_db::invitations::{self, Created};
use pintalk_db::models::Invitation;
use pintalk_db::workspaces;
use serde::Deserialize;
use utoipa::ToSchema;

use super::member_update::owner_required;
use super::{INVITATION_DAYS, InvitationView, MAX_MEMBERS, WorkspacePath};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::error::ApiError;
use crate::mail;
use crate::mail_link::MailLink;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Where to mail the link.
    pub email: String,
    /// `admin` or `agent`.
    pub role: Role,
}

/// Invites someone by mail (owner or admin): a single-use link, valid 7 days, that makes
/// whoever opens it signed in a member with `role` (an agent sees every site until given
/// fewer). Members and pending invitations together are at most 100.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/invitations", tag = "workspaces",
    security(("bearer" = [])), params(WorkspacePath), request_body = InviteRequest,
    responses((status = 201, body = InvitationView),
        (status = 403, body = crate::error::ErrorBody, description = "role_not_allowed"),
        (status = 409, body = crate::error::ErrorBody, description = "members_full")))]
pub async fn invite(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WorkspacePath>,
    body: Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.workspace(path.id, Action::ManageMembers)?;
    let InviteRequest { email, role } = body.into_inner();
    if role == Role::Owner {
        return Err(owner_required());
    }
    let email = EmailAddress::parse(&email)?;
    let link = MailLink::new(
        &state.settings,
        "accept-invitation",
        Duration::from_secs(INVITATION_DAYS * 86_400),
    );
    let now = state.clock.now_ms();
    let invitation = Invitation {
        id: InvitationId::new(),
        workspace_id: path.id,
        email: email.as_str().to_owned(),
        role,
        token_hash: link.token_hash.clone(),
        invited_by: Some(auth.owner.id),
        created_at: now,
        expires_at: link.expires_at,
        accepted_at: None,
        revoked_at: None,
    };
    let stored = invitation.clone();
    let (created, workspace) = state
        .db(move |conn| {
            let created = invitations::create(conn, &stored, MAX_MEMBERS, now)?;
            Ok((created, workspaces::find(conn, stored.workspace_id)?))
        })
        .await?;
    if created == Created::Full {
        return Err(ApiError::new(
            ErrorCode::MembersFull,
            format!("at most {MAX_MEMBERS} members and pending invitations"),
        ));
    }
    let workspace = workspace.ok_or_else(|| ApiError::not_found("workspace"))?;
    mail::send_later(
        &state.mailer,
        mail::invitation(
            email.as_str(),
            &auth.owner.name,
            &workspace.name,
            role,
            &link.url,
        ),
    );
    Ok(HttpResponse::Created().json(InvitationView::from(invitation)))
}
