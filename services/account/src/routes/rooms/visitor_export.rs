//! `GET /api/v1/rooms/{id}/visitor/export`: everything PinTalk holds on the room's
//! visitor, as one JSON file (docs/privacy.md lists what that is).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{RoomId, VisitorId};
use pintalk_db::visitor_data::{self, VisitorData};
use serde::Serialize;
use serde_json::{Value, json};

use super::{RoomPath, owned_room};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The export's shape: one object, times as RFC 3339 UTC strings.
#[derive(Serialize)]
struct Export {
    exported_at: String,
    visitor: Value,
    conversations: Vec<Value>,
    read_cursors: Vec<Value>,
    scheduled_notifications: Vec<Value>,
}

fn export_of(data: VisitorData, now: i64) -> Export {
    let v = &data.visitor;
    let visitor = json!({
        "id": v.id,
        "site_id": v.site_id,
        "name": v.name,
        "email": v.email,
        "page_url": data.page_url,
        "context": data.context.clone().map(super::visitor_context::ContextView::from),
        "blocked_at": v.blocked_at.map(rfc3339),
        "user_id": data.verified.as_ref().map(|u| &u.user_id),
        "verified_at": data.verified.as_ref().map(|u| rfc3339(u.verified_at)),
        "created_at": rfc3339(v.created_at),
        "last_seen_at": rfc3339(v.last_seen_at),
    });
    let conversations = data
        .rooms
        .into_iter()
        .map(|(room, messages)| {
            json!({
                "id": room.id,
                "status": room.status,
                "created_at": rfc3339(room.created_at),
                "updated_at": rfc3339(room.updated_at),
                "closed_at": room.closed_at.map(rfc3339),
                "messages": messages.into_iter().map(|m| json!({
                    "seq": m.seq,
                    "cid": m.cid,
                    "sender_kind": m.sender_kind,
                    "sender_id": m.sender_id,
                    "body": m.body,
                    "created_at": rfc3339(m.created_at),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let read_cursors = data
        .reads
        .into_iter()
        .map(|(room, seq, at): (RoomId, i64, i64)| {
            json!({ "room_id": room, "seq": seq, "updated_at": rfc3339(at) })
        })
        .collect();
    let scheduled_notifications = data
        .notifications
        .into_iter()
        .map(|n| {
            json!({
                "room_id": n.room_id,
                "recipient": n.recipient,
                "due_at": rfc3339(n.due_at),
                "notified_seq": n.notified_seq,
            })
        })
        .collect();
    Export {
        exported_at: rfc3339(now),
        visitor,
        conversations,
        read_cursors,
        scheduled_notifications,
    }
}

/// The room's visitor's data: their record, every conversation of theirs with every
/// message, their read cursors and the mails scheduled about their conversations.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/visitor/export", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), responses((status = 200, description = "the visitor's data as a JSON attachment")))]
pub async fn export_visitor(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id, Action::ManageSites).await?;
    let (site, visitor): (_, VisitorId) = (room.site_id, room.visitor_id);
    let data = state
        .db(move |conn| {
            visitor_data::export(conn, site, visitor)?.ok_or_else(|| ApiError::not_found("visitor"))
        })
        .await?;
    let export = export_of(data, state.clock.now_ms());
    Ok(HttpResponse::Ok()
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "pintalk-visitor-{visitor}.json"
            ))],
        })
        .json(export))
}
