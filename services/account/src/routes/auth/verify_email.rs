use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::secret::token_hash;
use pintalk_db::models::TokenPurpose;
use pintalk_db::{one_time_tokens, owners};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::body::Json;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the verification link.
    pub token: String,
}

/// Marks the owner's email verified; their sites' widgets go live.
#[utoipa::path(post, path = "/api/v1/auth/email/verify", tag = "auth", request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "verified"),
        (status = 400, description = "invalid_one_time_token: unknown, used or expired", body = crate::error::ErrorBody),
    ))]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: Json<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = token_hash(&body.token);
    state
        .db(move |conn| {
            let token = one_time_tokens::consume(conn, TokenPurpose::VerifyEmail, &hash)?
                .ok_or_else(invalid_token)?;
            owners::mark_verified(conn, token.owner_id)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The one answer for any bad one-time token: no hint whether it ever existed.
pub fn invalid_token() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidOneTimeToken,
        "the link is invalid, used or expired",
    )
}
