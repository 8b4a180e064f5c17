//! The realtime operations of the bus: the per-room message log, the outbox the persister
//! drains into SQL, fan-out to gateways, and presence. [`Bus`] is implemented by the Redis
//! store (several processes) and the memory store (one process); `tests/conformance.rs`
//! holds both to the same behaviour.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SessionId, SiteId};
use pintalk_core::protocol::{Message, Participant, ServerFrame};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::{BusError, Counters, Tickets};

/// A message as a gateway hands it to [`Bus::append`]: everything but `seq` and `ts`,
/// which the bus assigns atomically.
#[derive(Clone, Debug)]
pub struct Draft {
    pub room: RoomId,
    pub site: SiteId,
    pub cid: String,
    pub sender: Participant,
    pub body: String,
}

/// What became of an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Appended {
    /// Stored with this seq and time in the room's current epoch; fanned out and queued
    /// for SQL.
    Stored { seq: i64, ts: i64, epoch: i64 },
    /// The sender already sent a message with this `cid` to the room: its original seq
    /// and time (valid in the room's current epoch).
    Duplicate { seq: i64, ts: i64, epoch: i64 },
    /// The room's counter is missing or belongs to a Redis that restarted (new room not
    /// seeded yet, or Redis lost data): refused until the counter is seeded again from
    /// SQL, in a new epoch. Retriable.
    NotSeeded,
    /// The outbox holds more unpersisted entries than allowed. Retriable.
    BacklogFull,
    /// The room belongs to another site than the draft says: refused.
    WrongSite,
}

/// A fan-out channel. Every message and event of a room goes to the room's topic and its
/// site's topic: visitors listen to their room, owners to their sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    Room(RoomId),
    Site(SiteId),
    /// What every visitor of a site hears: whether an owner is online.
    SiteVisitors(SiteId),
    /// Control for the sockets opened with one login session's tickets (close them when
    /// the session ends).
    Session(SessionId),
}

/// A publication received from a topic: the server frame's JSON text, serialised once
/// by whoever published it and shared by every local recipient.
pub type Publication = (Topic, Arc<str>);

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

/// How many recent messages per room are kept for replay on resume.
pub const RECENT_WINDOW: usize = 200;

/// How long a room's `cid`s are remembered for de-duplication after its last message.
pub const CID_MEMORY: Duration = Duration::from_secs(24 * 3600);

/// How many of a room's latest stored messages give their `cid`s back to the bus when its
/// counter is seeded from SQL, so a resend after Redis lost data is still recognised.
pub const SEEDED_CIDS: usize = 1000;

/// The recent history of a room after a given seq.
#[derive(Clone, Debug, PartialEq)]
pub enum Recent {
    /// Every message after the seq, in order (possibly none), each stamped with the
    /// room's current epoch.
    Complete { epoch: i64, messages: Vec<Message> },
    /// Some messages after the seq are no longer in the window: fetch history over HTTP.
    Gap { epoch: i64 },
    /// The room is not seeded (new, or Redis lost data): its next epoch is not known yet.
    NotSeeded,
}

impl Recent {
    /// The room's current epoch, if it is seeded.
    pub fn epoch(&self) -> Option<i64> {
        match self {
            Recent::Complete { epoch, .. } | Recent::Gap { epoch } => Some(*epoch),
            Recent::NotSeeded => None,
        }
    }
}

/// A message already stored in SQL whose `cid` a seed hands back to the bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentCid {
    pub sender: Participant,
    pub cid: String,
    pub seq: i64,
    pub ts: i64,
}

/// The de-duplication key of a `cid`: a cid is its sender's idempotency key, so two
/// senders may use the same one in a room.
pub fn cid_key(sender: &Participant, cid: &str) -> String {
    let kind = match sender.kind {
        pintalk_core::protocol::ParticipantKind::Owner => 'o',
        pintalk_core::protocol::ParticipantKind::Visitor => 'v',
    };
    format!("{kind}:{}:{cid}", sender.id)
}

/// Whether `messages` are exactly the seqs after `after_seq`, with no hole: a replay is
/// only worth sending whole.
pub fn contiguous_after(after_seq: i64, messages: &[Message]) -> bool {
    messages
        .iter()
        .zip(after_seq + 1..)
        .all(|(m, expected)| m.seq == expected)
}

/// Everything the services share through the bus.
#[async_trait]
pub trait Bus: Counters + Tickets {
    /// Appends a message to its room atomically: de-duplicate on `cid`, take the next
    /// seq, add to the recent-history window, queue in the outbox, publish to the room's
    /// and the site's topics. `max_backlog` (0: unbounded) refuses when the outbox is full.
    async fn append(&self, draft: &Draft, max_backlog: u64) -> Result<Appended, BusError>;

    /// Records the room's site and, unless the room is seeded already, starts a new epoch
    /// whose counter continues from the higher of `last_seq` (SQL's) and what the bus
    /// still holds, and remembers `cids` for de-duplication. Returns the current epoch.
    async fn seed(
        &self,
        room: RoomId,
        site: SiteId,
        last_seq: i64,
        cids: &[SentCid],
    ) -> Result<i64, BusError>;

