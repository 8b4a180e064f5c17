//! `POST /api/v1/rooms/{id}/block`.

use actix_web::{HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::protocol::ServerFrame;

use super::{RoomPath, set_blocked};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::state::AppState;

/// Blocks the room's visitor: their sockets close and new sessions are refused.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/block", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 204, description = "blocked")))]
pub async fn block_visitor(
    state: web::Data<AppState>,
    access: SessionAccess,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    let room = set_blocked(&state, &access, path.id, true).await?;
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
