use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::secret::{new_token, token_hash};
use pintalk_db::sessions::{self, Rotation};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{TokenPair, end_sessions, token_pair};
use crate::body::Json;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Rotates a refresh token: the old one stops working and a new pair is returned.
/// Presenting an already-rotated token revokes its whole session (it was stolen).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "invalid_refresh_token, or refresh_token_reused (the session is now revoked)", body = crate::error::ErrorBody),
    ))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let old_hash = token_hash(&body.refresh_token);
    let new_refresh = new_token();
    let new_hash = token_hash(&new_refresh);
    let rotation = state
        .db(move |conn| Ok(sessions::rotate(conn, &old_hash, &new_hash)?))
        .await?;
    match rotation {
        Rotation::Rotated(session) => {
            let pair = token_pair(&state, session.owner_id, session.id, new_refresh)?;
            Ok(HttpResponse::Ok().json(pair))
        }
        Rotation::Reused(session) => {
            end_sessions(&state, &[session]).await;
            Err(ApiError::new(
                ErrorCode::RefreshTokenReused,
                "this refresh token was already used; the session is revoked, log in again",
            ))
        }
        Rotation::Invalid => Err(ApiError::new(
            ErrorCode::InvalidRefreshToken,
            "the refresh token is unknown, expired or revoked",
        )),
    }
}
