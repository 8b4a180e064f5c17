//! `GET /api/v1/rooms/{id}/transcript`: the whole conversation as a download.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use pintalk_core::clock::rfc3339;
use pintalk_core::protocol::ParticipantKind;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RoomPath, owned_room};
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::history::{self, History};
use crate::state::AppState;

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    Text,
    Json,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TranscriptQuery {
    /// `text` (default) or `json`.
    pub format: Option<TranscriptFormat>,
}

/// The most messages a transcript holds.
const TRANSCRIPT_MAX: i64 = 20_000;

/// The whole conversation as a download, plain text or JSON.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/transcript", tag = "rooms", security(("bearer" = [])),
    params(RoomPath, TranscriptQuery),
    responses((status = 200, description = "the transcript as an attachment: text (default) or JSON",
        content((String = "text/plain"), (History = "application/json")))))]
pub async fn transcript(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<RoomPath>,
    query: web::Query<TranscriptQuery>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id).await?;
    let (messages, epoch) = history::merged(&state, &room, None, TRANSCRIPT_MAX).await?;
    let has_more = messages.first().is_some_and(|m| m.seq > 1);
    let name = format!("transcript-{}", room.id);
    match query.format.unwrap_or(TranscriptFormat::Text) {
        TranscriptFormat::Json => Ok(HttpResponse::Ok()
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.json\""),
            ))
            .json(History {
                messages,
                has_more,
                epoch,
            })),
        TranscriptFormat::Text => {
            let mut text = String::new();
            for m in &messages {
                let who = match m.sender.kind {
                    ParticipantKind::Owner => "Owner",
                    ParticipantKind::Visitor => "Visitor",
                };
                text.push_str(&format!("[{}] {who}: {}\n", rfc3339(m.ts), m.body));
            }
            Ok(HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.txt\""),
                ))
                .body(text))
        }
    }
}
