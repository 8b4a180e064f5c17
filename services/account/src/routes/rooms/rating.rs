//! `PUT /api/v1/rooms/{id}/rating`: the visitor rates a closed conversation (CSAT), from
//! the widget with their widget session's token.

use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::clock::{now_ms, rfc3339};
use pintalk_core::protocol::{RoomStatus, ServerFrame};
use pintalk_db::ratings::{self, Rating};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RoomPath;
use super::messages::{readable_room, visitor_ok, visitor_origin};
use crate::auth::Reader;
use crate::body::Json;
use crate::domain::text::{blank_is_none, bounded};
use crate::error::ApiError;
use crate::state::AppState;

/// The longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 1000;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1 (bad) to 5 (great).
    #[schema(minimum = 1, maximum = 5)]
    pub score: i64,
    /// Up to 1000 characters, newlines allowed; blank or absent for none.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A conversation's rating, as the visitor gave it.
#[derive(Serialize, ToSchema)]
pub struct RatingView {
    pub score: i32,
    pub comment: Option<String>,
    /// RFC 3339, UTC.
    pub rated_at: String,
}

impl From<Rating> for RatingView {
    fn from(r: Rating) -> Self {
        RatingView {
            score: r.score,
            comment: r.comment,
            rated_at: rfc3339(r.rated_at),
        }
    }
}

/// Rates a closed conversation, replacing any earlier rating of it. The site's members
/// hear of it live (a `rated` frame). Only the visitor rates, with the widget session's
/// token.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/rating", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), request_body = RatingRequest,
    responses(
        (status = 200, body = RatingView),
        (status = 400, description = "invalid_field: a score outside 1 to 5, or a comment too long", body = crate::error::ErrorBody),
        (status = 401, description = "invalid_token: an owner's token (only the visitor rates)", body = crate::error::ErrorBody),
        (status = 409, description = "conversation_open: only a closed conversation is rated", body = crate::error::ErrorBody),
    ))]
pub async fn rate_room(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    path: web::Path<RoomPath>,
    body: Json<RatingRequest>,
) -> Result<HttpResponse, ApiError> {
    let origin = visitor_origin(&reader, "rates a conversation")?.to_owned();
    let score = i32::try_from(body.score)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| ApiError::invalid_field("score", "must be 1 to 5"))?;
    let comment = blank_is_none(body.comment.as_deref(), |text| {
        bounded("comment", text, 1, MAX_COMMENT_CHARS, true)
    })?;
    let room = readable_room(&state, &reader, path.id).await?;
    if room.status != RoomStatus::Closed {
        return Err(ApiError::new(
            ErrorCode::ConversationOpen,
            "only a closed conversation is rated",
        ));
    }
    let rating = Rating {
        room_id: room.id,
        site_id: room.site_id,
        score,
        comment,
        assignee: room.assignee,
        rated_at: now_ms(),
    };
    let stored = rating.clone();
    state
        .db(move |conn| Ok(ratings::rate(conn, &stored)?))
        .await?;
    let frame = ServerFrame::Rated {
        room: room.id,
        site: room.site_id,
        score,
        comment: rating.comment.clone(),
    };
    state
        .bus
        .publish(&[Topic::Site(room.site_id)], frame.to_text().into())
        .await?;
    Ok(visitor_ok(&req, &origin).json(RatingView::from(rating)))
}
