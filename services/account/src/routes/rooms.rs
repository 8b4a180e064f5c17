//! Conversations, for their site's owner: the inbox, one room, closing and reopening,
//! history (SQL merged with the not-yet-persisted tail in the bus, so an acked message is
//! visible at once), transcripts and blocking the visitor.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_bus::{Recent, Topic};
use pintalk_core::ErrorCode;
use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};
use pintalk_core::protocol::{
    Message, Participant, ParticipantKind, RoomEventKind, RoomStatus, ServerFrame,
};
use pintalk_db::models::{Room, StoredMessage};
use pintalk_db::rooms::{self, InboxCursor, InboxRow};
use pintalk_db::{messages, sites, visitors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AuthOwner, Reader};
use crate::body::Json;
use crate::error::ApiError;
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
}

/// The last message of a room, for the inbox preview.
#[derive(Serialize, ToSchema)]
pub struct Preview {
    pub seq: i64,
    pub ts: i64,
    pub sender_kind: ParticipantKind,
    pub body: String,
}

/// A room in the inbox.
#[derive(Serialize, ToSchema)]
pub struct RoomView {
    pub id: RoomId,
    pub site_id: SiteId,
    pub status: RoomStatus,
    pub visitor: VisitorView,
    /// The highest persisted seq.
    pub last_seq: i64,
    pub last_message: Option<Preview>,
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

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Open,
    Closed,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only open or only closed conversations.
    pub status: Option<StatusFilter>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 100, default 30.
    pub limit: Option<i64>,
}

fn status_of(room: &Room) -> RoomStatus {
    if room.status == rooms::CLOSED {
        RoomStatus::Closed
    } else {
        RoomStatus::Open
    }
}

fn kind_of(stored: &str) -> ParticipantKind {
    if stored == "owner" {
        ParticipantKind::Owner
    } else {
        ParticipantKind::Visitor
    }
}

fn parse_cursor(raw: &str) -> Result<InboxCursor, ApiError> {
    let bad = || {
        ApiError::new(
            ErrorCode::InvalidQuery,
            "cursor is not one this API gave out",
        )
    };
    let (at, id) = raw.split_once('.').ok_or_else(bad)?;
    Ok(InboxCursor {
        updated_at: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// A site's conversations that have messages, most recently active first.
#[utoipa::path(get, path = "/api/v1/sites/{id}/rooms", tag = "rooms", security(("bearer" = [])),
    params(SiteRoomsPath, InboxQuery), responses((status = 200, body = RoomPage)))]
pub async fn list_rooms(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SiteRoomsPath>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "limit must be 1 to 100",
        ));
    }
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let status = query.status.map(|s| match s {
        StatusFilter::Open => rooms::OPEN,
        StatusFilter::Closed => rooms::CLOSED,
    });
    let (owner, site) = (auth.owner.id, path.id);
    let rows = state
        .db(move |conn| {
            sites::find_for_owner(conn, owner, site)?.ok_or_else(|| ApiError::not_found("site"))?;
            Ok(rooms::inbox(conn, site, owner, status, cursor, limit + 1)?)
        })
        .await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let mut views = Vec::with_capacity(rows.len());
    let mut last = None;
    for row in rows.into_iter().take(usize::try_from(limit).unwrap_or(0)) {
        last = Some(format!("{}.{}", row.room.updated_at, row.room.id));
        views.push(view_of(&state, row).await?);
    }
    let next_cursor = if more { last } else { None };
    Ok(HttpResponse::Ok().json(RoomPage {
        rooms: views,
        next_cursor,
    }))
}

/// A room of one of the owner's sites, or not found.
async fn owned_room(state: &AppState, auth: &AuthOwner, id: RoomId) -> Result<Room, ApiError> {
    let owner = auth.owner.id;
    state
        .db(move |conn| {
            rooms::find_for_owner(conn, owner, id)?.ok_or_else(|| ApiError::not_found("room"))
        })
        .await
}

