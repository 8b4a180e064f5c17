//! `POST /api/v1/canned-replies`.

use actix_web::{HttpResponse, web};
use pintalk_core::ids::{CannedReplyId, WorkspaceId};
use pintalk_db::canned_replies;
use pintalk_db::models::CannedReply;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CannedReplyView, MAX_CANNED_REPLIES, body, refusal, shortcut, title};
use crate::access::WriteAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCannedReplyRequest {
    /// The workspace it is for; absent: the caller's own (an API token's: its own).
    #[serde(default)]
    pub workspace_id: Option<WorkspaceId>,
    /// `^[a-z0-9_-]{1,32}$`, unique per workspace.
    #[schema(min_length = 1, max_length = 32, pattern = "^[a-z0-9_-]{1,32}$")]
    pub shortcut: String,
    /// Up to 100 characters; null or blank for none.
    #[schema(max_length = 100)]
    pub title: Option<String>,
    /// 1 to 4000 characters, newlines allowed; may hold `{visitor.name}`,
    /// `{visitor.email}`, `{agent.name}`, `{site.name}`.
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
}

/// Saves a canned reply. An API token needs `write`.
#[utoipa::path(post, path = "/api/v1/canned-replies", tag = "canned-replies",
    security(("bearer" = []), ("api_token" = ["write"])),
    request_body = CreateCannedReplyRequest,
    responses((status = 201, body = CannedReplyView),
        (status = 404, body = crate::error::ErrorBody, description = "`workspace_id` names no workspace of the caller's"),
        (status = 409, body = crate::error::ErrorBody,
            description = "canned_reply_shortcut_taken or canned_replies_full")))]
pub async fn create_canned_reply(
    state: web::Data<AppState>,
    access: WriteAccess,
    req: Json<CreateCannedReplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let workspace_id = access.acting_in(req.workspace_id, Action::ManageCannedReplies)?;
    let now = state.clock.now_ms();
    let row = CannedReply {
        id: CannedReplyId::new(),
        owner_id: access.owner.id,
        workspace_id,
        shortcut: shortcut(&req.shortcut)?,
        title: title(req.title.as_deref())?,
        body: body(&req.body)?,
        created_at: now,
        updated_at: now,
    };
    let stored = row.clone();
    let saved = state
        .db(move |conn| Ok(canned_replies::create(conn, &stored, MAX_CANNED_REPLIES)?))
        .await?;
    if let Some(e) = refusal(saved) {
        return Err(e);
    }
    Ok(HttpResponse::Created().json(CannedReplyView::from(row)))
}
