//! Workspaces, their members and invitations: the team that answers a workspace's sites.
//! Every check of who may do what is the policy's ([`crate::policy`]), asked through
//! [`crate::access::Actor::workspace`]. One handler per file; the views they share are
//! here.

pub mod accept;
pub mod delete;
pub mod invitation;
pub mod invitations;
pub mod invite;
pub mod list;
pub mod member_remove;
pub mod member_update;
pub mod members;
pub mod rename;
pub mod revoke_invitation;
pub mod transfer;

use pintalk_core::clock::rfc3339;
use pintalk_core::domain::Role;
use pintalk_core::ids::{InvitationId, OwnerId, SiteId, WorkspaceId};
use pintalk_db::models::Invitation;
use pintalk_db::workspaces::MemberRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most members (with pending invitations) a workspace may have.
pub const MAX_MEMBERS: usize = 100;

/// How long an invitation link works.
pub const INVITATION_DAYS: u64 = 7;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkspacePath {
    /// The workspace's id.
    pub id: WorkspaceId,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemberPath {
    /// The workspace's id.
    pub id: WorkspaceId,
    /// The member's account id.
    pub member: OwnerId,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InvitationPath {
    /// The workspace's id.
    pub id: WorkspaceId,
    /// The invitation's id.
    pub invitation: InvitationId,
}

/// A workspace as one of its members sees it.
#[derive(Serialize, ToSchema)]
pub struct WorkspaceView {
    pub id: WorkspaceId,
    pub name: String,
    /// The caller's role in it.
    pub role: Role,
    pub created_at: String,
}

/// A member of a workspace.
#[derive(Serialize, ToSchema)]
pub struct MemberView {
    /// The member's account id: what `assignee` takes.
    pub id: OwnerId,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The sites given to them; null: every site of the workspace, now and later.
    pub sites: Option<Vec<SiteId>>,
    pub joined_at: String,
}

impl From<MemberRow> for MemberView {
    fn from(row: MemberRow) -> Self {
        MemberView {
            id: row.account.id,
            name: row.account.name,
            email: row.account.email,
            role: row.member.role,
            sites: (!row.member.all_sites).then_some(row.sites),
            joined_at: rfc3339(row.member.created_at),
        }
    }
}

/// A pending invitation.
#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    pub id: InvitationId,
    /// Where the link was mailed.
    pub email: String,
    pub role: Role,
    pub created_at: String,
    pub expires_at: String,
}

impl From<Invitation> for InvitationView {
    fn from(i: Invitation) -> Self {
        InvitationView {
            id: i.id,
            email: i.email,
            role: i.role,
            created_at: rfc3339(i.created_at),
            expires_at: rfc3339(i.expires_at),
        }
    }
}
