//! Persisted messages and read cursors, and the persister's batch write.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::RoomId;

use crate::backend;
use crate::models::StoredMessage;
use crate::rooms::{self, CLOSED, OPEN};
use crate::schema::{messages, rooms as rooms_table};
use crate::{DbConnection, DbError};

/// Up to `limit` messages of `room` with seq below `before` (all if `None`), oldest first.
pub fn page(
    conn: &mut DbConnection,
    room: RoomId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<StoredMessage>, DbError> {
    let mut newest_first: Vec<StoredMessage> = messages::table
        .filter(messages::room_id.eq(room.to_string()))
        .filter(messages::seq.lt(before.unwrap_or(i64::MAX)))
        .order(messages::seq.desc())
        .limit(limit)
        .select(StoredMessage::as_select())
        .load(conn)?;
    newest_first.reverse();
    Ok(newest_first)
}

/// The highest persisted seq of a room (0 for none): what its counter is seeded from.
pub fn max_seq(conn: &mut DbConnection, room: RoomId) -> Result<i64, DbError> {
    let max: Option<i64> = messages::table
        .filter(messages::room_id.eq(room.to_string()))
        .select(diesel::dsl::max(messages::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// A read cursor to move forward.
#[derive(Clone, Debug)]
pub struct ReadCursor {
    pub room: RoomId,
    pub reader_kind: String,
    pub reader_id: String,
    pub seq: i64,
    pub updated_at: i64,
}

/// What one persister batch holds.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub messages: Vec<StoredMessage>,
    pub reads: Vec<ReadCursor>,
}

/// What a batch changed, for the room events the persister announces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rooms whose first message this batch stored.
    pub started: Vec<RoomId>,
    /// Closed rooms a visitor wrote in again, now open.
    pub reopened: Vec<RoomId>,
}

/// Writes a batch in one transaction, idempotently: a message already stored (same room
/// and seq) is skipped, cursors only move forward, so replaying a batch changes nothing.
pub fn persist(conn: &mut DbConnection, batch: &Batch) -> Result<Applied, DbError> {
    conn.transaction(|conn| {
        backend::insert_messages_ignoring_duplicates(conn, &batch.messages)?;
        // Per room: the highest seq, and the time of the latest visitor message.
        let mut highest: BTreeMap<RoomId, (i64, Option<i64>)> = BTreeMap::new();
        for m in &batch.messages {
            let entry = highest.entry(m.room_id).or_insert((0, None));
            entry.0 = entry.0.max(m.seq);
            if m.sender_kind == "visitor" {
                entry.1 = entry.1.max(Some(m.created_at));
            }
        }
        let mut applied = Applied::default();
        let now = now_ms();
        for (&room, &(seq, visitor_wrote_at)) in &highest {
            diesel::update(
                rooms_table::table
                    .find(room.to_string())
                    .filter(rooms_table::last_seq.lt(seq)),
            )
            .set((
                rooms_table::last_seq.eq(seq),
                rooms_table::updated_at.eq(now),
            ))
            .execute(conn)?;
            if batch
                .messages
                .iter()
                .any(|m| m.room_id == room && m.seq == 1)
            {
                applied.started.push(room);
            }
            // A visitor writing after the room was closed reopens it; a message written
            // before the close (and persisted after it) does not.
            let closed_at: Option<Option<i64>> = rooms_table::table
                .find(room.to_string())
                .filter(rooms_table::status.eq(CLOSED))
                .select(rooms_table::closed_at)
                .first(conn)
                .optional()?;
            let reopens = match (closed_at, visitor_wrote_at) {
                (Some(closed_at), Some(wrote_at)) => closed_at.is_none_or(|c| wrote_at > c),
                _ => false,
            };
            if reopens && rooms::set_status(conn, room, OPEN)? {
                applied.reopened.push(room);
            }
        }
        for cursor in &batch.reads {
            backend::advance_read_cursor(conn, cursor)?;
        }
        Ok(applied)
    })
}
