//! The realtime wire protocol, version 1 (`docs/protocol.md` is its description): JSON
//! text frames over a WebSocket at `/ws`, each an object with a `type`. These types are
//! the protocol — the gateway, the tests and client tools all (de)serialise through them,
//! and a test parses every example of the document into them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ErrorCode;
use crate::domain::WidgetSettings;
use crate::ids::{OwnerId, RoomId, SiteId};

/// The protocol version `ready` announces.
pub const VERSION: u32 = 1;

/// Limits every client must respect; `ready` repeats them.
pub mod limits {
    /// The largest frame, in bytes, once authenticated; bigger closes with 1009.
    pub const MAX_FRAME_BYTES: usize = 16 * 1024;
    /// The largest frame before authentication (the `auth` frame): room for a token and
    /// a `resume` of [`MAX_RESUME_ROOMS`] rooms at their largest (`{"seq":…,"epoch":…}`
    /// with 19-digit numbers is 103 bytes a room, 20.6 KB for 200), and nothing more.
    pub const MAX_AUTH_FRAME_BYTES: usize = 24 * 1024;
    /// Seconds a new socket has to send `auth`.
    pub const AUTH_DEADLINE_SECS: u64 = 5;
    /// The longest message body, in characters.
    pub const MAX_BODY_CHARS: usize = 4000;
    /// The longest client message id.
    pub const MAX_CID_LEN: usize = 64;
    /// Sustained frames per second per connection, and the burst allowed above it.
    pub const FRAMES_PER_SEC: u32 = 20;
    pub const FRAME_BURST: u32 = 40;
    /// The server pings this often; a socket silent for three times as long is closed.
    pub const HEARTBEAT_SECS: u64 = 20;
    /// The most rooms one `auth` may ask to resume.
    pub const MAX_RESUME_ROOMS: usize = 200;
}

/// WebSocket close codes the gateway uses.
pub mod close {
    /// The server is restarting or draining: reconnect (to another gateway) and resume.
    pub const SERVICE_RESTART: u16 = 1012;
    /// A frame was larger than the limit.
    pub const TOO_BIG: u16 = 1009;
    /// An unexpected server error.
    pub const INTERNAL: u16 = 1011;
    /// No `auth` frame within the deadline.
    pub const AUTH_TIMEOUT: u16 = 4000;
    /// The token was refused (invalid, expired, wrong audience or origin).
    pub const AUTH_FAILED: u16 = 4001;
    /// The first frame was not a valid `auth`.
    pub const PROTOCOL: u16 = 4002;
    /// The visitor was blocked, or the owner's access was revoked.
    pub const FORBIDDEN: u16 = 4003;
    /// The client read too slowly and its queue overflowed: reconnect and resume.
    pub const TOO_SLOW: u16 = 4008;
    /// No frame (not even a pong) for three heartbeats.
    pub const IDLE: u16 = 4009;
}

/// Who is on the other end of a socket.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    Owner,
    Visitor,
}

crate::text_mapped!(ParticipantKind {
    Owner = "owner",
    Visitor = "visitor",
});

/// The author of a message or an event.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub kind: ParticipantKind,
    /// The owner's or the visitor's id.
    pub id: String,
    /// A display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Frames a client sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// The first frame: authenticate, and for each room the last seq already held.
    Auth {
        token: String,
        #[serde(default)]
        resume: BTreeMap<RoomId, ResumeFrom>,
    },
    /// Post a message; `cid` is the sender's own id for it, unique per sender and room,
    /// which makes resending safe.
    Send {
        room: RoomId,
        body: String,
        cid: String,
        /// Members only: an internal note, which only members see (see [`Message::note`]).
        #[serde(default)]
        note: bool,
    },
    /// The sender is (or stopped) typing in a room; typing a `note` is shown to members
    /// only.
    Typing {
        room: RoomId,
        #[serde(default = "active_default")]
        active: bool,
        #[serde(default)]
        note: bool,
    },
    /// Everything up to `seq` in the room has been read.
    Read { room: RoomId, seq: i64 },
    /// Liveness check; answered with `pong`.
    Ping {},
}

fn active_default() -> bool {
    true
}

/// Where a client stands in a room it resumes: the last seq it holds and the epoch that
/// numbering belongs to. A bare number (protocol 1 before epochs) is a seq of an unknown
/// epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ResumeFrom {
    Position {
        seq: i64,
        #[serde(default)]
        epoch: Option<i64>,
    },
    Seq(i64),
}

impl ResumeFrom {
    /// The last seq the client holds.
    pub fn seq(self) -> i64 {
        match self {
            ResumeFrom::Position { seq, .. } | ResumeFrom::Seq(seq) => seq,
        }
    }

    /// The epoch of that seq, if the client said.
    pub fn epoch(self) -> Option<i64> {
        match self {
            ResumeFrom::Position { epoch, .. } => epoch,
            ResumeFrom::Seq(_) => None,
        }
    }
}

