//! `PUT /me/password`.

use actix_web::{HttpResponse, web};
use diesel::Connection;
use pintalk_core::ErrorCode;
use pintalk_db::{owners, sessions};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{AuthOwner, TokenPair, end_sessions, start_session};
use crate::body::Json;
use crate::domain::password::Password;
use crate::error::ApiError;
use crate::mail;
use crate::state::{AppState, blocking};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 8 to 72 bytes.
    pub password: String,
}

/// Changes the password. Every session — this one included — ends and every older
/// access token stops working; the answer carries a fresh pair for this device.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "me", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "changed; use the new tokens", body = TokenPair),
        (status = 400, description = "password_unchanged: the new password is the current one", body = crate::error::ErrorBody),
        (status = 403, description = "wrong_password", body = crate::error::ErrorBody),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        password,
    } = body.into_inner();
    let new_password = Password::parse(password)?;
    let current_hash = auth.owner.password_hash.clone();
    let cost = state.settings.auth.bcrypt_cost;
    let new_hash = blocking(move || {
        // A current password outside the bounds cannot be the right one.
        let right = Password::parse(current_password).is_ok_and(|p| p.matches(&current_hash));
        if !right {
            return Err(ApiError::new(
                ErrorCode::WrongPassword,
                "the current password is wrong",
            ));
        }
        // Checked only after the current password, so it tells nothing to a stranger.
        if new_password.matches(&current_hash) {
            return Err(ApiError::new(
                ErrorCode::PasswordUnchanged,
                "the new password is the current one",
            ));
        }
        new_password.hash(cost)
    })
    .await??;
    let id = auth.owner.id;
    let ended = state
        .db(move |conn| {
            conn.transaction(|conn| {
                owners::set_password_hash(conn, id, &new_hash)?;
                sessions::revoke_all(conn, id)
            })
            .map_err(ApiError::from)
        })
        .await?;
    end_sessions(&state, &ended).await;
    let pair = start_session(&state, id).await?;
    mail::send_later(&state.mailer, mail::password_changed(&auth.owner.email));
    Ok(HttpResponse::Ok().json(pair))
}
