//! Visitors of a site.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{SiteId, VisitorId};

use crate::models::Visitor;
use crate::schema::visitors;
use crate::{DbConnection, DbError};

pub fn insert(conn: &mut DbConnection, visitor: Visitor) -> Result<(), DbError> {
    diesel::insert_into(visitors::table)
        .values(visitor)
        .execute(conn)?;
    Ok(())
}

/// The visitor of `site` with this id, if any.
pub fn find(
    conn: &mut DbConnection,
    site: SiteId,
    id: VisitorId,
) -> Result<Option<Visitor>, DbError> {
    Ok(visitors::table
        .find(id)
        .filter(visitors::site_id.eq(site))
        .select(Visitor::as_select())
        .first(conn)
        .optional()?)
}

pub fn touch(conn: &mut DbConnection, id: VisitorId) -> Result<(), DbError> {
    diesel::update(visitors::table.find(id))
        .set(visitors::last_seen_at.eq(now_ms()))
        .execute(conn)?;
    Ok(())
}

/// Blocks the visitor (idempotent).
pub fn block(conn: &mut DbConnection, id: VisitorId) -> Result<(), DbError> {
    diesel::update(
        visitors::table
            .find(id)
            .filter(visitors::blocked_at.is_null()),
    )
    .set(visitors::blocked_at.eq(now_ms()))
    .execute(conn)?;
    Ok(())
}

/// Records the name and email a visitor gave (the widget's `identify`); `None` keeps
/// what was there.
pub fn identify(
    conn: &mut DbConnection,
    id: VisitorId,
    name: Option<String>,
    email: Option<String>,
) -> Result<(), DbError> {
    if let Some(name) = name {
        diesel::update(visitors::table.find(id))
            .set(visitors::name.eq(name))
            .execute(conn)?;
    }
    if let Some(email) = email {
        diesel::update(visitors::table.find(id))
            .set(visitors::email.eq(email))
            .execute(conn)?;
    }
    Ok(())
}
