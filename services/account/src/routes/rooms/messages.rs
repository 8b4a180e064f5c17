//! `GET /api/v1/rooms/{id}/messages`: a page of history, for the owner or the room's
//! visitor (whose widget asks from the customer's page, so CORS answers its origin).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::ids::RoomId;
use pintalk_db::models::Room;
use pintalk_db::rooms;
use serde::Deserialize;

use super::{RoomPath, owned_room};
use crate::auth::Reader;
use crate::error::ApiError;
use crate::history::{self, Audience, History};
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only messages with a lower seq (for scrolling up); default: the newest.
    pub before_seq: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

/// The room for a reader: an owner's own, or the visitor's own.
pub(crate) async fn readable_room(
    state: &AppState,
    reader: &Reader,
    id: RoomId,
) -> Result<Room, ApiError> {
    match reader {
        Reader::Owner(actor) => owned_room(state, actor, id, Action::ReadConversations).await,
        Reader::Visitor { room, .. } if *room == id => {
            state
                .db(move |conn| rooms::find(conn, id)?.ok_or_else(|| ApiError::not_found("room")))
                .await
        }
        Reader::Visitor { .. } => Err(ApiError::not_found("room")),
    }
}

/// The session origin of a visitor's request, or `401 invalid_token` for an owner's:
/// the endpoints only a visitor's widget calls (`what` says which, for the message).
pub(crate) fn visitor_origin<'a>(reader: &'a Reader, what: &str) -> Result<&'a str, ApiError> {
    match reader {
        Reader::Visitor { origin, .. } => Ok(origin.as_str()),
        Reader::Owner(_) => Err(ApiError::new(
            ErrorCode::InvalidToken,
            format!("only the visitor {what}: use the widget session's token"),
        )),
    }
}

/// A `200` for a visitor's request from the customer's page: CORS for exactly the origin
/// its session was issued for.
pub(crate) fn visitor_ok(req: &HttpRequest, origin: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if request_origin(req) == Some(origin) {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::VARY, "Origin"));
    }
    response
}

/// A page of a room's messages, oldest first; an acked message is here at once. Internal
/// notes are in an owner's pages only, never in a visitor's.
/// Owners use their access token (or an API token with the `read` scope); a visitor uses
/// the token of their widget session.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages", tag = "rooms",
    security(("bearer" = []), ("api_token" = ["read"])),
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
    let audience = match reader {
        Reader::Owner(_) => Audience::Members,
        Reader::Visitor { .. } => Audience::Visitor,
    };
    let (messages, epoch) =
        history::merged(&state, &room, query.before_seq, limit, audience).await?;
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

/// The `Origin` of a request, if it names one.
pub(crate) fn request_origin(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
}

/// CORS preflight for a visitor's requests from the page (history, the transcript by
/// mail, their email). A preflight carries no credentials, so it cannot know the session's origin; the
/// real request answers CORS only for it.
pub async fn messages_preflight(req: HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    if let Some(origin) = request_origin(&req) {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "authorization, content-type",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"));
    }
    response.finish()
}
