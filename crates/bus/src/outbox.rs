//! The outbox: the stream the persister drains into SQL (messages and read cursors), read
//! with a consumer group so a crashed reader's entries are taken over.

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::{Message, Participant, ServerFrame};
use serde::{Deserialize, Serialize};

use crate::BusError;
use crate::fanout::Topic;

/// The outbox is split into this many shards; rooms are spread over them by a stable hash
/// of their id (so a room's entries keep their order), and `max_backlog` is split evenly
/// over them: a shard refuses appends at its share.
pub const SHARDS: u32 = 8;

/// The shard of a room: FNV-1a of its id, stable across processes and versions.
pub fn shard(room: RoomId) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in room.to_string().bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % SHARDS
}

/// What one shard may hold of `max_backlog` (0: unbounded).
pub fn shard_backlog(max_backlog: u64) -> u64 {
    max_backlog.div_ceil(u64::from(SHARDS))
}

/// The room an entry belongs to.
impl OutboxItem {
    pub fn room(&self) -> RoomId {
        match self {
            OutboxItem::Message(m) => m.room,
            OutboxItem::Read { room, .. } => *room,
        }
    }
}

/// What the persister reads from the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxItem {
    /// A message to insert (idempotently, by room and seq).
    Message(Message),
    /// A read cursor to move forward.
    Read {
        room: RoomId,
        reader: Participant,
        seq: i64,
        ts: i64,
    },
}

/// One outbox entry with the id to acknowledge it by.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    pub id: String,
    pub item: OutboxItem,
}

/// The persister's queue, and read cursors on their way to it.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Queues a read cursor for the persister and tells the room and site (a `read`
    /// frame).
    async fn mark_read(
        &self,
        room: RoomId,
        site: SiteId,
        reader: &Participant,
        seq: i64,
    ) -> Result<(), BusError>;

    /// Reads up to `count` new outbox entries for `consumer`, waiting up to `block`.
    async fn outbox_read(
        &self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<OutboxEntry>, BusError>;

    /// Takes over entries another consumer read but did not acknowledge within `min_idle`.
    async fn outbox_claim(
        &self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<OutboxEntry>, BusError>;

    /// Acknowledges persisted entries and removes them.
    async fn outbox_ack(&self, ids: &[String]) -> Result<(), BusError>;

    /// How many entries wait in the outbox (unpersisted), for back-pressure and metrics.
    async fn outbox_backlog(&self) -> Result<u64, BusError>;
}

/// A read receipt as both stores handle it: the outbox item for the persister, the
/// `read` frame's text, and the topics that hear it.
pub fn read_receipt(
    room: RoomId,
    site: SiteId,
    reader: &Participant,
    seq: i64,
) -> (OutboxItem, String, [Topic; 2]) {
    let item = OutboxItem::Read {
        room,
        reader: reader.clone(),
        seq,
        ts: now_ms(),
    };
    let frame = ServerFrame::Read {
        room,
        seq,
        reader: reader.clone(),
    }
    .to_text();
    (item, frame, [Topic::Room(room), Topic::Site(site)])
}
