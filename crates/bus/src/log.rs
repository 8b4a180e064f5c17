//! The per-room message log: appending a message (one atomic step that de-duplicates,
//! numbers, keeps it for replay, queues it for SQL and fans it out), seeding a room's
//! numbering from SQL, and the replay window a resuming socket reads.

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::{Message, Participant};
use serde::Serialize;

use crate::BusError;
use crate::fanout::Topic;

/// A message as a gateway hands it to [`Log::append`]: everything but `seq` and `ts`,
/// which the bus assigns atomically.
#[derive(Clone, Debug)]
pub struct Draft {
    pub room: RoomId,
    pub site: SiteId,
    pub cid: String,
    pub sender: Participant,
    pub body: String,
    /// An internal note: published to the site's topic only (members), never to the
    /// room's (the visitor), and marked in the frame so a replay can leave it out.
    pub note: bool,
}

impl Draft {
    /// The topics its `message` frame is published to: a note never reaches the room's
    /// topic, which is the visitor's.
    pub fn topics(&self) -> Vec<Topic> {
        if self.note {
            vec![Topic::Site(self.site)]
        } else {
            vec![Topic::Room(self.room), Topic::Site(self.site)]
        }
    }
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
    /// Stored on the master (and fanned out), but fewer replicas than
    /// `redis.ack_after_replicas` confirmed it in time, so a failover could still lose it:
    /// not acked. Retriable: the resend is a duplicate, acked once the replicas have it.
    NotReplicated,
}

/// How many recent messages per room are kept for replay on resume.
pub const RECENT_WINDOW: usize = 200;

/// How long a room's `cid`s are remembered for de-duplication after its last message.
pub const CID_MEMORY: Duration = Duration::from_secs(24 * 3600);

/// How many of a room's latest stored messages give their `cid`s back to the bus when its
/// counter is seeded from SQL, so a resend after Redis lost data is still recognised.
pub const SEEDED_CIDS: usize = 1000;

/// How long a forgotten room refuses to be seeded: far longer than deleting its SQL row
/// takes, short enough that a deleter that died in between does not leave the room
/// unusable for long (the retention sweeper finds it again on its next pass).
pub const FORGOTTEN_FOR: Duration = Duration::from_secs(10 * 60);

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

/// Appending and replaying messages, per room.
#[async_trait]
pub trait Log: Send + Sync {
    /// Appends a message to its room atomically: de-duplicate on `cid`, take the next
    /// seq, add to the recent-history window, queue in the outbox, publish to the room's
    /// and the site's topics. `max_backlog` (0: unbounded) refuses when the outbox is full.
    ///
    /// A note (`draft.note`) is numbered, kept and queued the same, but published to the
    /// site's topic only.
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

    /// Forgets a room being deleted from SQL (its counter, epoch, site, window and cids),
    /// unless the bus numbered a message past `persisted_seq` (one may still wait in the
    /// outbox); whether it forgot. Afterwards appends are refused as not seeded, and for
    /// [`FORGOTTEN_FOR`] a seed is refused with [`BusError::Forgotten`] — so the room is
    /// not brought back from SQL before its row is gone, to take messages that would go
    /// with it. Forgetting a room the bus does not hold succeeds.
    async fn forget(&self, room: RoomId, persisted_seq: i64) -> Result<bool, BusError>;

    /// Asks whoever can read SQL (the persister) to seed this room's counter.
    async fn request_seed(&self, room: RoomId) -> Result<(), BusError>;

    /// Takes up to `max` pending seed requests.
    async fn take_seed_requests(&self, max: usize) -> Result<Vec<RoomId>, BusError>;
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
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        note: bool,
    }
    let head = format!(
        "{{\"type\":\"message\",\"room\":\"{}\",\"site\":\"{}\",\"seq\":",
        draft.room, draft.site
    );
    let tail = serde_json::to_string(&Tail {
        cid: &draft.cid,
        sender: &draft.sender,
        body: &draft.body,
        note: draft.note,
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
            note: false,
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
