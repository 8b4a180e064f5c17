//! `GET /api/v1/rooms/{id}`: one conversation.

use actix_web::{HttpResponse, web};

use super::{RoomPath, RoomView, room_view};
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::state::AppState;

/// One conversation. An API token needs the `read` scope.
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = []), ("api_token" = ["read"])),
    params(RoomPath), responses((status = 200, body = RoomView)))]
pub async fn get_room(
    state: web::Data<AppState>,
    access: ReadAccess,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(room_view(&state, &access, path.id).await?))
}
