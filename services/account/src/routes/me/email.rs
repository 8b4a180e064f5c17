//! `POST /me/email`: asking to move the account to another address.

use actix_web::{HttpResponse, web};
use diesel::Connection;
use pintalk_core::ErrorCode;
use pintalk_db::models::TokenPurpose;
use pintalk_db::{DbError, one_time_tokens, owners};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{OwnerView, owner_view};
use crate::auth::AuthOwner;
use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::domain::password::Password;
use crate::error::ApiError;
use crate::limits::enforce_owner_mails;
use crate::mail;
use crate::mail_link::{MailLink, hours};
use crate::state::{AppState, blocking};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    /// The address to move to; normalised (trimmed, lower-cased), at most 254 bytes.
    #[schema(example = "ann@new.example.com")]
    pub email: String,
    pub current_password: String,
}

/// Mails a single-use link to the new address; the account moves there only when it is
/// followed (`POST /auth/email/change`), and until then `/me` shows it as
/// `pending_email`. A newer request replaces an older one, whose link stops working.
/// Limited per owner.
#[utoipa::path(post, path = "/api/v1/me/email", tag = "me", security(("bearer" = [])),
    request_body = ChangeEmailRequest,
    responses(
        (status = 202, description = "a link is on its way to the new address", body = OwnerView),
        (status = 400, description = "invalid_email, or email_unchanged: it is the current address", body = crate::error::ErrorBody),
        (status = 403, description = "wrong_password", body = crate::error::ErrorBody),
        (status = 409, description = "email_taken", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests for this owner", body = crate::error::ErrorBody),
    ))]
pub async fn request_email_change(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<ChangeEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangeEmailRequest {
        email,
        current_password,
    } = body.into_inner();
    let email = EmailAddress::parse(&email)?;
    let owner = auth.owner;
    // Counted before the password is checked, so it also bounds guessing through here.
    enforce_owner_mails(
        &*state.bus,
        &state.settings.limits,
        "email-change",
        owner.id,
    )
    .await?;
    let hash = owner.password_hash.clone();
    // A current password outside the bounds cannot be the right one.
    let right =
        blocking(move || Password::parse(current_password).is_ok_and(|p| p.matches(&hash))).await?;
    if !right {
        return Err(ApiError::new(
            ErrorCode::WrongPassword,
            "the current password is wrong",
        ));
    }
    if email.as_str() == owner.email {
        return Err(ApiError::new(
            ErrorCode::EmailUnchanged,
            "this is already the account's email",
        ));
    }
    let valid_hours = state.settings.auth.change_email_ttl_hours;
    let link = MailLink::new(&state.settings, "change-email", hours(valid_hours));
    let (id, new, token, expires) = (
        owner.id,
        email.as_str().to_owned(),
        link.token_hash.clone(),
        link.expires_at,
    );
    state
        .db(move |conn| {
            if owners::find_by_email(conn, &new)?.is_some() {
                return Err(taken());
            }
            conn.transaction(|conn| {
                // The newest request wins: an older link must not move the account later.
                one_time_tokens::void_all(conn, id, TokenPurpose::ChangeEmail)?;
                one_time_tokens::create_email_change(conn, id, &new, &token, expires)
            })
            .map_err(|e: DbError| e.into())
        })
        .await?;
    mail::send_later(
        &state.mailer,
        mail::confirm_new_email(email.as_str(), &owner.name, &link.url, valid_hours),
    );
    Ok(HttpResponse::Accepted().json(owner_view(&state, owner).await?))
}

fn taken() -> ApiError {
    ApiError::new(
        ErrorCode::EmailTaken,
        "an account with this email already exists",
    )
}
