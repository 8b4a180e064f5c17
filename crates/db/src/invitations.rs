//! Invitations to a workspace (`invitations`): mailed as a link with a single-use token,
//! valid until `expires_at`, revocable; accepting one makes the account a member.

use diesel::prelude::*;
use pintalk_core::ids::{InvitationId, OwnerId, WorkspaceId};

use crate::models::{Invitation, Member, Workspace};
use crate::schema::{invitations, members, workspaces};
use crate::{DbConnection, DbError};

/// What [`create`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    Stored,
    /// Members and pending invitations together would pass `max`.
    Full,
}

/// Stores a new invitation unless the workspace's members and pending invitations reach
/// `max` (counted after the insert, so concurrent invitations past the bound are taken
/// back rather than kept).
pub fn create(
    conn: &mut DbConnection,
    invitation: &Invitation,
    max: usize,
    now: i64,
) -> Result<Created, DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::insert_into(invitations::table)
            .values(invitation)
            .execute(conn)?;
        let pending = pending(conn, invitation.workspace_id, now)?.len();
        let members = crate::workspaces::count(conn, invitation.workspace_id)?;
        if pending + usize::try_from(members).unwrap_or(usize::MAX) > max {
            diesel::delete(invitations::table.find(invitation.id)).execute(conn)?;
            return Ok(Created::Full);
        }
        Ok(Created::Stored)
    })
}

/// The workspace's invitations not yet accepted, revoked or expired, newest first.
pub fn pending(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
    now: i64,
) -> Result<Vec<Invitation>, DbError> {
    Ok(invitations::table
        .filter(invitations::workspace_id.eq(workspace))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .order(invitations::id.desc())
        .select(Invitation::as_select())
        .load(conn)?)
}

/// Revokes one of the workspace's pending invitations; whether there was one.
pub fn revoke(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
    id: InvitationId,
    now: i64,
) -> Result<bool, DbError> {
    let revoked = diesel::update(
        invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::workspace_id.eq(workspace))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(revoked > 0)
}

/// The live invitation with this token hash and its workspace.
pub fn find_live(
    conn: &mut DbConnection,
    hash: &str,
    now: i64,
) -> Result<Option<(Invitation, Workspace)>, DbError> {
    Ok(invitations::table
        .inner_join(workspaces::table)
        .filter(invitations::token_hash.eq(hash))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .select((Invitation::as_select(), Workspace::as_select()))
        .first(conn)
        .optional()?)
}

/// What [`accept`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// The account is now a member, with the invitation's role.
    Joined(Member),
    /// No live invitation has this token.
    Invalid,
    /// The account is a member already; the invitation stays unused.
    AlreadyMember,
}

/// Uses the invitation: marks it accepted (once, even when two accept at the same time)
/// and adds `account` to its workspace as a member of every site.
pub fn accept(
    conn: &mut DbConnection,
    hash: &str,
    account: OwnerId,
    now: i64,
) -> Result<Accepted, DbError> {
    crate::write_transaction(conn, |conn| {
        let Some((invitation, _)) = find_live(conn, hash, now)? else {
            return Ok(Accepted::Invalid);
        };
        if crate::workspaces::member(conn, invitation.workspace_id, account)?.is_some() {
            return Ok(Accepted::AlreadyMember);
        }
        let used = diesel::update(
            invitations::table
                .find(invitation.id)
                .filter(invitations::accepted_at.is_null()),
        )
        .set(invitations::accepted_at.eq(Some(now)))
        .execute(conn)?;
        if used == 0 {
            return Ok(Accepted::Invalid);
        }
        let member = Member {
            workspace_id: invitation.workspace_id,
            owner_id: account,
            role: invitation.role,
            all_sites: true,
            created_at: now,
        };
        diesel::insert_into(members::table)
            .values(&member)
            .execute(conn)?;
        Ok(Accepted::Joined(member))
    })
}
