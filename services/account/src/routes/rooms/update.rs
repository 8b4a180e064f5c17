//! `PATCH /api/v1/rooms/{id}`: close or reopen.

use actix_web::{HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::protocol::{RoomEventKind, RoomStatus, ServerFrame};
use pintalk_db::webhooks;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RoomPath, RoomView, owned_room, room_view};
use crate::access::WriteAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoomRequest {
    /// Close or reopen the conversation.
    pub status: RoomStatus,
}

/// Closes or reopens a conversation; the site's owners hear of it live, and its webhook
/// endpoints by `conversation.closed` or `conversation.reopened`. An API token needs the
/// `write` scope.
#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = []), ("api_token" = ["write"])),
    params(RoomPath), request_body = UpdateRoomRequest, responses((status = 200, body = RoomView)))]
pub async fn update_room(
    state: web::Data<AppState>,
    access: WriteAccess,
    path: web::Path<RoomPath>,
    body: Json<UpdateRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &access, path.id, Action::AnswerConversations).await?;
    let status = body.status;
    let event = match status {
        RoomStatus::Open => RoomEventKind::Reopened,
        RoomStatus::Closed => RoomEventKind::Closed,
    };
    let id = room.id;
    let changed = state
        .db(move |conn| Ok(webhooks::change_room_status(conn, id, status)?))
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
            .publish(
                &[Topic::Site(room.site_id), Topic::Room(id)],
                frame.to_text().into(),
            )
            .await?;
    }
    Ok(HttpResponse::Ok().json(room_view(&state, &access, id).await?))
}
