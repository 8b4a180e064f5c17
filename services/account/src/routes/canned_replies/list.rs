//! `GET /api/v1/canned-replies`.

use actix_web::{HttpResponse, web};
use pintalk_db::canned_replies;

use super::CannedReplyView;
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::state::AppState;

/// The owner's canned replies, by shortcut (at most 200). An API token needs `read`.
#[utoipa::path(get, path = "/api/v1/canned-replies", tag = "canned-replies",
    security(("bearer" = []), ("api_token" = ["read"])),
    responses((status = 200, body = Vec<CannedReplyView>)))]
pub async fn list_canned_replies(
    state: web::Data<AppState>,
    access: ReadAccess,
) -> Result<HttpResponse, ApiError> {
    let owner = access.owner.id;
    let replies = state
        .db(move |conn| Ok(canned_replies::of_owner(conn, owner)?))
        .await?;
    Ok(HttpResponse::Ok().json(
        replies
            .into_iter()
            .map(CannedReplyView::from)
            .collect::<Vec<_>>(),
    ))
}
