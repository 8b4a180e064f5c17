//! `POST /api/v1/auth/email/change`: following the link of `POST /me/email`.

use actix_web::{HttpResponse, web};
use diesel::Connection;
use pintalk_core::ErrorCode;
use pintalk_core::secret::token_hash;
use pintalk_db::models::TokenPurpose;
use pintalk_db::{DbError, one_time_tokens, owners};
use serde::Deserialize;
use utoipa::ToSchema;

use super::verify_email::invalid_token;
use crate::body::Json;
use crate::error::ApiError;
use crate::mail;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeRequest {
    /// The token from the link mailed to the new address.
    pub token: String,
}

/// Moves the account to the address the link was mailed to, which it thereby proves;
/// a notice goes to the old address. No session ends. Links mailed to the old address
/// (verification, password reset) stop working.
#[utoipa::path(post, path = "/api/v1/auth/email/change", tag = "auth",
    request_body = EmailChangeRequest,
    responses(
        (status = 204, description = "the account's email is now the new one"),
        (status = 400, description = "invalid_one_time_token: unknown, used, expired or replaced by a newer request", body = crate::error::ErrorBody),
        (status = 409, description = "email_taken: another account took the address meanwhile", body = crate::error::ErrorBody),
    ))]
pub async fn change_email(
    state: web::Data<AppState>,
    body: Json<EmailChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = token_hash(&body.token);
    let (old, new) = state
        .db(move |conn| {
            conn.transaction(|conn| {
                let Some(token) = one_time_tokens::consume(conn, TokenPurpose::ChangeEmail, &hash)?
                else {
                    return Ok(None);
                };
                let (Some(owner), Some(new)) =
                    (owners::find(conn, token.owner_id)?, token.new_email)
                else {
                    return Ok(None);
                };
                // A unique violation rolls the whole change back, the token's use too.
                owners::set_email(conn, owner.id, &new)?;
                for purpose in [TokenPurpose::VerifyEmail, TokenPurpose::ResetPassword] {
                    one_time_tokens::void_all(conn, owner.id, purpose)?;
                }
                Ok::<_, DbError>(Some((owner.email, new)))
            })
            .map_err(taken_or)
        })
        .await?
        .ok_or_else(invalid_token)?;
    mail::send_later(&state.mailer, mail::email_changed(&old, &new));
    Ok(HttpResponse::NoContent().finish())
}

fn taken_or(e: DbError) -> ApiError {
    if e.is_unique_violation() {
        ApiError::new(ErrorCode::EmailTaken, "another account uses this email now")
    } else {
        e.into()
    }
}
