//! Conversations. Lookups for owners go through the site's owner, so another owner's room
//! is simply not found.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, RoomId, SiteId, VisitorId};

use crate::models::{Room, StoredMessage, Visitor};
use crate::schema::{messages, read_cursors, rooms, sites, visitors};
use crate::{DbConnection, DbError};

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

pub fn insert(conn: &mut DbConnection, room: Room) -> Result<(), DbError> {
    diesel::insert_into(rooms::table)
        .values(room)
        .execute(conn)?;
    Ok(())
}

/// The visitor's conversation (the latest, if there were several).
pub fn latest_for_visitor(
    conn: &mut DbConnection,
    visitor: VisitorId,
) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .filter(rooms::visitor_id.eq(visitor.to_string()))
        .order(rooms::id.desc())
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: RoomId) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .find(id.to_string())
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

/// The room if it belongs to one of `owner`'s sites.
pub fn find_for_owner(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: RoomId,
) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .inner_join(sites::table)
        .filter(rooms::id.eq(id.to_string()))
        .filter(sites::owner_id.eq(owner.to_string()))
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

/// One row of a site's inbox.
#[derive(Clone, Debug)]
pub struct InboxRow {
    pub room: Room,
    pub visitor: Visitor,
    pub last_message: Option<StoredMessage>,
    /// The owner's read cursor in the room.
    pub read_seq: i64,
    /// The visitor's read cursor: the owner's messages up to it were seen.
    pub visitor_read_seq: i64,
}

/// Where a page of the inbox starts: rooms updated before this, newest first.
#[derive(Clone, Copy, Debug)]
pub struct InboxCursor {
    pub updated_at: i64,
    pub id: RoomId,
}

/// A page of the site's conversations that have messages, most recently active first.
pub fn inbox(
    conn: &mut DbConnection,
    site: SiteId,
    owner: OwnerId,
    status: Option<&str>,
    after: Option<InboxCursor>,
    limit: i64,
) -> Result<Vec<InboxRow>, DbError> {
    let mut query = rooms::table
        .inner_join(visitors::table)
        .filter(rooms::site_id.eq(site.to_string()))
        .filter(rooms::last_seq.gt(0))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(rooms::status.eq(status.to_owned()));
    }
    if let Some(cursor) = after {
        query = query.filter(
            rooms::updated_at.lt(cursor.updated_at).or(rooms::updated_at
                .eq(cursor.updated_at)
                .and(rooms::id.lt(cursor.id.to_string()))),
        );
    }
    let page: Vec<(Room, Visitor)> = query
        .order((rooms::updated_at.desc(), rooms::id.desc()))
        .limit(limit)
        .select((Room::as_select(), Visitor::as_select()))
        .load(conn)?;
    page.into_iter()
        .map(|(room, visitor)| decorate(conn, room, visitor, owner))
        .collect()
}

/// One room of one of `owner`'s sites, as an inbox row.
pub fn inbox_row(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: RoomId,
) -> Result<Option<InboxRow>, DbError> {
    let found: Option<(Room, Visitor)> = rooms::table
        .inner_join(visitors::table)
        .inner_join(sites::table)
        .filter(rooms::id.eq(id.to_string()))
        .filter(sites::owner_id.eq(owner.to_string()))
        .select((Room::as_select(), Visitor::as_select()))
        .first(conn)
        .optional()?;
    found
        .map(|(room, visitor)| decorate(conn, room, visitor, owner))
        .transpose()
}

/// Adds a room's last message and the read cursors of the owner and the visitor.
fn decorate(
    conn: &mut DbConnection,
    room: Room,
    visitor: Visitor,
    owner: OwnerId,
) -> Result<InboxRow, DbError> {
    let last_message = messages::table
        .filter(messages::room_id.eq(room.id.to_string()))
        .filter(messages::seq.eq(room.last_seq))
        .select(StoredMessage::as_select())
        .first(conn)
        .optional()?;
    let read_seq = cursor(conn, room.id, "owner", &owner.to_string())?;
    let visitor_read_seq = cursor(conn, room.id, "visitor", &visitor.id.to_string())?;
    Ok(InboxRow {
        room,
        visitor,
        last_message,
        read_seq,
        visitor_read_seq,
    })
}

/// How far a reader has read a room (0 if never).
fn cursor(conn: &mut DbConnection, room: RoomId, kind: &str, reader: &str) -> Result<i64, DbError> {
    Ok(read_cursors::table
        .filter(read_cursors::room_id.eq(room.to_string()))
        .filter(read_cursors::reader_kind.eq(kind))
        .filter(read_cursors::reader_id.eq(reader))
        .select(read_cursors::seq)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Opens or closes a room; returns whether it changed.
pub fn set_status(conn: &mut DbConnection, id: RoomId, status: &str) -> Result<bool, DbError> {
    let now = now_ms();
    let closed_at = (status == CLOSED).then_some(now);
    let changed = diesel::update(
        rooms::table
            .find(id.to_string())
            .filter(rooms::status.ne(status)),
    )
    .set((
        rooms::status.eq(status),
        rooms::closed_at.eq(closed_at),
        rooms::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Deletes the room with its messages and read cursors.
pub fn delete(conn: &mut DbConnection, id: RoomId) -> Result<(), DbError> {
    diesel::delete(rooms::table.find(id.to_string())).execute(conn)?;
    Ok(())
}
