//! `GET /api/v1/rooms/{id}`: one conversation.

use actix_web::{HttpResponse, web};

use super::{RoomPath, RoomView, room_view};
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

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
