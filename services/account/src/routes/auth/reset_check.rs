//! `POST /api/v1/auth/password/reset/check`.

use actix_web::{HttpResponse, web};
use pintalk_core::secret::token_hash;
use pintalk_db::models::TokenPurpose;
use pintalk_db::one_time_tokens;
use serde::Deserialize;
use utoipa::ToSchema;

use super::verify_email::invalid_token;
use crate::body::Json;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetCheckRequest {
    /// The token from the reset link.
    pub token: String,
}

/// Whether a reset link still works, without using it: the page the link opens asks
/// first, so a used or expired link says so before the owner types a new password.
#[utoipa::path(post, path = "/api/v1/auth/password/reset/check", tag = "auth",
    request_body = ResetCheckRequest,
    responses(
        (status = 204, description = "the link works"),
        (status = 400, description = "invalid_one_time_token: unknown, used or expired", body = crate::error::ErrorBody),
    ))]
pub async fn check_reset(
    state: web::Data<AppState>,
    body: Json<ResetCheckRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = token_hash(&body.token);
    let usable = state
        .db(move |conn| {
            Ok(one_time_tokens::is_usable(
                conn,
                TokenPurpose::ResetPassword,
                &hash,
            )?)
        })
        .await?;
    if usable {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(invalid_token())
    }
}
