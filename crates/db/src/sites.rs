//! Sites. The lookups a member makes are scoped to the sites they were granted (see
//! [`crate::workspaces::grants`]), so another workspace's site is simply not found.

use diesel::prelude::*;
use pintalk_core::ids::{SiteId, WorkspaceId};

use crate::models::{Site, SiteChange};
use crate::schema::{owners, sites};
use crate::{DbConnection, DbError};

pub fn insert(conn: &mut DbConnection, site: Site) -> Result<(), DbError> {
    diesel::insert_into(sites::table)
        .values(site)
        .execute(conn)?;
    Ok(())
}

pub fn count_in(conn: &mut DbConnection, workspace: WorkspaceId) -> Result<i64, DbError> {
    Ok(sites::table
        .filter(sites::workspace_id.eq(workspace))
        .count()
        .get_result(conn)?)
}

/// The workspace's sites, oldest first.
pub fn of_workspace(conn: &mut DbConnection, workspace: WorkspaceId) -> Result<Vec<Site>, DbError> {
    Ok(sites::table
        .filter(sites::workspace_id.eq(workspace))
        .order(sites::id.asc())
        .select(Site::as_select())
        .load(conn)?)
}

/// The sites among `granted`, oldest first.
pub fn list_in(conn: &mut DbConnection, granted: &[SiteId]) -> Result<Vec<Site>, DbError> {
    Ok(sites::table
        .filter(sites::id.eq_any(granted))
        .order(sites::id.asc())
        .select(Site::as_select())
        .load(conn)?)
}

/// The site with this id, whoever owns it.
pub fn find(conn: &mut DbConnection, id: SiteId) -> Result<Option<Site>, DbError> {
    Ok(sites::table
        .find(id)
        .select(Site::as_select())
        .first(conn)
        .optional()?)
}

/// The site if it is among `granted`.
pub fn find_in(
    conn: &mut DbConnection,
    granted: &[SiteId],
    id: SiteId,
) -> Result<Option<Site>, DbError> {
    if !granted.contains(&id) {
        return Ok(None);
    }
    Ok(sites::table
        .find(id)
        .select(Site::as_select())
        .first(conn)
        .optional()?)
}

/// The site a widget's key names, with whether its workspace's owner verified their
/// email.
pub fn find_by_key(conn: &mut DbConnection, key: &str) -> Result<Option<(Site, bool)>, DbError> {
    Ok(sites::table
        .inner_join(owners::table)
        .filter(sites::site_key.eq(key))
        .select((Site::as_select(), owners::email_verified_at.is_not_null()))
        .first(conn)
        .optional()?)
}

/// Applies `change` to the site if it is among `granted`; returns it as stored, or `None`.
pub fn update(
    conn: &mut DbConnection,
    granted: &[SiteId],
    id: SiteId,
    change: &SiteChange,
) -> Result<Option<Site>, DbError> {
    crate::write_transaction(conn, |conn| {
        let updated = diesel::update(sites::table.find(id).filter(sites::id.eq_any(granted)))
            .set(change)
            .execute(conn)?;
        if updated == 0 {
            return Ok(None);
        }
        find(conn, id)
    })
}

/// Deletes the site if it is among `granted` (cascading to its visitors, rooms and
/// messages); returns whether there was one.
pub fn delete(conn: &mut DbConnection, granted: &[SiteId], id: SiteId) -> Result<bool, DbError> {
    let deleted =
        diesel::delete(sites::table.find(id).filter(sites::id.eq_any(granted))).execute(conn)?;
    Ok(deleted > 0)
}
