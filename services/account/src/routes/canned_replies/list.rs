//! `GET /api/v1/canned-replies`.

use actix_web::{HttpResponse, web};
use pintalk_db::canned_replies;

use super::CannedReplyView;
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The canned replies of every workspace the caller belongs to, by shortcut (at most 200
/// each; `workspace_id` says whose). An API token needs `read`.
#[utoipa::path(get, path = "/api/v1/canned-replies", tag = "canned-replies",
    security(("bearer" = []), ("api_token" = ["read"])),
    responses((status = 200, body = Vec<CannedReplyView>)))]
pub async fn list_canned_replies(
    state: web::Data<AppState>,
    access: ReadAccess,
) -> Result<HttpResponse, ApiError> {
    let workspaces = access.workspaces(Action::UseCannedReplies);
    let replies = state
        .db(move |conn| Ok(canned_replies::of_workspaces(conn, &workspaces)?))
        .await?;
    Ok(HttpResponse::Ok().json(
        replies
            .into_iter()
            .map(CannedReplyView::from)
            .collect::<Vec<_>>(),
    ))
}
