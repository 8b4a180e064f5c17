//! Reading a whole workspace page by page, so an export streams in bounded memory.

use diesel::prelude::*;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};

use crate::models::{Room, StoredMessage, Visitor};
use crate::schema::{messages, rooms, visitors};
use crate::{DbConnection, DbError};

/// Up to `limit` of the site's visitors with an id above `after`, by id.
pub fn visitors_after(
    conn: &mut DbConnection,
    site: SiteId,
    after: Option<VisitorId>,
    limit: i64,
) -> Result<Vec<Visitor>, DbError> {
    let mut query = visitors::table
        .filter(visitors::site_id.eq(site))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(visitors::id.gt(after));
    }
    Ok(query
        .order(visitors::id.asc())
        .limit(limit)
        .select(Visitor::as_select())
        .load(conn)?)
}

/// Up to `limit` of the site's rooms with an id above `after`, by id.
pub fn rooms_after(
    conn: &mut DbConnection,
    site: SiteId,
    after: Option<RoomId>,
    limit: i64,
) -> Result<Vec<Room>, DbError> {
    let mut query = rooms::table.filter(rooms::site_id.eq(site)).into_boxed();
    if let Some(after) = after {
        query = query.filter(rooms::id.gt(after));
    }
    Ok(query
        .order(rooms::id.asc())
        .limit(limit)
        .select(Room::as_select())
        .load(conn)?)
}

/// Up to `limit` of the room's messages with a seq above `after`, oldest first.
pub fn messages_after(
    conn: &mut DbConnection,
    room: RoomId,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredMessage>, DbError> {
    Ok(messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::seq.gt(after))
        .order(messages::seq.asc())
        .limit(limit)
        .select(StoredMessage::as_select())
        .load(conn)?)
}
