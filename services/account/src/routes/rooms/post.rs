//! `POST /api/v1/rooms/{id}/messages`: a bot or back office writes into a conversation,
//! through the same bus append as a socket `send` (see [`crate::append`]), so the
//! visitor and the dashboard see it live and the persister stores it.

use actix_web::{HttpResponse, web};
use pintalk_bus::{Appended, Draft};
use pintalk_core::ErrorCode;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::{Participant, ParticipantKind, limits, valid_cid};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{RoomPath, owned_room};
use crate::access::WriteAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    /// 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
    /// Your id for this message, 1 to 64 of `A-Z a-z 0-9 _ -`: a retry with the same cid
    /// is stored once and answered with the first answer's seq.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub cid: String,
    /// An internal note: only members see it, never the visitor (default false).
    #[serde(default)]
    pub note: bool,
}

/// Where the message landed: what a socket's `ack` says.
#[derive(Serialize, ToSchema)]
pub struct PostedMessage {
    pub room: RoomId,
    pub cid: String,
    /// The message's number in the room.
    pub seq: i64,
    /// When it was appended, ms since the epoch (UTC).
    pub ts: i64,
    /// The room's numbering epoch `seq` belongs to.
    pub epoch: i64,
}

/// Posts a message as the site's owner; it reaches the visitor live (an internal note,
/// `note: true`, reaches only members). Idempotent on `cid`:
/// 201 when stored, 200 with the same seq when that cid was stored before. An API token
/// needs the `write` scope.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/messages", tag = "rooms",
    security(("bearer" = []), ("api_token" = ["write"])),
    params(RoomPath), request_body = PostMessageRequest,
    responses((status = 201, body = PostedMessage, description = "stored"),
        (status = 200, body = PostedMessage, description = "this cid was stored before"),
        (status = 403, body = crate::error::ErrorBody, description = "insufficient_scope")))]
pub async fn post_message(
    state: web::Data<AppState>,
    access: WriteAccess,
    path: web::Path<RoomPath>,
    body: Json<PostMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if !valid_cid(&body.cid) {
        return Err(ApiError::new(
            ErrorCode::InvalidCid,
            "cid must be 1 to 64 of A-Z a-z 0-9 _ -",
        ));
    }
    if body.body.trim().is_empty() || body.body.chars().count() > limits::MAX_BODY_CHARS {
        return Err(ApiError::new(
            ErrorCode::BodyTooLong,
            "the body must be 1 to 4000 characters",
        ));
    }
    let room = owned_room(&state, &access, path.id, Action::AnswerConversations).await?;
    let draft = Draft {
        room: room.id,
        site: room.site_id,
        cid: body.cid,
        // As the owner: a cid is the sender's, so it is the owner's whichever of their
        // credentials sent it (until members exist, issue 12).
        sender: Participant {
            kind: ParticipantKind::Owner,
            id: access.owner.id.to_string(),
            name: Some(access.owner.name.clone()),
        },
        body: body.body,
        note: body.note,
    };
    let retry = |code, message: &str| ApiError::retry_after(code, message, 1);
    let appended = crate::append::append(&state, &draft)
        .await
        .map_err(ApiError::Unavailable)?;
    let posted = |seq, ts, epoch| PostedMessage {
        room: room.id,
        cid: draft.cid.clone(),
        seq,
        ts,
        epoch,
    };
    match appended {
        Appended::Stored { seq, ts, epoch } => {
            Ok(HttpResponse::Created().json(posted(seq, ts, epoch)))
        }
        Appended::Duplicate { seq, ts, epoch } => {
            Ok(HttpResponse::Ok().json(posted(seq, ts, epoch)))
        }
        Appended::NotSeeded => Err(retry(
            ErrorCode::RoomNotReady,
            "the room is being restored; retry with the same cid",
        )),
        Appended::BacklogFull => Err(retry(
            ErrorCode::BacklogFull,
            "storage is behind; retry with the same cid",
        )),
        Appended::NotReplicated => Err(ApiError::Unavailable(anyhow::anyhow!(
            "not yet copied to enough Redis replicas"
        ))),
        Appended::WrongSite => Err(ApiError::not_found("room")),
    }
}
