//! Conversations. Lookups for owners go through the site's owner, so another owner's room
//! is simply not found.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, RoomId, SiteId, VisitorId};
use pintalk_core::protocol::{ParticipantKind, RoomStatus};

use crate::models::{Room, StoredMessage, Visitor};
use crate::schema::{messages, read_cursors, rooms, sites, visitors};
use crate::{DbConnection, DbError};

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
        .filter(rooms::visitor_id.eq(visitor))
        .order(rooms::id.desc())
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: RoomId) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .find(id)
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
        .filter(rooms::id.eq(id))
        .filter(sites::owner_id.eq(owner))
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
    status: Option<RoomStatus>,
    after: Option<InboxCursor>,
    limit: i64,
) -> Result<Vec<InboxRow>, DbError> {
    let mut query = rooms::table
        .inner_join(visitors::table)
        .left_join(last_message())
        .filter(rooms::site_id.eq(site))
        .filter(rooms::last_seq.gt(0))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(rooms::status.eq(status));
    }
    if let Some(cursor) = after {
        query = query.filter(
            rooms::updated_at.lt(cursor.updated_at).or(rooms::updated_at
                .eq(cursor.updated_at)
                .and(rooms::id.lt(cursor.id))),
        );
    }
    let page: Vec<(Room, Visitor, Option<StoredMessage>)> = query
        .order((rooms::updated_at.desc(), rooms::id.desc()))
        .limit(limit)
        .select((
            Room::as_select(),
            Visitor::as_select(),
            messages::all_columns.nullable(),
        ))
        .load(conn)?;
    with_cursors(conn, page, owner)
}

/// One room of one of `owner`'s sites, as an inbox row.
pub fn inbox_row(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: RoomId,
) -> Result<Option<InboxRow>, DbError> {
    let found: Vec<(Room, Visitor, Option<StoredMessage>)> = rooms::table
        .inner_join(visitors::table)
        .inner_join(sites::table)
        .left_join(last_message())
        .filter(rooms::id.eq(id))
        .filter(sites::owner_id.eq(owner))
        .select((
            Room::as_select(),
            Visitor::as_select(),
            messages::all_columns.nullable(),
        ))
        .load(conn)?;
    Ok(with_cursors(conn, found, owner)?.pop())
}

/// A room's message at its `last_seq`.
type IsLastMessage = diesel::dsl::And<
    diesel::dsl::Eq<messages::room_id, rooms::id>,
    diesel::dsl::Eq<messages::seq, rooms::last_seq>,
>;

/// The join that brings a room's last message.
fn last_message() -> diesel::helper_types::On<messages::table, IsLastMessage> {
    messages::table.on(messages::room_id
        .eq(rooms::id)
        .and(messages::seq.eq(rooms::last_seq)))
}

/// Adds the read cursors of the owner and each visitor: one query for the whole page.
fn with_cursors(
    conn: &mut DbConnection,
    page: Vec<(Room, Visitor, Option<StoredMessage>)>,
    owner: OwnerId,
) -> Result<Vec<InboxRow>, DbError> {
    let ids: Vec<RoomId> = page.iter().map(|(room, ..)| room.id).collect();
    let cursors: Vec<(RoomId, ParticipantKind, String, i64)> = if ids.is_empty() {
        Vec::new()
    } else {
        read_cursors::table
            .filter(read_cursors::room_id.eq_any(&ids))
            .select((
                read_cursors::room_id,
                read_cursors::reader_kind,
                read_cursors::reader_id,
                read_cursors::seq,
            ))
            .load(conn)?
    };
    let owner = owner.to_string();
    let read = |room: RoomId, kind: ParticipantKind, reader: &str| {
        cursors
            .iter()
            .find(|(r, k, id, _)| *r == room && *k == kind && id == reader)
            .map_or(0, |c| c.3)
    };
    Ok(page
        .into_iter()
        .map(|(room, visitor, last_message)| InboxRow {
            read_seq: read(room.id, ParticipantKind::Owner, &owner),
            visitor_read_seq: read(room.id, ParticipantKind::Visitor, &visitor.id.to_string()),
            room,
            visitor,
            last_message,
        })
        .collect())
}

/// Opens or closes a room; returns whether it changed.
pub fn set_status(
    conn: &mut DbConnection,
    id: RoomId,
    status: RoomStatus,
) -> Result<bool, DbError> {
    let now = now_ms();
    let closed_at = (status == RoomStatus::Closed).then_some(now);
    let changed = diesel::update(rooms::table.find(id).filter(rooms::status.ne(status)))
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
    diesel::delete(rooms::table.find(id)).execute(conn)?;
    Ok(())
}

/// A room with who may write in it: its site's owner (id, name) and its visitor's name.
pub type RoomParticipants = (Room, OwnerId, String, Option<String>);

/// Who may write in a room besides a socket, with the room itself; `None` if there is no
/// such room.
pub fn with_participants(
    conn: &mut DbConnection,
    id: RoomId,
) -> Result<Option<RoomParticipants>, DbError> {
    Ok(rooms::table
        .inner_join(visitors::table)
        .inner_join(sites::table.inner_join(crate::schema::owners::table))
        .filter(rooms::id.eq(id))
        .select((
            Room::as_select(),
            crate::schema::owners::id,
            crate::schema::owners::name,
            visitors::name,
        ))
        .first(conn)
        .optional()?)
}
