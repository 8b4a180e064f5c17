//! `PUT /api/v1/rooms/{id}/assignee`: who answers a conversation.

use actix_web::{HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::ids::OwnerId;
use pintalk_core::protocol::ServerFrame;
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
pub struct AssignRoomRequest {
    /// Who answers it (a member's account id, `GET /me`'s `id`), or null for nobody. The
    /// member must be able to see the conversation's site.
    pub assignee: Option<OwnerId>,
}

/// Assigns a conversation (or unassigns it, with null). The site's owners hear of it live
/// (an `assigned` frame), its webhook endpoints by `conversation.assigned`. An API token
/// needs the `write` scope.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/assignee", tag = "rooms",
    security(("bearer" = []), ("api_token" = ["write"])),
    params(RoomPath), request_body = AssignRoomRequest, responses((status = 200, body = RoomView)))]
pub async fn assign_room(
    state: web::Data<AppState>,
    access: WriteAccess,
    path: web::Path<RoomPath>,
    body: Json<AssignRoomRequest>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &access, path.id, Action::AnswerConversations).await?;
    let assignee = body.assignee;
    if let Some(who) = assignee {
        let site = room.site_id;
        let grants = state
            .db(move |conn| Ok(pintalk_db::workspaces::grants(conn, who)?))
            .await?;
        if !grants.iter().any(|g| g.site == site) {
            return Err(ApiError::invalid_field(
                "assignee",
                "must be a member of the workspace who may see this site",
            ));
        }
    }
    let id = room.id;
    let changed = state
        .db(move |conn| Ok(webhooks::change_room_assignee(conn, id, assignee)?))
        .await?;
    if changed {
        let frame = ServerFrame::Assigned {
            room: id,
            site: room.site_id,
            assignee,
        };
        state
            .bus
            .publish(&[Topic::Site(room.site_id)], frame.to_text().into())
            .await?;
    }
    Ok(HttpResponse::Ok().json(room_view(&state, &access, id).await?))
}
