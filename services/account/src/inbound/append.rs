//! A reply by mail joins its conversation as a socket send does: one bus append, under
//! its own cid, answered as an SMTP reply code.

use pintalk_bus::{Appended, Draft, VISITOR_MESSAGES_WINDOW, visitor_messages_key};
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::{Participant, ParticipantKind, RoomStatus};
use pintalk_db::models::Room;
use pintalk_db::{bans, rooms};

use super::text::Reply;
use super::token::ReplyTo;
use crate::abuse::EffectiveLimits;
use crate::state::AppState;

/// Whether `room` exists and is open: a reply address works only there.
pub async fn still_open(state: &AppState, room: RoomId) -> anyhow::Result<bool> {
    let found = state
        .background_db(move |conn| rooms::find(conn, room))
        .await?;
    Ok(found.is_some_and(|r| r.status == RoomStatus::Open))
}

/// Counts a visitor's reply by mail against their site's messages a minute, as the
/// gateway counts their sends (one counter for both paths); whether it is within.
async fn within_message_limit(state: &AppState, room: &Room) -> anyhow::Result<bool> {
    let site = room.site_id;
    let limits = state
        .background_db(move |conn| bans::limits(conn, site))
        .await?;
    let limit = EffectiveLimits::of(&limits, &state.settings.limits).messages_per_minute;
    let window = state
        .bus
        .hit_window(
            &visitor_messages_key(&room.visitor_id.to_string()),
            VISITOR_MESSAGES_WINDOW,
        )
        .await?;
    Ok(window.count <= u64::from(limit))
}

/// Appends `reply` for `to`; the SMTP reply to give.
pub async fn append(state: &AppState, to: ReplyTo, reply: Reply) -> String {
    match try_append(state, to, reply).await {
        Ok(code) => code,
        Err(e) => {
            log::warn!("inbound mail: {e:#}");
            "451 4.3.0 try again later".into()
        }
    }
}

async fn try_append(state: &AppState, to: ReplyTo, reply: Reply) -> anyhow::Result<String> {
    let room = to.room;
    let found = state
        .background_db(move |conn| rooms::with_participants(conn, room))
        .await?;
    let Some((room, owner, owner_name, visitor_name)) = found else {
        return Ok("550 5.7.1 this conversation is gone".into());
    };
    if room.status != RoomStatus::Open {
        return Ok("550 5.7.1 this conversation is closed".into());
    }
    let sender = match to.kind {
        ParticipantKind::Owner => Participant {
            kind: ParticipantKind::Owner,
            id: owner.to_string(),
            name: Some(owner_name),
        },
        ParticipantKind::Visitor => Participant {
            kind: ParticipantKind::Visitor,
            id: room.visitor_id.to_string(),
            name: visitor_name,
        },
    };
    if to.kind == ParticipantKind::Visitor && !within_message_limit(state, &room).await? {
        // A temporary refusal: the sending server tries again later, nothing is lost.
        return Ok("451 4.7.1 too many messages from this visitor; try again later".into());
    }
    let draft = Draft {
        room: room.id,
        site: room.site_id,
        cid: reply.cid,
        sender,
        body: reply.text,
        // A mail is a reply to the other side, never a note.
        note: false,
    };
    Ok(match crate::append::append(state, &draft).await? {
        Appended::Stored { seq, .. } | Appended::Duplicate { seq, .. } => {
            format!("250 2.0.0 stored as message {seq}")
        }
        // Not replicated yet: the sending server retries with the same Message-ID (the
        // cid), a duplicate, accepted once `redis.ack_after_replicas` replicas hold it.
        Appended::BacklogFull | Appended::NotSeeded | Appended::NotReplicated => {
            "451 4.3.0 try again later".into()
        }
        Appended::WrongSite => "550 5.7.1 this conversation is gone".into(),
    })
}
