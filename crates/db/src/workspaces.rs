//! Workspaces and their members (`workspaces`, `members`, `member_sites`): who may reach
//! which site, with which role. What a role may do is not decided here (that is the
//! account service's `policy`); this module keeps the facts, and the one rule the schema
//! cannot: a workspace has exactly one owner.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::domain::Role;
use pintalk_core::ids::{OwnerId, SiteId, WorkspaceId};

use crate::models::{Member, Owner, Workspace};
use crate::schema::{api_tokens, member_sites, members, owners, sites, workspaces};
use crate::{DbConnection, DbError};

/// One site an account may reach, through its membership of the site's workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteGrant {
    pub site: SiteId,
    pub workspace: WorkspaceId,
    pub role: Role,
}

/// A membership as an account sees it: the workspace and its role there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub workspace: Workspace,
    pub member: Member,
}

/// A member as the members page shows them.
#[derive(Clone, Debug)]
pub struct MemberRow {
    pub member: Member,
    pub account: Owner,
    /// The sites given to an agent with `all_sites` false; empty otherwise.
    pub sites: Vec<SiteId>,
}

/// Stores a new workspace with `owner` as its owner.
pub fn create(
    conn: &mut DbConnection,
    workspace: &Workspace,
    owner: OwnerId,
) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::insert_into(workspaces::table)
            .values(workspace)
            .execute(conn)?;
        diesel::insert_into(members::table)
            .values(Member {
                workspace_id: workspace.id,
                owner_id: owner,
                role: Role::Owner,
                all_sites: true,
                created_at: workspace.created_at,
            })
            .execute(conn)?;
        Ok(())
    })
}

pub fn find(conn: &mut DbConnection, id: WorkspaceId) -> Result<Option<Workspace>, DbError> {
    Ok(workspaces::table
        .find(id)
        .select(Workspace::as_select())
        .first(conn)
        .optional()?)
}

pub fn rename(conn: &mut DbConnection, id: WorkspaceId, name: &str) -> Result<(), DbError> {
    diesel::update(workspaces::table.find(id))
        .set(workspaces::name.eq(name))
        .execute(conn)?;
    Ok(())
}

/// Deletes the workspace with its sites (and their conversations), members, invitations,
/// canned replies and API tokens.
pub fn delete(conn: &mut DbConnection, id: WorkspaceId) -> Result<(), DbError> {
    diesel::delete(workspaces::table.find(id)).execute(conn)?;
    Ok(())
}

/// The workspaces `account` belongs to, oldest membership first.
pub fn memberships(conn: &mut DbConnection, account: OwnerId) -> Result<Vec<Membership>, DbError> {
    let rows: Vec<(Workspace, Member)> = workspaces::table
        .inner_join(members::table)
        .filter(members::owner_id.eq(account))
        .order((members::created_at.asc(), workspaces::id.asc()))
        .select((Workspace::as_select(), Member::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(workspace, member)| Membership { workspace, member })
        .collect())
}

/// `account`'s membership of `workspace`, if any.
pub fn member(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
    account: OwnerId,
) -> Result<Option<Member>, DbError> {
    Ok(members::table
        .find((workspace, account))
        .select(Member::as_select())
        .first(conn)
        .optional()?)
}

/// Every site `account` may reach, in every workspace it belongs to, by site id: all of
/// a workspace's sites for a member with `all_sites`, the given ones for the others.
pub fn grants(conn: &mut DbConnection, account: OwnerId) -> Result<Vec<SiteGrant>, DbError> {
    let whole: Vec<(SiteId, WorkspaceId, Role)> = sites::table
        .inner_join(members::table.on(members::workspace_id.eq(sites::workspace_id)))
        .filter(members::owner_id.eq(account))
        .filter(members::all_sites.eq(true))
        .select((sites::id, sites::workspace_id, members::role))
        .load(conn)?;
    let given: Vec<(SiteId, WorkspaceId, Role)> = member_sites::table
        .inner_join(
            members::table.on(members::workspace_id
                .eq(member_sites::workspace_id)
                .and(members::owner_id.eq(member_sites::owner_id))),
        )
        .filter(member_sites::owner_id.eq(account))
        .filter(members::all_sites.eq(false))
        .select((
            member_sites::site_id,
            member_sites::workspace_id,
            members::role,
        ))
        .load(conn)?;
    let mut grants: Vec<SiteGrant> = whole
        .into_iter()
        .chain(given)
        .map(|(site, workspace, role)| SiteGrant {
            site,
            workspace,
            role,
        })
        .collect();
    grants.sort_by_key(|g| g.site);
    Ok(grants)
}

/// The workspace's members with their accounts, owner first, then by joining.
pub fn members_of(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
) -> Result<Vec<MemberRow>, DbError> {
    let rows: Vec<(Member, Owner)> = members::table
        .inner_join(owners::table)
        .filter(members::workspace_id.eq(workspace))
        .order((members::created_at.asc(), members::owner_id.asc()))
        .select((Member::as_select(), Owner::as_select()))
        .load(conn)?;
    let given: Vec<(OwnerId, SiteId)> = member_sites::table
        .filter(member_sites::workspace_id.eq(workspace))
        .order(member_sites::site_id.asc())
        .select((member_sites::owner_id, member_sites::site_id))
        .load(conn)?;
    let mut sites_of: BTreeMap<OwnerId, Vec<SiteId>> = BTreeMap::new();
    for (account, site) in given {
        sites_of.entry(account).or_default().push(site);
    }
    let mut rows: Vec<MemberRow> = rows
        .into_iter()
        .map(|(member, account)| MemberRow {
            sites: if member.all_sites {
                Vec::new()
            } else {
                sites_of.remove(&member.owner_id).unwrap_or_default()
            },
            member,
            account,
        })
        .collect();
    rows.sort_by_key(|row| row.member.role != Role::Owner);
    Ok(rows)
}

