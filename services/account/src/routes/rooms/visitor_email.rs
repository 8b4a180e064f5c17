//! `PUT /api/v1/rooms/{id}/visitor/email`: the visitor leaves (or changes) the address the
//! site's answers are mailed to while they are away — from the widget's away state, with
//! their widget session token.

use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_db::visitors;
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use super::RoomPath;
use super::messages::{readable_room, visitor_ok, visitor_origin};
use crate::auth::Reader;
use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::error::ApiError;
use crate::state::AppState;

/// The longest page URL kept.
const PAGE_URL_MAX: usize = 2048;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorEmailRequest {
    /// Up to 254 characters.
    pub email: String,
    /// The page the chat is on (`location.href`): a mail's link to reopen the chat goes
    /// there. Must be of the session's origin; up to 2048 characters.
    #[serde(default)]
    pub page_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitorEmail {
    /// As stored (trimmed, lower-case).
    pub email: String,
}

/// Stores the email a visitor left on them; a later one replaces it.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/visitor/email", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), request_body = VisitorEmailRequest,
    responses(
        (status = 200, body = VisitorEmail),
        (status = 400, description = "invalid_email, or invalid_field (page_url)", body = crate::error::ErrorBody),
        (status = 401, description = "invalid_token: an owner's token (only the visitor leaves their email)", body = crate::error::ErrorBody),
    ))]
pub async fn set_visitor_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    path: web::Path<RoomPath>,
    body: Json<VisitorEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let origin = visitor_origin(&reader, "leaves their email")?.to_owned();
    let room = readable_room(&state, &reader, path.id).await?;
    let VisitorEmailRequest { email, page_url } = body.into_inner();
    let email = EmailAddress::parse(&email)?.as_str().to_owned();
    let page_url = page_url.map(|page| page_of(&page, &origin)).transpose()?;
    let (visitor, stored) = (room.visitor_id, email.clone());
    state
        .db(move |conn| Ok(visitors::leave_email(conn, visitor, stored, page_url)?))
        .await?;
    Ok(visitor_ok(&req, &origin).json(VisitorEmail { email }))
}

/// A page URL of the session's own origin (so a mail never links elsewhere).
fn page_of(page: &str, origin: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::invalid_field("page_url", "must be a page of this site's origin");
    if page.len() > PAGE_URL_MAX {
        return Err(invalid());
    }
    let url = Url::parse(page).map_err(|_| invalid())?;
    if url.origin().ascii_serialization() != origin {
        return Err(invalid());
    }
    Ok(url.to_string())
}
