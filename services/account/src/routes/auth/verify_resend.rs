//! `POST /api/v1/auth/email/verify/resend`.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_db::models::TokenPurpose;
use pintalk_db::one_time_tokens;

use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::limits::enforce_owner_mails;
use crate::mail;
use crate::mail_link::{MailLink, hours};
use crate::state::AppState;

/// Mails a new verification link to the signed-in owner, whose widgets are not live until
/// they follow one. Earlier links keep working until they expire: any of them proves the
/// address. Limited per owner.
#[utoipa::path(post, path = "/api/v1/auth/email/verify/resend", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "a new link is on its way"),
        (status = 409, description = "email_already_verified: nothing to send", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests for this owner", body = crate::error::ErrorBody),
    ))]
pub async fn resend_verification(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner;
    if owner.email_verified_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::EmailAlreadyVerified,
            "this email is already verified; the widgets are live",
        ));
    }
    enforce_owner_mails(
        &*state.bus,
        &state.settings.limits,
        "verify-resend",
        owner.id,
    )
    .await?;
    let link = MailLink::new(
        &state.settings,
        "verify-email",
        hours(state.settings.auth.verify_email_ttl_hours),
    );
    let (id, hash, expires) = (owner.id, link.token_hash.clone(), link.expires_at);
    state
        .db(move |conn| {
            Ok(one_time_tokens::create(
                conn,
                id,
                TokenPurpose::VerifyEmail,
                &hash,
                expires,
            )?)
        })
        .await?;
    mail::send_later(
        &state.mailer,
        mail::verify_email(&owner.email, &owner.name, &link.url),
    );
    Ok(HttpResponse::NoContent().finish())
}
