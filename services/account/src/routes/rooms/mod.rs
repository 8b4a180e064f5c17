//! Conversations, for their site's owner: the inbox, one room, closing and reopening,
//! history (see [`crate::history`]), transcripts, and blocking or unblocking the visitor.
//! One handler per file; the views and lookups they share are here.

pub mod assign;
pub mod block;
pub mod delete;
pub mod get;
pub mod labels;
pub mod list;
pub mod messages;
pub mod post;
pub mod rating;
pub mod transcript;
pub mod transcript_mail;
pub mod unblock;
pub mod update;
pub mod visitor_context;
pub mod visitor_email;
pub mod visitor_erase;
pub mod visitor_export;

use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{OwnerId, RoomId, SiteId, VisitorId};
use pintalk_core::protocol::{ParticipantKind, RoomStatus};
use pintalk_db::models::{Room, StoredMessage};
use pintalk_db::rooms::{self, InboxRow};
use pintalk_db::visitors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoomPath {
    /// The room's id.
    pub id: RoomId,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SiteRoomsPath {
    /// The site's id.
    pub id: SiteId,
}

/// The visitor of a room as the owner sees them.
#[derive(Serialize, ToSchema)]
pub struct VisitorView {
    pub id: VisitorId,
    pub name: Option<String>,
    pub email: Option<String>,
    /// A socket of theirs is open now.
    pub online: bool,
    pub blocked: bool,
    /// The site's server vouched for this visitor (`PinTalk('identify')` with a valid
    /// `user_hash`): they are `user_id`, on every device.
    pub verified: bool,
    /// The site's own id of the verified user; absent unless `verified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Where they are and what they use, as their widget last reported; null before any
    /// report.
    pub context: Option<visitor_context::ContextView>,
}

/// The last message of a room, for the inbox preview.
#[derive(Serialize, ToSchema)]
pub struct Preview {
    pub seq: i64,
    pub ts: i64,
    pub sender_kind: ParticipantKind,
    pub body: String,
    /// An internal note (members only).
    pub note: bool,
}

impl From<StoredMessage> for Preview {
    fn from(m: StoredMessage) -> Self {
        Preview {
            seq: m.seq,
            ts: m.created_at,
            sender_kind: m.sender_kind,
            body: m.body,
            note: m.note,
        }
    }
}

/// A room in the inbox.
#[derive(Serialize, ToSchema)]
pub struct RoomView {
    pub id: RoomId,
    pub site_id: SiteId,
    pub status: RoomStatus,
    /// Who the conversation is assigned to; null: nobody.
    pub assignee: Option<OwnerId>,
    /// Its labels, sorted (`PUT /api/v1/rooms/{id}/labels`).
    pub labels: Vec<String>,
    /// The visitor's rating of it once closed; null: not rated.
    pub rating: Option<rating::RatingView>,
    pub visitor: VisitorView,
    /// The highest persisted seq.
    pub last_seq: i64,
    pub last_message: Option<Preview>,
    /// With `q`: the newest of the room's last 20 messages that matches the search, to
    /// show in place of the last one; absent when the match is older than those or only
    /// in the visitor's name or email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<Preview>,
    /// Messages after the signed-in owner's read cursor.
    pub unread: i64,
    /// How far the visitor has read: the owner's messages up to this seq were seen.
    pub visitor_read_seq: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RoomPage {
    pub rooms: Vec<RoomView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// A room of a site the caller was granted, if their role there allows `action`; not
/// found when they have no part in it.
pub(crate) async fn owned_room(
    state: &AppState,
    actor: &Actor,
    id: RoomId,
    action: Action,
) -> Result<Room, ApiError> {
    let granted = actor.sites(Action::ReadConversations);
    let room = state
        .db(move |conn| {
            rooms::find_in(conn, &granted, id)?.ok_or_else(|| ApiError::not_found("room"))
        })
        .await?;
    actor.site(room.site_id, action)?;
    Ok(room)
}

/// Blocks or unblocks the visitor of a room; returns the room.
pub(crate) async fn set_blocked(
    state: &AppState,
    actor: &Actor,
    id: RoomId,
    blocked: bool,
) -> Result<Room, ApiError> {
    let room = owned_room(state, actor, id, Action::AnswerConversations).await?;
    let visitor = room.visitor_id;
    state
        .db(move |conn| {
            if blocked {
                visitors::block(conn, visitor)?;
            } else {
                visitors::unblock(conn, visitor)?;
            }
            Ok(())
        })
        .await?;
    Ok(room)
}

/// One room as the inbox shows it to the caller.
pub(crate) async fn room_view(
    state: &AppState,
    actor: &Actor,
    id: RoomId,
) -> Result<RoomView, ApiError> {
    let member = actor.owner.id;
    let granted = actor.sites(Action::ReadConversations);
    let row = state
        .db(move |conn| {
            let reader = rooms::Reader {
                member,
                granted: &granted,
            };
            rooms::inbox_row(conn, reader, id)?.ok_or_else(|| ApiError::not_found("room"))
        })
        .await?;
    Ok(views_of(state, vec![row]).await?.remove(0))
}

/// Rooms as the inbox shows them, with their visitors' presence read in one round trip.
pub(crate) async fn views_of(
    state: &AppState,
    rows: Vec<InboxRow>,
) -> Result<Vec<RoomView>, ApiError> {
    let keys: Vec<String> = rows
        .iter()
        .map(|row| pintalk_bus::presence::visitor_key(row.room.id))
        .collect();
    let present = state.bus.presence_counts(&keys).await?;
    let visitors: Vec<VisitorId> = rows.iter().map(|row| row.visitor.id).collect();
    let rooms: Vec<RoomId> = rows.iter().map(|row| row.room.id).collect();
    let (verified, mut labels, mut ratings, contexts) = state
        .db(move |conn| {
            Ok((
                pintalk_db::identities::of_visitors(conn, &visitors)?,
                pintalk_db::labels::of_rooms(conn, &rooms)?,
                pintalk_db::ratings::of_rooms(conn, &rooms)?,
                pintalk_db::visitor_contexts::of_visitors(conn, &visitors)?,
            ))
        })
        .await?;
    Ok(rows
        .into_iter()
        .zip(present)
        .map(|(row, present)| {
            let user_id = verified
                .iter()
                .find(|v| v.visitor_id == row.visitor.id)
                .map(|v| v.user_id.clone());
            let labels = labels.remove(&row.room.id).unwrap_or_default();
            let rating = ratings.remove(&row.room.id).map(rating::RatingView::from);
            // A visitor's context is theirs in every room of theirs on the page.
            let context = contexts
                .get(&row.visitor.id)
                .cloned()
                .map(visitor_context::ContextView::from);
            view_of(
                row,
                present > 0,
                user_id,
                Extras {
                    labels,
                    rating,
                    context,
                },
            )
        })
        .collect())
}

/// What a room view holds beyond its inbox row, read for a whole page at once.
struct Extras {
    labels: Vec<String>,
    rating: Option<rating::RatingView>,
    context: Option<visitor_context::ContextView>,
}

fn view_of(row: InboxRow, online: bool, user_id: Option<String>, extras: Extras) -> RoomView {
    let Extras {
        labels,
        rating,
        context,
    } = extras;
    RoomView {
        id: row.room.id,
        site_id: row.room.site_id,
        status: row.room.status,
        assignee: row.room.assignee,
        labels,
        rating,
        visitor: VisitorView {
            id: row.visitor.id,
            name: row.visitor.name,
            email: row.visitor.email,
            online,
            blocked: row.visitor.blocked_at.is_some(),
            verified: user_id.is_some(),
            user_id,
            context,
        },
        last_seq: row.room.last_seq,
        last_message: row.last_message.map(Preview::from),
        matched: None,
        unread: (row.room.last_seq - row.read_seq).max(0),
        visitor_read_seq: row.visitor_read_seq,
        created_at: rfc3339(row.room.created_at),
        updated_at: rfc3339(row.room.updated_at),
    }
}
