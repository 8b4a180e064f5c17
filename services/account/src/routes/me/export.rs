//! `GET /api/v1/me/export`: the owner's whole workspace as one streamed JSON file.

use actix_web::http::header::{ContentDisposition, ContentType, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};

use pintalk_core::ErrorCode;

use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// The owner's account, sites (with their retention), visitors, conversations and every
/// message, streamed: `{exported_at, owner, sites: [{…, visitors: […], conversations:
/// [{…, messages: […]}]}]}`.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "the workspace as a JSON attachment, streamed"),
        (status = 429, description = "too_many_requests: as many exports as this server runs at once are running; Retry-After says when to try again", body = crate::error::ErrorBody),
    ))]
pub async fn export_workspace(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let slot = crate::export::slot().ok_or_else(|| {
        ApiError::retry_after(
            ErrorCode::TooManyRequests,
            "other exports are running; try again shortly",
            30,
        )
    })?;
    let mut chunks = crate::export::stream(
        state.pool.clone(),
        auth.owner.id,
        state.clock.now_ms(),
        slot,
    );
    let body = futures_util::stream::poll_fn(move |cx| chunks.poll_recv(cx));
    Ok(HttpResponse::Ok()
        .insert_header(ContentType::json())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "pintalk-workspace-{}.json",
                pintalk_core::clock::rfc3339(state.clock.now_ms())
                    .get(..10)
                    .unwrap_or("export")
            ))],
        })
        .streaming(body))
}