/// One room as the inbox shows it.
async fn room_view(state: &AppState, auth: &AuthOwner, id: RoomId) -> Result<RoomView, ApiError> {
    let owner = auth.owner.id;
    let row = state
        .db(move |conn| {
            rooms::inbox_row(conn, owner, id)?.ok_or_else(|| ApiError::not_found("room"))
        })
        .await?;
    view_of(state, row).await
}

async fn view_of(state: &AppState, row: InboxRow) -> Result<RoomView, ApiError> {
    let online = state
        .bus
        .presence_count(&pintalk_bus::presence::visitor_key(row.room.id))
        .await?
        > 0;
    Ok(RoomView {
        id: row.room.id,
        site_id: row.room.site_id,
        status: status_of(&row.room),
        visitor: VisitorView {
            id: row.visitor.id,
            name: row.visitor.name,
            email: row.visitor.email,
            online,
            blocked: row.visitor.blocked_at.is_some(),
        },
        last_seq: row.room.last_seq,
        last_message: row.last_message.map(|m| Preview {
            seq: m.seq,
            ts: m.created_at,
            sender_kind: kind_of(&m.sender_kind),
            body: m.body,
        }),
        unread: (row.room.last_seq - row.read_seq).max(0),
        visitor_read_seq: row.visitor_read_seq,
        created_at: rfc3339(row.room.created_at),
        updated_at: rfc3339(row.room.updated_at),
    })
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 200, body = RoomView)))]
pub async fn get_room(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(room_view(&state, &auth, path.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoomRequest {
    /// Close or reopen the conversation.
    pub status: RoomStatus,
}

/// Closes or reopens a conversation; the site's owners hear of it live.
#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), request_body = UpdateRoomRequest, responses((status = 200, body = RoomView)))]
pub async fn update_room(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<RoomPath>,
    body: Json<UpdateRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id).await?;
    let (status, event) = match body.status {
        RoomStatus::Open => (rooms::OPEN, RoomEventKind::Reopened),
        RoomStatus::Closed => (rooms::CLOSED, RoomEventKind::Closed),
    };
    let id = room.id;
    let changed = state
        .db(move |conn| Ok(rooms::set_status(conn, id, status)?))
        .await?;
    if changed {
        let frame = ServerFrame::Room {
            event,
            room: id,
            site: room.site_id,
            status: body.status,
        };
        state
            .bus
            .publish(&[Topic::Site(room.site_id)], frame.to_text().into())
            .await?;
    }
    Ok(HttpResponse::Ok().json(room_view(&state, &auth, id).await?))
}

/// Deletes a conversation and its messages.
#[utoipa::path(delete, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 204, description = "deleted")))]
pub async fn delete_room(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id).await?;
    state
        .db(move |conn| Ok(rooms::delete(conn, room.id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Blocks the room's visitor: their sockets close and new sessions are refused.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/block", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 204, description = "blocked")))]
pub async fn block_visitor(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id).await?;
    let visitor = room.visitor_id;
    state
        .db(move |conn| Ok(visitors::block(conn, visitor)?))
        .await?;
    let frame = ServerFrame::Error {
        code: ErrorCode::VisitorBlocked,
        message: "the site's owner ended this conversation".into(),
        cid: None,
        room: Some(room.id),
        retriable: false,
    };
    state
        .bus
        .publish(&[Topic::Room(room.id)], frame.to_text().into())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only messages with a lower seq (for scrolling up); default: the newest.
    pub before_seq: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

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
            kind: kind_of(&m.sender_kind),
            id: m.sender_id,
            name: None,
        },
        body: m.body,
    }
}

/// The room for a reader: an owner's own, or the visitor's own.
async fn readable_room(state: &AppState, reader: &Reader, id: RoomId) -> Result<Room, ApiError> {
    match reader {
        Reader::Owner(auth) => owned_room(state, auth, id).await,
        Reader::Visitor { room, .. } if *room == id => {
            state
                .db(move |conn| rooms::find(conn, id)?.ok_or_else(|| ApiError::not_found("room")))
                .await
        }
        Reader::Visitor { .. } => Err(ApiError::not_found("room")),
    }
}

/// Up to `limit` messages below `before`, merging SQL with the bus's unpersisted tail,
/// and the room's current epoch (every message stamped with it).
async fn merged_history(
    state: &AppState,
    room: &Room,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<Message>, Option<i64>), ApiError> {
    let (id, site, persisted) = (room.id, room.site_id, room.last_seq);
    // The bus first: a message persisted between the two reads is then in SQL's answer
    // rather than in neither.
    let recent = state.bus.recent(id, persisted).await?;
    let stored = state
        .db(move |conn| Ok(messages::page(conn, id, before, limit)?))
        .await?;
    let mut merged: Vec<Message> = stored.into_iter().map(|m| message_of(site, m)).collect();
    let epoch = recent.epoch();
    if let Recent::Complete { messages: tail, .. } = recent {
        let newest_stored = merged.last().map_or(0, |m| m.seq);
        merged.extend(
            tail.into_iter()
                .filter(|m| m.seq > newest_stored && before.is_none_or(|b| m.seq < b)),
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

/// A page of a room's messages, oldest first; an acked message is here at once.
/// Owners use their access token; a visitor uses the token of their widget session.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages", tag = "rooms", security(("bearer" = [])),
    params(RoomPath, HistoryQuery), responses((status = 200, body = History)))]
pub async fn list_messages(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    path: web::Path<RoomPath>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "limit must be 1 to 200",
        ));
    }
    if query.before_seq.is_some_and(|b| b < 1) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "before_seq must be positive",
        ));
    }
    let room = readable_room(&state, &reader, path.id).await?;
    let (messages, epoch) = merged_history(&state, &room, query.before_seq, limit).await?;
    let has_more = messages.first().is_some_and(|m| m.seq > 1);
    let mut response = HttpResponse::Ok();
    // The widget reads its history from the customer's page: CORS for exactly the origin
    // its session was issued for.
    if let Reader::Visitor { origin, .. } = &reader
        && request_origin(&req) == Some(origin.as_str())
    {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
            .insert_header((header::VARY, "Origin"));
    }
    Ok(response.json(History {
        messages,
        has_more,
        epoch,
    }))
}