    /// The site a seeded room belongs to.
    async fn room_site(&self, room: RoomId) -> Result<Option<SiteId>, BusError>;

    /// The room's current seq, if it is seeded.
    async fn last_seq(&self, room: RoomId) -> Result<Option<i64>, BusError>;

    /// The messages after `after_seq`, from the recent-history window, and the epoch.
    async fn recent(&self, room: RoomId, after_seq: i64) -> Result<Recent, BusError>;

    /// Asks whoever can read SQL (the persister) to seed this room's counter.
    async fn request_seed(&self, room: RoomId) -> Result<(), BusError>;

    /// Takes up to `max` pending seed requests.
    async fn take_seed_requests(&self, max: usize) -> Result<Vec<RoomId>, BusError>;

    /// Publishes an already-serialised server frame to topics (typing, presence, room
    /// events, read receipts).
    async fn publish(&self, topics: &[Topic], frame: Arc<str>) -> Result<(), BusError>;

    /// Starts receiving publications for `topic` on the receiver from [`Bus::listen`].
    async fn subscribe(&self, topic: Topic) -> Result<(), BusError>;

    /// Stops receiving publications for `topic`.
    async fn unsubscribe(&self, topic: Topic) -> Result<(), BusError>;

    /// The stream of publications for subscribed topics. Call once per process (the
    /// gateway); the receiver ends if the bus loses its subscription connection, after
    /// which publications may have been missed.
    async fn listen(&self) -> Result<mpsc::UnboundedReceiver<Publication>, BusError>;

    /// Queues a read cursor for the persister and tells the room and site (a `read`
    /// frame).
    async fn push_read(
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

    /// Marks `member` present under `key` for `ttl` (refresh before it lapses); returns
    /// how many members are present now.
    async fn presence_join(&self, key: &str, member: &str, ttl: Duration) -> Result<u64, BusError>;

    /// Removes `member` from `key`; returns how many remain.
    async fn presence_leave(&self, key: &str, member: &str) -> Result<u64, BusError>;

    /// How many members are present under each of `keys`, in one round trip.
    async fn presence_counts(&self, keys: &[String]) -> Result<Vec<u64>, BusError>;

    /// How many members are present under `key`.
    async fn presence_count(&self, key: &str) -> Result<u64, BusError> {
        let counts = self.presence_counts(&[key.to_owned()]).await?;
        Ok(counts.first().copied().unwrap_or(0))
    }
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

/// The two halves of a `message` frame's JSON around `seq` and `ts`, so the store can
/// fill them in without parsing: `head` ends with `"seq":`, `tail` starts with the field
/// after `ts` (`epoch` and `ts` go between). The frame is serialised once, here, and shared by every recipient.
pub fn frame_halves(draft: &Draft) -> (String, String) {
    #[derive(Serialize)]
    struct Tail<'a> {
        cid: &'a str,
        sender: &'a Participant,
        body: &'a str,
    }
    let head = format!(
        "{{\"type\":\"message\",\"room\":\"{}\",\"site\":\"{}\",\"seq\":",
        draft.room, draft.site
    );
    let tail = serde_json::to_string(&Tail {
        cid: &draft.cid,
        sender: &draft.sender,
        body: &draft.body,
    })
    .unwrap_or_default();
    // `{"cid":...}` becomes `,"cid":...}` to follow `"ts":<ts>`.
    (
        head,
        format!(",{}", tail.strip_prefix('{').unwrap_or(&tail)),
    )
}

/// Joins the halves with a seq, an epoch and a time: the complete `message` frame.
pub fn frame_text(head: &str, seq: i64, epoch: i64, ts: i64, tail: &str) -> String {
    format!("{head}{seq},\"epoch\":{epoch},\"ts\":{ts}{tail}")
}

#[cfg(test)]
mod tests {
    use pintalk_core::protocol::{ParticipantKind, ServerFrame};

    use super::*;

    #[test]
    fn frame_halves_make_a_valid_message_frame() {
        let draft = Draft {
            room: RoomId::new(),
            site: SiteId::new(),
            cid: "c1".into(),
            sender: Participant {
                kind: ParticipantKind::Visitor,
                id: "v".into(),
                name: None,
            },
            body: "he said \"hi\" <b>".into(),
        };
        let (head, tail) = frame_halves(&draft);
        let text = frame_text(&head, 7, 1_795_000_000_000, 1_700_000_000_000, &tail);
        let ServerFrame::Message(m) = serde_json::from_str(&text).unwrap() else {
            panic!("{text}")
        };
        assert_eq!(
            (m.seq, m.epoch, m.ts, m.body.as_str(), m.room),
            (
                7,
                1_795_000_000_000,
                1_700_000_000_000,
                draft.body.as_str(),
                draft.room
            )
        );
    }
}