/// One chat message as delivered (`message` frame) and stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub room: RoomId,
    pub site: SiteId,
    /// The room's sequence number: gap-free, increasing, the message's identity within
    /// its epoch.
    pub seq: i64,
    /// The numbering `seq` belongs to. It changes only when the room's counter had to be
    /// restored (Redis lost data); a client holding another epoch's messages drops them
    /// and fetches the history again. 0 where unknown (history read from SQL alone).
    #[serde(default)]
    pub epoch: i64,
    /// Server time of the append, UTC milliseconds.
    pub ts: i64,
    /// The sender's client id for the message.
    pub cid: String,
    pub sender: Participant,
    pub body: String,
    /// An internal note: written by a member for members. It is numbered in the room like
    /// any message but never reaches the visitor — not live, not in a replay, the history,
    /// a transcript or a mail — so a visitor's seqs have gaps where notes are.
    #[serde(default, skip_serializing_if = "is_false")]
    pub note: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A room's state: open, or closed by an owner (a visitor writing reopens it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomStatus {
    Open,
    Closed,
}

crate::text_mapped!(RoomStatus {
    Open = "open",
    Closed = "closed",
});

/// What happened to a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomEventKind {
    /// A new conversation started.
    Created,
    Closed,
    Reopened,
}

/// Frames the gateway sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Authentication succeeded; what this socket may see, and the limits.
    Ready {
        protocol: u32,
        you: Participant,
        /// Owners: the sites granted.
        sites: Vec<SiteId>,
        /// Visitors: their conversation.
        rooms: Vec<RoomId>,
        heartbeat_secs: u64,
        max_body_chars: usize,
    },
    /// A `send` is stored (in Redis, or memory for the all-in-one binary): it will be
    /// delivered and persisted. A resend of the same `cid` gets the original ack.
    Ack {
        room: RoomId,
        cid: String,
        seq: i64,
        ts: i64,
        /// The epoch `seq` belongs to (see [`Message::epoch`]).
        epoch: i64,
    },
    /// A message, live or replayed after `auth` with `resume`.
    Message(Message),
    /// Someone is (or stopped) typing; `note` (members only) when it is a note.
    Typing {
        room: RoomId,
        sender: Participant,
        active: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        note: bool,
    },
    /// A participant has read the room up to `seq`.
    Read {
        room: RoomId,
        seq: i64,
        reader: Participant,
    },
    /// Someone came online or went away: owners per site (`room` absent), visitors per
    /// room.
    Presence {
        site: SiteId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomId>,
        kind: ParticipantKind,
        online: bool,
    },
    /// For owners: a conversation started, closed or reopened.
    Room {
        event: RoomEventKind,
        room: RoomId,
        site: SiteId,
        status: RoomStatus,
    },
    /// For owners: a conversation was assigned to `assignee`, or to nobody (`null`).
    Assigned {
        room: RoomId,
        site: SiteId,
        assignee: Option<OwnerId>,
    },
    /// For owners: the visitor's widget reported where they are (the page, referrer,
    /// language, time zone, screen, parsed user agent, visits): `GET /rooms/{id}`'s
    /// `visitor.context`.
    Visitor {
        room: RoomId,
        site: SiteId,
        context: serde_json::Value,
    },
    /// For owners: the visitor rated a closed conversation (1 to 5, and a comment).
    Rated {
        room: RoomId,
        site: SiteId,
        score: i32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// For owners: a conversation's labels are now `labels` (the whole set, sorted).
    Labels {
        room: RoomId,
        site: SiteId,
        labels: Vec<String>,
    },
    /// For visitors: an owner saved the site's widget settings; redraw with these (what
    /// `GET /api/v1/widget/config` answers from now on). One per save, for the whole site.
    Settings {
        site: SiteId,
        widget: WidgetSettings,
        /// Whether the site is within its hours as of this frame, and when that changes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        availability: Option<crate::availability::Availability>,
    },
    /// The messages after `after_seq` cannot be replayed: drop any you hold after it and
    /// fetch them over HTTP (`GET /api/v1/rooms/{room}/messages`), then carry on with live
    /// frames. `after_seq` is 0 when the room's numbering changed (a new `epoch`).
    Resync {
        room: RoomId,
        after_seq: i64,
        /// The room's current epoch, when the room is ready (absent while it is being
        /// restored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<i64>,
    },
    /// The answer to `ping`.
    Pong,
    /// Something was refused. `cid` names the `send` it answers, if any; `retriable`
    /// says whether the same frame may succeed later.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomId>,
        retriable: bool,
    },
}

impl ServerFrame {
    /// The frame as the JSON text sent on the wire.
    pub fn to_text(&self) -> String {
        // Serialising these plain types cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// An `error` frame.
    pub fn error(code: ErrorCode, message: impl Into<String>, retriable: bool) -> Self {
        ServerFrame::Error {
            code,
            message: message.into(),
            cid: None,
            room: None,
            retriable,
        }
    }
}

/// Whether `cid` is an acceptable client message id: 1 to 64 of `[A-Za-z0-9_-]`.
pub fn valid_cid(cid: &str) -> bool {
    !cid.is_empty()
        && cid.len() <= limits::MAX_CID_LEN
        && cid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_types_are_refused() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ping","x":1}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"shout"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ping"}"#).is_ok());
    }

    #[test]
    fn cids_are_bounded_and_plain() {
        assert!(valid_cid("c-1_A"));
        assert!(!valid_cid(""));
        assert!(!valid_cid(&"a".repeat(65)));
        assert!(!valid_cid("a b"));
    }

    #[test]
    fn server_frames_round_trip() {
        let frame = ServerFrame::error(ErrorCode::Internal, "x", true);
        let back: ServerFrame = serde_json::from_str(&frame.to_text()).unwrap();
        assert_eq!(back, frame);
    }
}
