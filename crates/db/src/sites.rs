//! Sites. Every lookup by id is scoped to its owner, so one owner can never reach
//! another's site: a foreign id is simply not found.

use diesel::prelude::*;
use pintalk_core::ids::{OwnerId, SiteId};

use crate::models::{Site, SiteChange};
use crate::schema::{owners, sites};
use crate::{DbConnection, DbError};

pub fn insert(conn: &mut DbConnection, site: Site) -> Result<(), DbError> {
    diesel::insert_into(sites::table)
        .values(site)
        .execute(conn)?;
    Ok(())
}

pub fn count_for_owner(conn: &mut DbConnection, owner: OwnerId) -> Result<i64, DbError> {
    Ok(sites::table
        .filter(sites::owner_id.eq(owner))
        .count()
        .get_result(conn)?)
}

/// The owner's sites, oldest first.
pub fn list_for_owner(conn: &mut DbConnection, owner: OwnerId) -> Result<Vec<Site>, DbError> {
    Ok(sites::table
        .filter(sites::owner_id.eq(owner))
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

pub fn find_for_owner(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: SiteId,
) -> Result<Option<Site>, DbError> {
    Ok(sites::table
        .find(id)
        .filter(sites::owner_id.eq(owner))
        .select(Site::as_select())
        .first(conn)
        .optional()?)
}

/// The site a widget's key names, with whether its owner verified their email.
pub fn find_by_key(conn: &mut DbConnection, key: &str) -> Result<Option<(Site, bool)>, DbError> {
    Ok(sites::table
        .inner_join(owners::table)
        .filter(sites::site_key.eq(key))
        .select((Site::as_select(), owners::email_verified_at.is_not_null()))
        .first(conn)
        .optional()?)
}

/// Applies `change` to the owner's site; returns it as stored, or `None` if not theirs.
pub fn update(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: SiteId,
    change: &SiteChange,
) -> Result<Option<Site>, DbError> {
    crate::write_transaction(conn, |conn| {
        let updated = diesel::update(sites::table.find(id).filter(sites::owner_id.eq(owner)))
            .set(change)
            .execute(conn)?;
        if updated == 0 {
            return Ok(None);
        }
        find_for_owner(conn, owner, id)
    })
}

/// Deletes the owner's site (cascading to its visitors, rooms and messages); returns
/// whether there was one.
pub fn delete(conn: &mut DbConnection, owner: OwnerId, id: SiteId) -> Result<bool, DbError> {
    let deleted =
        diesel::delete(sites::table.find(id).filter(sites::owner_id.eq(owner))).execute(conn)?;
    Ok(deleted > 0)
}
