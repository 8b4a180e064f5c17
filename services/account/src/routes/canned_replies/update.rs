//! `PATCH /api/v1/canned-replies/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::canned_replies::{self, Saved};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CannedReplyPath, CannedReplyView, body, refusal, shortcut, title};
use crate::access::WriteAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::double_option;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCannedReplyRequest {
    #[schema(min_length = 1, max_length = 32, pattern = "^[a-z0-9_-]{1,32}$")]
    pub shortcut: Option<String>,
    /// null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 100)]
    pub title: Option<Option<String>>,
    #[schema(min_length = 1, max_length = 4000)]
    pub body: Option<String>,
}

/// Edits a canned reply: only the fields sent change. An API token needs `write`.
#[utoipa::path(patch, path = "/api/v1/canned-replies/{id}", tag = "canned-replies",
    security(("bearer" = []), ("api_token" = ["write"])),
    params(CannedReplyPath), request_body = UpdateCannedReplyRequest,
    responses((status = 200, body = CannedReplyView),
        (status = 404, body = crate::error::ErrorBody, description = "no such reply in a workspace where the caller manages them"),
        (status = 409, body = crate::error::ErrorBody, description = "canned_reply_shortcut_taken")))]
pub async fn update_canned_reply(
    state: web::Data<AppState>,
    access: WriteAccess,
    path: web::Path<CannedReplyPath>,
    req: Json<UpdateCannedReplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let new_shortcut = req.shortcut.as_deref().map(shortcut).transpose()?;
    let new_title = match &req.title {
        None => None,
        Some(t) => Some(title(t.as_deref())?),
    };
    let new_body = req.body.as_deref().map(body).transpose()?;
    let workspaces = access.workspaces(Action::ManageCannedReplies);
    let (id, now) = (path.id, state.clock.now_ms());
    let (saved, reply) = state
        .db(move |conn| {
            let Some(mut reply) = canned_replies::get(conn, &workspaces, id)? else {
                return Ok((Saved::Missing, None));
            };
            if let Some(s) = new_shortcut {
                reply.shortcut = s;
            }
            if let Some(t) = new_title {
                reply.title = t;
            }
            if let Some(b) = new_body {
                reply.body = b;
            }
            reply.updated_at = now;
            Ok((canned_replies::update(conn, &reply)?, Some(reply)))
        })
        .await?;
    if let Some(e) = refusal(saved) {
        return Err(e);
    }
    let reply = reply.ok_or_else(|| ApiError::not_found("canned reply"))?;
    Ok(HttpResponse::Ok().json(CannedReplyView::from(reply)))
}
