//! Visitors of a site.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};

use crate::models::Visitor;
use crate::schema::{rooms, visitors};
use crate::search;
use crate::{DbConnection, DbError};

pub fn insert(conn: &mut DbConnection, visitor: Visitor) -> Result<(), DbError> {
    let (id, site) = (visitor.id, visitor.site_id);
    let (name, email) = (visitor.name.clone(), visitor.email.clone());
    diesel::insert_into(visitors::table)
        .values(visitor)
        .execute(conn)?;
    if name.is_some() || email.is_some() {
        search::index_visitor(conn, site, id, name.as_deref(), email.as_deref())?;
    }
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

/// Lets a blocked visitor start sessions again (idempotent).
pub fn unblock(conn: &mut DbConnection, id: VisitorId) -> Result<(), DbError> {
    diesel::update(visitors::table.find(id))
        .set(visitors::blocked_at.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// Where a page of blocked visitors continues: after this block time and visitor id.
#[derive(Clone, Copy, Debug)]
pub struct BlockedCursor {
    pub blocked_at: i64,
    pub id: VisitorId,
}

/// A blocked visitor with their latest conversation.
#[derive(Clone, Debug)]
pub struct BlockedVisitor {
    pub visitor: Visitor,
    pub room: Option<RoomId>,
}

/// Up to `limit` of the site's blocked visitors, the most recently blocked first.
pub fn blocked(
    conn: &mut DbConnection,
    site: SiteId,
    after: Option<BlockedCursor>,
    limit: i64,
) -> Result<Vec<BlockedVisitor>, DbError> {
    let mut query = visitors::table
        .filter(visitors::site_id.eq(site))
        .filter(visitors::blocked_at.is_not_null())
        .into_boxed();
    if let Some(c) = after {
        query = query.filter(
            visitors::blocked_at
                .lt(c.blocked_at)
                .or(visitors::blocked_at
                    .eq(c.blocked_at)
                    .and(visitors::id.lt(c.id))),
        );
    }
    let found: Vec<Visitor> = query
        .order((visitors::blocked_at.desc(), visitors::id.desc()))
        .limit(limit)
        .select(Visitor::as_select())
        .load(conn)?;
    let ids: Vec<VisitorId> = found.iter().map(|v| v.id).collect();
    // Ids are time-ordered, so the greatest is each visitor's latest conversation.
    let rooms: Vec<(VisitorId, RoomId)> = rooms::table
        .filter(rooms::visitor_id.eq_any(&ids))
        .order(rooms::id.asc())
        .select((rooms::visitor_id, rooms::id))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|visitor| {
            let room = rooms
                .iter()
                .rev()
                .find(|(v, _)| *v == visitor.id)
                .map(|(_, r)| *r);
            BlockedVisitor { visitor, room }
        })
        .collect())
}

/// Records the name and email a visitor gave (the widget's `identify`); `None` keeps
/// what was there. The search index follows.
pub fn identify(
    conn: &mut DbConnection,
    id: VisitorId,
    name: Option<String>,
    email: Option<String>,
) -> Result<(), DbError> {
    if name.is_none() && email.is_none() {
        return Ok(());
    }
    crate::write_transaction(conn, |conn| {
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
        let now: Option<(SiteId, Option<String>, Option<String>)> = visitors::table
            .find(id)
            .select((visitors::site_id, visitors::name, visitors::email))
            .first(conn)
            .optional()?;
        if let Some((site, name, email)) = now {
            search::index_visitor(conn, site, id, name.as_deref(), email.as_deref())?;
        }
        Ok(())
    })
}

/// Records the email a visitor left in the widget, and the page they left it on (a
/// mail's link reopens the chat there). The search index follows.
pub fn leave_email(
    conn: &mut DbConnection,
    id: VisitorId,
    email: String,
    page_url: Option<String>,
) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::update(visitors::table.find(id))
            .set(visitors::page_url.eq(page_url))
            .execute(conn)?;
        identify(conn, id, None, Some(email))
    })
}

/// Replaces a visitor's secret (a mail's link opened their chat in another browser): the
/// new one is the browser's to keep.
pub fn replace_secret(
    conn: &mut DbConnection,
    id: VisitorId,
    secret_hash: String,
) -> Result<(), DbError> {
    diesel::update(visitors::table.find(id))
        .set(visitors::secret_hash.eq(secret_hash))
        .execute(conn)?;
    Ok(())
}
