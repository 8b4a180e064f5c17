//! A room's history: SQL merged with the bus's not-yet-persisted tail, so an acked
//! message is visible at once, each message stamped with the room's current epoch.
//! Internal notes are in a members' history only.

use pintalk_bus::Recent;
use pintalk_core::ids::SiteId;
use pintalk_core::protocol::{Message, Participant};
use pintalk_db::messages;
pub use pintalk_db::messages::Audience;
use pintalk_db::models::{Room, StoredMessage};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// A page of history, oldest first.
#[derive(Serialize, ToSchema)]
pub struct History {
    pub messages: Vec<Message>,
    /// Whether older messages exist.
    pub has_more: bool,
    /// The room's current epoch (see the realtime protocol), which every message here
    /// belongs to; null while the room's numbering is being restored, when the messages
    /// are those stored in SQL, valid in whatever epoch comes next.
    pub epoch: Option<i64>,
}

fn message_of(site: SiteId, m: StoredMessage) -> Message {
    Message {
        room: m.room_id,
        site,
        seq: m.seq,
        epoch: 0,
        ts: m.created_at,
        cid: m.cid,
        sender: Participant {
            kind: m.sender_kind,
            id: m.sender_id,
            name: None,
        },
        body: m.body,
        note: m.note,
    }
}

/// Up to `limit` messages below `before` that `audience` may see, merging SQL with the
/// bus's unpersisted tail, and the room's current epoch (every message stamped with it).
pub async fn merged(
    state: &AppState,
    room: &Room,
    before: Option<i64>,
    limit: i64,
    audience: Audience,
) -> Result<(Vec<Message>, Option<i64>), ApiError> {
    let (id, site, persisted) = (room.id, room.site_id, room.last_seq);
    // The bus first: a message persisted between the two reads is then in SQL's answer
    // rather than in neither.
    let recent = state.bus.recent(id, persisted).await?;
    let stored = state
        .db(move |conn| Ok(messages::page(conn, id, before, limit, audience)?))
        .await?;
    let mut merged: Vec<Message> = stored.into_iter().map(|m| message_of(site, m)).collect();
    let epoch = recent.epoch();
    if let Recent::Complete { messages: tail, .. } = recent {
        let newest_stored = merged.last().map_or(0, |m| m.seq);
        merged.extend(
            tail.into_iter()
                .filter(|m| m.seq > newest_stored && before.is_none_or(|b| m.seq < b))
                .filter(|m| audience.sees_notes() || !m.note),
        );
    }
    let excess = merged
        .len()
        .saturating_sub(usize::try_from(limit).unwrap_or(0));
    merged.drain(..excess);
    if let Some(epoch) = epoch {
        for message in &mut merged {
            message.epoch = epoch;
        }
    }
    Ok((merged, epoch))
}
