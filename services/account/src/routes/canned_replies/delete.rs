//! `DELETE /api/v1/canned-replies/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::canned_replies;

use super::CannedReplyPath;
use crate::access::WriteAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Deletes a canned reply. An API token needs `write`.
#[utoipa::path(delete, path = "/api/v1/canned-replies/{id}", tag = "canned-replies",
    security(("bearer" = []), ("api_token" = ["write"])), params(CannedReplyPath),
    responses((status = 204, description = "deleted"),
        (status = 404, body = crate::error::ErrorBody, description = "no such reply in a workspace where the caller manages them")))]
pub async fn delete_canned_reply(
    state: web::Data<AppState>,
    access: WriteAccess,
    path: web::Path<CannedReplyPath>,
) -> Result<HttpResponse, ApiError> {
    let (workspaces, id) = (access.workspaces(Action::ManageCannedReplies), path.id);
    let deleted = state
        .db(move |conn| Ok(canned_replies::delete(conn, &workspaces, id)?))
        .await?;
    if !deleted {
        return Err(ApiError::not_found("canned reply"));
    }
    Ok(HttpResponse::NoContent().finish())
}
