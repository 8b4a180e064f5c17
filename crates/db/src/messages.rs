//! Persisted messages and read cursors, and the persister's batch write.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::domain::Recipient;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::{ParticipantKind, RoomStatus};

use crate::backend;
use crate::models::StoredMessage;
use crate::schema::{messages, rooms as rooms_table};
use crate::search;
use crate::{DbConnection, DbError};
use crate::{notifications, rooms, webhooks};

/// Who a page of history is for: members see internal notes; a visitor never does, nor
/// does a transcript (the conversation as the visitor had it), whoever asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Members,
    Visitor,
}

impl Audience {
    /// Whether internal notes are for this audience's eyes.
    pub fn sees_notes(self) -> bool {
        self == Audience::Members
    }
}

/// Up to `limit` messages of `room` with seq below `before` (all if `None`) that
/// `audience` may see, oldest first.
pub fn page(
    conn: &mut DbConnection,
    room: RoomId,
    before: Option<i64>,
    limit: i64,
    audience: Audience,
) -> Result<Vec<StoredMessage>, DbError> {
    let mut query = messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::seq.lt(before.unwrap_or(i64::MAX)))
        .into_boxed();
    if !audience.sees_notes() {
        query = query.filter(messages::note.eq(false));
    }
    let mut newest_first: Vec<StoredMessage> = query
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
        .filter(messages::room_id.eq(room))
        .select(diesel::dsl::max(messages::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// The latest `limit` messages of `room` written at or after `since` (UTC ms), newest
/// first: whose `cid`s a seed gives back to the bus for de-duplication.
pub fn latest(
    conn: &mut DbConnection,
    room: RoomId,
    since: i64,
    limit: i64,
) -> Result<Vec<StoredMessage>, DbError> {
    Ok(messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::created_at.ge(since))
        .order(messages::seq.desc())
        .limit(limit)
        .select(StoredMessage::as_select())
        .load(conn)?)
}

/// A read cursor to move forward.
#[derive(Clone, Debug)]
pub struct ReadCursor {
    pub room: RoomId,
    pub reader_kind: ParticipantKind,
    pub reader_id: String,
    pub seq: i64,
    pub updated_at: i64,
}

/// What one persister batch holds.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub messages: Vec<StoredMessage>,
    pub reads: Vec<ReadCursor>,
    /// With delays, a message schedules an unread-conversation mail to the other side that
    /// long after it, and a read re-arms a room quiet after a mail to the reader (see
    /// `notifications`); `None` schedules nothing.
    pub notify: Option<NotifyDelays>,
}

/// How long after a message its recipient is mailed (or pushed to), if they have not read
/// it (ms).
#[derive(Clone, Copy, Debug)]
pub struct NotifyDelays {
    /// A visitor message, to the site's owner.
    pub owner_ms: i64,
    /// An owner's message, to a visitor with an email and no socket.
    pub visitor_ms: i64,
    /// A visitor message, to the owner's subscribed browsers; `None`: no push.
    pub push_ms: Option<i64>,
}

impl NotifyDelays {
    /// Who a message of `sender` is told to, and when after it.
    fn recipients(&self, sender: ParticipantKind) -> Vec<(Recipient, i64)> {
        match sender {
            ParticipantKind::Visitor => std::iter::once((Recipient::Owner, self.owner_ms))
                .chain(self.push_ms.map(|ms| (Recipient::OwnerPush, ms)))
                .collect(),
            ParticipantKind::Owner => vec![(Recipient::Visitor, self.visitor_ms)],
        }
    }

