//! `POST /api/v1/rooms/{id}/transcript/mail`: the conversation mailed to whoever asks —
//! the visitor from the widget (to the email they left), or the owner (to their own).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_db::{sites, visitors};
use serde::Serialize;
use utoipa::ToSchema;

use super::RoomPath;
use super::messages::{readable_room, request_origin};
use super::transcript::as_text;
use crate::auth::Reader;
use crate::error::ApiError;
use crate::history::{self, Audience};
use crate::limits::enforce;
use crate::mail::{self, Mail};
use crate::state::AppState;

/// Transcripts one room may have mailed in an hour.
const PER_ROOM_HOUR: u32 = 3;
/// The most messages a mailed transcript holds.
const MAILED_MAX: i64 = 5_000;

#[derive(Serialize, ToSchema)]
pub struct TranscriptMailed {
    /// Where it went.
    pub to: String,
}

/// Mails the whole conversation as text: to the visitor's email when the visitor asks
/// (with their widget session token), to the owner's when the owner does.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/transcript/mail", tag = "rooms", security(("bearer" = [])),
    params(RoomPath),
    responses(
        (status = 202, description = "the mail is on its way", body = TranscriptMailed),
        (status = 409, description = "email_missing: the visitor left no email", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests", body = crate::error::ErrorBody),
    ))]
pub async fn mail_transcript(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    path: web::Path<RoomPath>,
) -> Result<HttpResponse, ApiError> {
    if let Reader::Owner(actor) = &reader {
        actor.session_only()?;
    }
    let room = readable_room(&state, &reader, path.id).await?;
    let (site_id, visitor_id) = (room.site_id, room.visitor_id);
    let (site, visitor) = state
        .db(move |conn| {
            let site = sites::find(conn, site_id)?.ok_or_else(|| ApiError::not_found("site"))?;
            let visitor = visitors::find(conn, site_id, visitor_id)?
                .ok_or_else(|| ApiError::not_found("room"))?;
            Ok((site, visitor))
        })
        .await?;
    let to = match &reader {
        Reader::Owner(auth) => auth.owner.email.clone(),
        Reader::Visitor { .. } => visitor.email.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::EmailMissing,
                "leave an email address in the chat first",
            )
        })?,
    };
    enforce(
        &*state.bus,
        &format!("transcript-mail:{}", room.id),
        PER_ROOM_HOUR,
        3600,
    )
    .await?;
    let (messages, _) = history::merged(&state, &room, None, MAILED_MAX, Audience::Visitor).await?;
    mail::send_later(
        &state.mailer,
        Mail {
            to: to.clone(),
            subject: format!(
                "Your conversation with {}",
                site.name.replace(['\r', '\n'], " ")
            ),
            body: format!(
                "The conversation on {}, as it stands:\n\n{}",
                site.name,
                as_text(&messages)
            ),
            unsubscribe: None,
            reply_to: None,
        },
    );
    let mut response = HttpResponse::Accepted();
    if let Reader::Visitor { origin, .. } = &reader
        && request_origin(&req) == Some(origin.as_str())
    {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
            .insert_header((header::VARY, "Origin"));
    }
    Ok(response.json(TranscriptMailed { to }))
}