fn request_origin(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
}

/// CORS preflight for a visitor's history request. A preflight carries no credentials,
/// so it cannot know the session's origin; the real request answers CORS only for it.
pub async fn messages_preflight(req: HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    if let Some(origin) = request_origin(&req) {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "authorization"))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"));
    }
    response.finish()
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    Text,
    Json,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TranscriptQuery {
    /// `text` (default) or `json`.
    pub format: Option<TranscriptFormat>,
}

/// The most messages a transcript holds.
const TRANSCRIPT_MAX: i64 = 20_000;

/// The whole conversation as a download, plain text or JSON.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/transcript", tag = "rooms", security(("bearer" = [])),
    params(RoomPath, TranscriptQuery),
    responses((status = 200, description = "the transcript as an attachment: text (default) or JSON",
        content((String = "text/plain"), (History = "application/json")))))]
pub async fn transcript(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<RoomPath>,
    query: web::Query<TranscriptQuery>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id).await?;
    let (messages, epoch) = merged_history(&state, &room, None, TRANSCRIPT_MAX).await?;
    let has_more = messages.first().is_some_and(|m| m.seq > 1);
    let name = format!("transcript-{}", room.id);
    match query.format.unwrap_or(TranscriptFormat::Text) {
        TranscriptFormat::Json => Ok(HttpResponse::Ok()
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.json\""),
            ))
            .json(History {
                messages,
                has_more,
                epoch,
            })),
        TranscriptFormat::Text => {
            let mut text = String::new();
            for m in &messages {
                let who = match m.sender.kind {
                    ParticipantKind::Owner => "Owner",
                    ParticipantKind::Visitor => "Visitor",
                };
                text.push_str(&format!("[{}] {who}: {}\n", rfc3339(m.ts), m.body));
            }
            Ok(HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.txt\""),
                ))
                .body(text))
        }
    }
}