/// How many members the workspace has.
pub fn count(conn: &mut DbConnection, workspace: WorkspaceId) -> Result<i64, DbError> {
    Ok(members::table
        .filter(members::workspace_id.eq(workspace))
        .count()
        .get_result(conn)?)
}

/// The owner's account of the workspace.
pub fn owner_of(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
) -> Result<Option<OwnerId>, DbError> {
    Ok(members::table
        .filter(members::workspace_id.eq(workspace))
        .filter(members::role.eq(Role::Owner))
        .select(members::owner_id)
        .first(conn)
        .optional()?)
}

/// What a change to a member found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    /// No such member.
    Missing,
    /// The member is the owner: only a transfer changes that.
    IsOwner,
    /// A site given is not one of the workspace's.
    ForeignSite,
}

/// Sets a member's role (never to or from owner) and the sites they reach: every site, or
/// exactly `sites` (each of the workspace's).
pub fn change(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
    account: OwnerId,
    role: Role,
    sites_given: Option<&[SiteId]>,
) -> Result<MemberChange, DbError> {
    crate::write_transaction(conn, |conn| {
        let Some(member) = member(conn, workspace, account)? else {
            return Ok(MemberChange::Missing);
        };
        if member.role == Role::Owner || role == Role::Owner {
            return Ok(MemberChange::IsOwner);
        }
        if let Some(given) = sites_given {
            let ours: i64 = sites::table
                .filter(sites::workspace_id.eq(workspace))
                .filter(sites::id.eq_any(given))
                .count()
                .get_result(conn)?;
            if usize::try_from(ours).unwrap_or(0) != given.len() {
                return Ok(MemberChange::ForeignSite);
            }
        }
        diesel::update(members::table.find((workspace, account)))
            .set((
                members::role.eq(role),
                members::all_sites.eq(sites_given.is_none()),
            ))
            .execute(conn)?;
        diesel::delete(
            member_sites::table
                .filter(member_sites::workspace_id.eq(workspace))
                .filter(member_sites::owner_id.eq(account)),
        )
        .execute(conn)?;
        for site in sites_given.unwrap_or_default() {
            diesel::insert_into(member_sites::table)
                .values((
                    member_sites::workspace_id.eq(workspace),
                    member_sites::owner_id.eq(account),
                    member_sites::site_id.eq(site),
                ))
                .execute(conn)?;
        }
        Ok(MemberChange::Done)
    })
}

/// Removes a member (never the owner), with the API tokens they made for the workspace:
/// a token acts for its maker and ends with their membership.
pub fn remove(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
    account: OwnerId,
) -> Result<MemberChange, DbError> {
    crate::write_transaction(conn, |conn| {
        let Some(member) = member(conn, workspace, account)? else {
            return Ok(MemberChange::Missing);
        };
        if member.role == Role::Owner {
            return Ok(MemberChange::IsOwner);
        }
        diesel::delete(
            api_tokens::table
                .filter(api_tokens::workspace_id.eq(workspace))
                .filter(api_tokens::owner_id.eq(account)),
        )
        .execute(conn)?;
        diesel::delete(members::table.find((workspace, account))).execute(conn)?;
        Ok(MemberChange::Done)
    })
}

/// Makes member `to` the owner and the owner `from` an admin, and moves the sites'
/// `owner_id` (which carries the account-deletion cascade) to the new owner.
pub fn transfer(
    conn: &mut DbConnection,
    workspace: WorkspaceId,
    from: OwnerId,
    to: OwnerId,
) -> Result<MemberChange, DbError> {
    crate::write_transaction(conn, |conn| {
        if member(conn, workspace, to)?.is_none() {
            return Ok(MemberChange::Missing);
        }
        diesel::update(members::table.find((workspace, from)))
            .set((members::role.eq(Role::Admin), members::all_sites.eq(true)))
            .execute(conn)?;
        diesel::update(members::table.find((workspace, to)))
            .set((members::role.eq(Role::Owner), members::all_sites.eq(true)))
            .execute(conn)?;
        diesel::delete(
            member_sites::table
                .filter(member_sites::workspace_id.eq(workspace))
                .filter(member_sites::owner_id.eq(to)),
        )
        .execute(conn)?;
        diesel::update(sites::table.filter(sites::workspace_id.eq(workspace)))
            .set(sites::owner_id.eq(to))
            .execute(conn)?;
        Ok(MemberChange::Done)
    })
}

/// The workspaces `account` owns, with how many members each has.
pub fn owned_by(
    conn: &mut DbConnection,
    account: OwnerId,
) -> Result<Vec<(WorkspaceId, i64)>, DbError> {
    let owned: Vec<WorkspaceId> = members::table
        .filter(members::owner_id.eq(account))
        .filter(members::role.eq(Role::Owner))
        .select(members::workspace_id)
        .load(conn)?;
    owned
        .into_iter()
        .map(|id| Ok((id, count(conn, id)?)))
        .collect()
}
