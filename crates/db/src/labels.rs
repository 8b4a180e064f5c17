//! Labels on conversations (`room_labels`): free-form tags members put on a room, checked
//! and lower-cased by the server before they reach here.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::ids::{RoomId, SiteId};

use crate::schema::room_labels;
use crate::{DbConnection, DbError};

/// A label in use on a site, and on how many of its conversations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelUse {
    pub label: String,
    pub rooms: i64,
}

/// Replaces a room's labels with `labels` (checked, no repeats); whether they changed.
/// One transaction: a reader sees the old set or the new one, never a mix.
pub fn set(
    conn: &mut DbConnection,
    site: SiteId,
    room: RoomId,
    labels: &[String],
    now: i64,
) -> Result<bool, DbError> {
    crate::write_transaction(conn, |conn| {
        let removed = diesel::delete(
            room_labels::table
                .filter(room_labels::room_id.eq(room))
                .filter(room_labels::label.ne_all(labels)),
        )
        .execute(conn)?;
        let held = of_room(conn, room)?;
        let mut added = 0;
        for label in labels.iter().filter(|l| !held.contains(l)) {
            added += diesel::insert_into(room_labels::table)
                .values((
                    room_labels::room_id.eq(room),
                    room_labels::site_id.eq(site),
                    room_labels::label.eq(label),
                    room_labels::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(removed + added > 0)
    })
}

/// One room's labels, sorted.
pub fn of_room(conn: &mut DbConnection, room: RoomId) -> Result<Vec<String>, DbError> {
    let mut labels: Vec<String> = room_labels::table
        .filter(room_labels::room_id.eq(room))
        .select(room_labels::label)
        .load(conn)?;
    // By code point, in Rust: a backend's collation (PostgreSQL's locale) could order
    // otherwise, and every view of a set must read the same.
    labels.sort();
    Ok(labels)
}

/// The labels of each of `rooms` (sorted; a room without labels is absent).
pub fn of_rooms(
    conn: &mut DbConnection,
    rooms: &[RoomId],
) -> Result<BTreeMap<RoomId, Vec<String>>, DbError> {
    let rows: Vec<(RoomId, String)> = room_labels::table
        .filter(room_labels::room_id.eq_any(rooms))
        .select((room_labels::room_id, room_labels::label))
        .load(conn)?;
    let mut by_room: BTreeMap<RoomId, Vec<String>> = BTreeMap::new();
    for (room, label) in rows {
        by_room.entry(room).or_default().push(label);
    }
    for labels in by_room.values_mut() {
        labels.sort();
    }
    Ok(by_room)
}

/// The labels in use on a site's conversations, most used first (then by name), at most
/// `limit`.
pub fn of_site(
    conn: &mut DbConnection,
    site: SiteId,
    limit: i64,
) -> Result<Vec<LabelUse>, DbError> {
    let count = diesel::dsl::count_star();
    let rows: Vec<(String, i64)> = room_labels::table
        .filter(room_labels::site_id.eq(site))
        .group_by(room_labels::label)
        .select((room_labels::label, count))
        .order((count.desc(), room_labels::label.asc()))
        .limit(limit)
        .load(conn)?;
    let mut uses: Vec<LabelUse> = rows
        .into_iter()
        .map(|(label, rooms)| LabelUse { label, rooms })
        .collect();
    uses.sort_by(|a, b| b.rooms.cmp(&a.rooms).then_with(|| a.label.cmp(&b.label)));
    Ok(uses)
}