    /// How long after a read a room quiet after a mail to the reader may mail again.
    fn of(&self, reader: ParticipantKind) -> i64 {
        match reader {
            ParticipantKind::Owner => self.owner_ms,
            ParticipantKind::Visitor => self.visitor_ms,
        }
    }
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
/// and seq, or the same sender and cid in the room) is skipped, cursors only move
/// forward, so replaying a batch changes nothing.
pub fn persist(conn: &mut DbConnection, batch: &Batch) -> Result<Applied, DbError> {
    crate::write_transaction(conn, |conn| {
        // The rooms the batch names, read first: a message or read of a room deleted
        // meanwhile (by its owner, an erasure or the retention sweeper) is dropped with
        // the room rather than failing the batch on its foreign key for ever.
        let mut ids: Vec<String> = batch
            .messages
            .iter()
            .map(|m| m.room_id)
            .chain(batch.reads.iter().map(|r| r.room))
            .map(|r| r.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        let batch_rooms: Vec<(RoomId, SiteId, RoomStatus, Option<i64>)> = rooms_table::table
            .filter(rooms_table::id.eq_any(&ids))
            .select((
                rooms_table::id,
                rooms_table::site_id,
                rooms_table::status,
                rooms_table::closed_at,
            ))
            .load(conn)?;
        let none_gone = batch_rooms.len() == ids.len();
        let filtered;
        let batch = if none_gone {
            batch
        } else {
            let exists = |room: &RoomId| batch_rooms.iter().any(|(id, ..)| id == room);
            filtered = Batch {
                messages: batch
                    .messages
                    .iter()
                    .filter(|m| exists(&m.room_id))
                    .cloned()
                    .collect(),
                reads: batch
                    .reads
                    .iter()
                    .filter(|r| exists(&r.room))
                    .cloned()
                    .collect(),
                notify: batch.notify,
            };
            &filtered
        };
        backend::insert_messages_ignoring_duplicates(conn, &batch.messages)?;
        // Per room: the highest seq, and the time of the latest visitor message.
        let mut highest: BTreeMap<RoomId, (i64, Option<i64>)> = BTreeMap::new();
        for m in &batch.messages {
            let entry = highest.entry(m.room_id).or_insert((0, None));
            entry.0 = entry.0.max(m.seq);
            if m.sender_kind == ParticipantKind::Visitor {
                entry.1 = entry.1.max(Some(m.created_at));
            }
        }
        let mut applied = Applied::default();
        // One statement and one query for the whole batch, whatever the number of rooms:
        // a busy site's batch spans hundreds of rooms, and a round trip per room was what
        // the database spent its time on.
        raise_last_seqs(conn, &highest)?;
        // Searchable as soon as stored: the terms commit with the messages.
        let site_of = batch_rooms
            .iter()
            .map(|(id, site, ..)| (*id, *site))
            .collect();
        search::index_messages(conn, &batch.messages, &site_of)?;
        applied.started = batch
            .messages
            .iter()
            .filter(|m| m.seq == 1)
            .map(|m| m.room_id)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for (room, _, status, closed_at) in batch_rooms {
            if status != RoomStatus::Closed {
                continue;
            }
            // A visitor writing after the room was closed reopens it; a message written
            // before the close (and persisted after it) does not.
            let reopens = match highest.get(&room) {
                Some((_, Some(wrote_at))) => closed_at.is_none_or(|c| *wrote_at > c),
                _ => false,
            };
            if reopens && rooms::set_status(conn, room, RoomStatus::Open)? {
                applied.reopened.push(room);
            }
        }
        webhooks::queue_batch(conn, &batch.messages, &applied.started, &applied.reopened)?;
        backend::advance_read_cursors(conn, &cursors_of(batch))?;
        if let Some(delays) = batch.notify {
            schedule_notifications(conn, batch, &delays)?;
        }
        Ok(applied)
    })
}

/// A batch's reads re-arm rooms quiet after a mail to the reader, then its messages
/// schedule mails to the other side. Reads first: a message of this same batch, newer
/// than the read, then finds the room re-armed rather than quiet.
fn schedule_notifications(
    conn: &mut DbConnection,
    batch: &Batch,
    delays: &NotifyDelays,
) -> Result<(), DbError> {
    let now = now_ms();
    for reader in [ParticipantKind::Owner, ParticipantKind::Visitor] {
        let rooms: Vec<RoomId> = batch
            .reads
            .iter()
            .filter(|c| c.reader_kind == reader)
            .map(|c| c.room)
            .collect();
        notifications::read(conn, reader, &rooms, now + delays.of(reader))?;
    }
    // Per room and recipient, when the earliest message to tell them of is due, and the
    // seq of the latest.
    let mut due: BTreeMap<(RoomId, Recipient), (i64, i64)> = BTreeMap::new();
    // A note tells nobody: the visitor never sees it, and members see it live.
    for m in batch.messages.iter().filter(|m| !m.note) {
        for (recipient, delay) in delays.recipients(m.sender_kind) {
            let at = m.created_at + delay;
            due.entry((m.room_id, recipient))
                .and_modify(|(first, last)| {
                    *first = (*first).min(at);
                    *last = (*last).max(m.seq);
                })
                .or_insert((at, m.seq));
        }
    }
    let due: Vec<notifications::Due> = due
        .into_iter()
        .map(
            |((room, recipient), (due_at, latest_seq))| notifications::Due {
                room,
                recipient,
                due_at,
                latest_seq,
            },
        )
        .collect();
    notifications::schedule(conn, &due, now)
}

/// The read cursors a batch moves: its `read`s, and each message's sender up to that
/// message (whoever writes has read the room up to their own words, so a message they
/// answered shows as seen, and their own message never counts as unread for them). One
/// cursor per room and reader, at the furthest seq.
fn cursors_of(batch: &Batch) -> Vec<ReadCursor> {
    let senders = batch.messages.iter().map(|m| ReadCursor {
        room: m.room_id,
        reader_kind: m.sender_kind,
        reader_id: m.sender_id.clone(),
        seq: m.seq,
        updated_at: m.created_at,
    });
    let mut furthest: BTreeMap<(RoomId, &'static str, String), ReadCursor> = BTreeMap::new();
    for cursor in batch.reads.iter().cloned().chain(senders) {
        let key = (
            cursor.room,
            cursor.reader_kind.as_str(),
            cursor.reader_id.clone(),
        );
        match furthest.get_mut(&key) {
            Some(held) => {
                held.seq = held.seq.max(cursor.seq);
                held.updated_at = held.updated_at.max(cursor.updated_at);
            }
            None => {
                furthest.insert(key, cursor);
            }
        }
    }
    furthest.into_values().collect()
}

/// How many messages of `room` from a `sender` of this kind have a seq above `after`:
/// what a reader whose cursor is at `after` has not read yet. Internal notes are not
/// counted: this is the visitor's unread badge, and a note is never theirs to read.
pub fn count_after(
    conn: &mut DbConnection,
    room: RoomId,
    sender: ParticipantKind,
    after: i64,
) -> Result<i64, DbError> {
    Ok(messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::seq.gt(after))
        .filter(messages::sender_kind.eq(sender))
        .filter(messages::note.eq(false))
        .count()
        .get_result(conn)?)
}

/// Moves each room's `last_seq` up to the batch's highest (never down) and stamps
/// `updated_at` where it moved — one UPDATE for every room of the batch.
///
/// The values are written into the SQL text rather than bound: a batch's room count
/// varies, and every value is a UUID (hex digits and dashes) or an integer, formatted
/// from typed values, so nothing a client sent reaches the statement. Rows whose
/// `last_seq` would not rise are left out by the WHERE clause, `updated_at` with them.
fn raise_last_seqs(
    conn: &mut DbConnection,
    highest: &BTreeMap<RoomId, (i64, Option<i64>)>,
) -> Result<(), DbError> {
    use std::fmt::Write;
    if highest.is_empty() {
        return Ok(());
    }
    let mut new_seq = String::from("CASE id");
    let mut ids = String::new();
    for (room, (seq, _)) in highest {
        let _ = write!(new_seq, " WHEN '{room}' THEN {seq}");
        let _ = write!(ids, "{}'{room}'", if ids.is_empty() { "" } else { "," });
    }
    new_seq.push_str(" ELSE last_seq END");
    let sql = format!(
        "UPDATE rooms SET updated_at = {now}, last_seq = {new_seq} \
         WHERE id IN ({ids}) AND last_seq < {new_seq}",
        now = now_ms()
    );
    diesel::sql_query(sql).execute(conn)?;
    Ok(())
}
