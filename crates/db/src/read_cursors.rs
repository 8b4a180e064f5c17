//! Read cursors as a room's participants look them up: how far one reader has read, and
//! how far any reader of a kind has (the persister moves them, `messages::persist`).

use diesel::prelude::*;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::ParticipantKind;

use crate::schema::read_cursors;
use crate::{DbConnection, DbError};

/// The seq `reader` has read `room` up to (0 before their first read or message).
pub fn seq_of(
    conn: &mut DbConnection,
    room: RoomId,
    kind: ParticipantKind,
    reader: &str,
) -> Result<i64, DbError> {
    let seq: Option<i64> = read_cursors::table
        .filter(read_cursors::room_id.eq(room))
        .filter(read_cursors::reader_kind.eq(kind))
        .filter(read_cursors::reader_id.eq(reader))
        .select(read_cursors::seq)
        .first(conn)
        .optional()?;
    Ok(seq.unwrap_or(0))
}

/// The furthest any reader of `kind` has read `room` (for a visitor: how far the site's
/// owners have seen their messages).
pub fn furthest_of(
    conn: &mut DbConnection,
    room: RoomId,
    kind: ParticipantKind,
) -> Result<i64, DbError> {
    let seq: Option<i64> = read_cursors::table
        .filter(read_cursors::room_id.eq(room))
        .filter(read_cursors::reader_kind.eq(kind))
        .select(diesel::dsl::max(read_cursors::seq))
        .first(conn)?;
    Ok(seq.unwrap_or(0))
}
