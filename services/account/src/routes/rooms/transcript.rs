//! `GET /api/v1/rooms/{id}/transcript`: the whole conversation as a download.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use pintalk_core::clock::rfc3339;
use pintalk_core::protocol::ParticipantKind;
use pintalk_db::models::{Site, Visitor};
use pintalk_db::{sites, visitors};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RoomPath, owned_room};
use crate::access::SessionAccess;
use crate::domain::download_name::{DownloadName, Part};
use crate::error::ApiError;
use crate::history::{self, Audience, History};
use crate::policy::Action;
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
    auth: SessionAccess,
    path: web::Path<RoomPath>,
    query: web::Query<TranscriptQuery>,
) -> Result<HttpResponse, ApiError> {
    let room = owned_room(&state, &auth, path.id, Action::ReadConversations).await?;
    let (site_id, visitor_id) = (room.site_id, room.visitor_id);
    let (site, visitor) = state
        .db(move |conn| {
            let site = sites::find(conn, site_id)?;
            let visitor = visitors::find(conn, site_id, visitor_id)?;
            site.zip(visitor).ok_or_else(|| ApiError::not_found("room"))
        })
        .await?;
    let (messages, epoch) =
        history::merged(&state, &room, None, TRANSCRIPT_MAX, Audience::Visitor).await?;
    let has_more = messages.first().is_some_and(|m| m.seq > 1);
    let last_activity = messages.last().map_or(room.updated_at, |m| m.ts);
    let format = query.format.unwrap_or(TranscriptFormat::Text);
    let ext = match format {
        TranscriptFormat::Json => ".json",
        TranscriptFormat::Text => ".txt",
    };
    let disposition = file_name(&site, &visitor, last_activity, ext).content_disposition();
    match format {
        TranscriptFormat::Json => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_DISPOSITION, disposition))
            .json(History {
                messages,
                has_more,
                epoch,
            })),
        TranscriptFormat::Text => Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, disposition))
            .body(as_text(&messages))),
    }
}

/// A transcript as plain text: a line per message, `[time] Owner|Visitor: body`.
pub(crate) fn as_text(messages: &[pintalk_core::protocol::Message]) -> String {
    let mut text = String::new();
    for m in messages {
        let who = match m.sender.kind {
            ParticipantKind::Owner => "Owner",
            ParticipantKind::Visitor => "Visitor",
        };
        text.push_str(&format!("[{}] {who}: {}\n", rfc3339(m.ts), m.body));
    }
    text
}

/// `pintalk-<site>-<visitor>-<date>`: the visitor as the dashboard names them (name, else
/// email, else "visitor-" and the last four hex digits of their id), the date of the
/// conversation's latest message (UTC).
fn file_name(site: &Site, visitor: &Visitor, last_activity: i64, ext: &str) -> DownloadName {
    let hex = visitor.id.to_string().replace('-', "");
    let tag = format!("visitor-{}", &hex[hex.len().saturating_sub(4)..]);
    let who = visitor
        .name
        .as_deref()
        .or(visitor.email.as_deref())
        .unwrap_or(&tag);
    let day = rfc3339(last_activity);
    DownloadName::new(
        &[
            Part {
                text: &site.name,
                fallback: "site",
            },
            Part {
                text: who,
                fallback: &tag,
            },
            Part {
                text: day.get(..10).unwrap_or_default(),
                fallback: "undated",
            },
        ],
        ext,
    )
}
