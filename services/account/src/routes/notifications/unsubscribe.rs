//! `/notifications/unsubscribe?token=…`: the link in every notification mail. A POST is
//! the one-click unsubscribe of RFC 8058 (mail clients send `List-Unsubscribe=One-Click`);
//! a GET — a person following the link, or a scanner prefetching it — changes nothing and
//! shows a page whose button POSTs. The two are one action, so they share this file.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::domain::EmailNotifications;
use pintalk_core::ids::OwnerId;
use pintalk_core::token::UnsubscribeGrant;
use pintalk_db::notifications;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// From the mail's link.
    pub token: String,
}

/// The owner an unsubscribe token names, if it is one PinTalk signed.
fn owner_of(state: &AppState, token: &str) -> Result<OwnerId, ApiError> {
    let invalid = || {
        ApiError::new(
            ErrorCode::InvalidToken,
            "this unsubscribe link is not valid",
        )
    };
    if token.len() > 2048 {
        return Err(invalid());
    }
    let claims = state
        .signer
        .verifier()
        .verify::<UnsubscribeGrant>(token)
        .map_err(|_| invalid())?;
    claims.sub.parse().map_err(|_| invalid())
}

/// The page behind the mail's link: a button that unsubscribes.
#[utoipa::path(get, path = "/api/v1/notifications/unsubscribe", tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "a page with the unsubscribe button", content_type = "text/html", body = String),
        (status = 401, description = "invalid_token", body = crate::error::ErrorBody),
    ))]
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    owner_of(&state, &query.token)?;
    // The token is base64url and dots only (it verified), so it needs no escaping here.
    Ok(page(&format!(
        "<p>Stop the mails PinTalk sends when a conversation waits for an answer?</p>\
         <form method=\"post\" action=\"?token={}\">\
         <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Unsubscribe</button></form>",
        query.token
    )))
}

/// Turns the owner's notification mails off (RFC 8058 one-click). Idempotent.
#[utoipa::path(post, path = "/api/v1/notifications/unsubscribe", tag = "notifications",
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "unsubscribed; a page saying so", content_type = "text/html", body = String),
        (status = 401, description = "invalid_token", body = crate::error::ErrorBody),
    ))]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let owner = owner_of(&state, &query.token)?;
    state
        .db(move |conn| {
            Ok(notifications::set_email_setting(
                conn,
                owner,
                EmailNotifications::Off,
                now_ms(),
            )?)
        })
        .await?;
    Ok(page(
        "<p>Done: PinTalk will not mail you about waiting conversations any more. You can \
         turn the mails on again in your account settings.</p>",
    ))
}

fn page(content: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>PinTalk</title></head>\
         <body style=\"font:16px system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem\">\
         {content}</body></html>"
        ))
}
