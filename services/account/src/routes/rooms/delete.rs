//! `DELETE /api/v1/rooms/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::rooms;

use super::{RoomPath, owned_room};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Deletes a conversation and its messages, in SQL and then in the bus (what still waits
/// in the outbox is dropped by the persister, whose batch skips rooms that are gone).
#[utoipa::path(delete, path = "/api/v1/rooms/{id}", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 204, description = "deleted")))]
pub async fn delete_room(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id, Action::ManageSites).await?;
    state
        .db(move |conn| Ok(rooms::delete(conn, room.id)?))
        .await?;
    state.bus.forget(room.id, i64::MAX).await?;
    Ok(HttpResponse::NoContent().finish())
}
