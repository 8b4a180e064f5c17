//! `DELETE /api/v1/rooms/{id}/block`.

use actix_web::{HttpResponse, web};

use super::{RoomPath, set_blocked};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::state::AppState;

/// Unblocks the room's visitor: their widget can start sessions again, in the same
/// conversation. Unblocking a visitor who is not blocked changes nothing.
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/block", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 204, description = "not blocked (any more)")))]
pub async fn unblock_visitor(
    state: web::Data<AppState>,
    access: SessionAccess,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    set_blocked(&state, &access, path.id, false).await?;
    Ok(HttpResponse::NoContent().finish())
}
