//! Everything SQL holds on one visitor, to hand it over (export) or to delete it (erase).

use diesel::prelude::*;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};
use pintalk_core::protocol::ParticipantKind;

use crate::models::{DueNotification, Room, StoredMessage, Visitor};
use crate::schema::{messages, notifications_due, read_cursors, rooms, visitors};
use crate::{DbConnection, DbError, retention};

/// A visitor's data: their row, their conversations with every message, their read
/// cursors and the notification rows scheduled about their conversations.
#[derive(Clone, Debug)]
pub struct VisitorData {
    pub visitor: Visitor,
    /// The page they left their email on (the away state), if they did.
    pub page_url: Option<String>,
    pub rooms: Vec<(Room, Vec<StoredMessage>)>,
    /// (room, seq read up to, when).
    pub reads: Vec<(RoomId, i64, i64)>,
    pub notifications: Vec<DueNotification>,
    /// The site's own user id for them, when its server verified them.
    pub verified: Option<crate::models::VerifiedVisitor>,
    /// What their widget last reported about them.
    pub context: Option<crate::visitor_contexts::VisitorContext>,
}

/// The visitor of `site` with all their data, or `None` if there is no such visitor.
pub fn export(
    conn: &mut DbConnection,
    site: SiteId,
    id: VisitorId,
) -> Result<Option<VisitorData>, DbError> {
    conn.transaction(|conn| {
        let Some(visitor) = crate::visitors::find(conn, site, id)? else {
            return Ok(None);
        };
        let page_url: Option<String> = visitors::table
            .find(id)
            .select(visitors::page_url)
            .first(conn)?;
        let their_rooms: Vec<Room> = rooms::table
            .filter(rooms::visitor_id.eq(id))
            .order(rooms::id.asc())
            .select(Room::as_select())
            .load(conn)?;
        let ids: Vec<RoomId> = their_rooms.iter().map(|r| r.id).collect();
        // The visitor's own copy: internal notes are the team's, never the visitor's.
        let mut all: Vec<StoredMessage> = messages::table
            .filter(messages::room_id.eq_any(&ids))
            .filter(messages::note.eq(false))
            .order((messages::room_id.asc(), messages::seq.asc()))
            .select(StoredMessage::as_select())
            .load(conn)?;
        let rooms = their_rooms
            .into_iter()
            .map(|room| {
                let (mine, rest) = all.drain(..).partition(|m| m.room_id == room.id);
                all = rest;
                (room, mine)
            })
            .collect();
        let reads = read_cursors::table
            .filter(read_cursors::room_id.eq_any(&ids))
            .filter(read_cursors::reader_kind.eq(ParticipantKind::Visitor))
            .filter(read_cursors::reader_id.eq(id.to_string()))
            .select((
                read_cursors::room_id,
                read_cursors::seq,
                read_cursors::updated_at,
            ))
            .load(conn)?;
        let notifications = notifications_due::table
            .filter(notifications_due::room_id.eq_any(&ids))
            .select(DueNotification::as_select())
            .load(conn)?;
        let verified = crate::identities::of_visitor(conn, id)?;
        let context = crate::visitor_contexts::of_visitors(conn, &[id])?.remove(&id);
        Ok(Some(VisitorData {
            visitor,
            page_url,
            rooms,
            reads,
            notifications,
            verified,
            context,
        }))
    })
}

/// Deletes the visitor of `site` and all their data (rooms, messages, cursors,
/// notification rows and search terms cascade; webhook deliveries quoting their rooms go
/// too); their rooms, for the bus to forget, or `None` if there was no such visitor.
pub fn erase(
    conn: &mut DbConnection,
    site: SiteId,
    id: VisitorId,
) -> Result<Option<Vec<RoomId>>, DbError> {
    crate::write_transaction(conn, |conn| {
        let rooms: Vec<RoomId> = rooms::table
            .filter(rooms::visitor_id.eq(id))
            .filter(rooms::site_id.eq(site))
            .select(rooms::id)
            .load(conn)?;
        retention::forget_deliveries(conn, site, &rooms)?;
        let deleted = diesel::delete(visitors::table.find(id).filter(visitors::site_id.eq(site)))
            .execute(conn)?;
        Ok((deleted > 0).then_some(rooms))
    })
}
