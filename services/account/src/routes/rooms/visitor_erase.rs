//! `DELETE /api/v1/rooms/{id}/visitor`: erases the room's visitor — their record and
//! every conversation of theirs, from SQL and the bus — and closes their sockets.

use actix_web::{HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::protocol::ServerFrame;
use pintalk_db::visitor_data;

use super::{RoomPath, owned_room};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Erases the room's visitor and all their data. A message they send in the instant of
/// the erasure is refused or dropped with their rooms; their open sockets get
/// `visitor_erased` and close, and their browser starts afresh as a new visitor.
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/visitor", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 204, description = "erased")))]
pub async fn erase_visitor(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id, Action::ManageSites).await?;
    let (site, visitor) = (room.site_id, room.visitor_id);
    let rooms = state
        .db(move |conn| {
            visitor_data::erase(conn, site, visitor)?.ok_or_else(|| ApiError::not_found("visitor"))
        })
        .await?;
    for room in rooms {
        // Gone from SQL first, so no seed brings the room back; then from the bus, with
        // nothing kept back (`i64::MAX`): what waits in the outbox is dropped by the
        // persister, whose batch skips rooms that are gone.
        state.bus.forget(room, i64::MAX).await?;
        let frame = ServerFrame::Error {
            code: ErrorCode::VisitorErased,
            message: "this visitor's data was erased".into(),
            cid: None,
            room: Some(room),
            retriable: false,
        };
        state
            .bus
            .publish(&[Topic::Room(room)], frame.to_text().into())
            .await?;
    }
    log::info!("visitor {visitor} of site {site} erased");
    Ok(HttpResponse::NoContent().finish())
}
