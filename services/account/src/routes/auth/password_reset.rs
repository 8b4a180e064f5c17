use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use pintalk_core::secret::token_hash;
use pintalk_db::models::TokenPurpose;
use pintalk_db::{one_time_tokens, owners, sessions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::verify_email::invalid_token;
use crate::auth::end_sessions;
use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::domain::password::Password;
use crate::error::ApiError;
use crate::limits::{client_ip, enforce, within};
use crate::mail;
use crate::mail_link::MailLink;
use crate::state::{AppState, blocking};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    #[schema(example = "ann@example.com")]
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// Always the same text, whether or not the account exists.
    pub message: &'static str,
}

/// Mails a single-use reset link if the account exists. The answer is the same, and as
/// fast, either way: the work happens after the response.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotRequest,
    responses(
        (status = 202, body = Accepted),
        (status = 429, description = "too_many_requests from this address", body = crate::error::ErrorBody),
    ))]
pub async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<ForgotRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = EmailAddress::parse(&body.email)?;
    let limits = &state.settings.limits;
    let ip = client_ip(&req, &state.settings);
    enforce(
        &*state.bus,
        &format!("reset:ip:{ip}"),
        limits.reset_mails_per_ip,
        limits.reset_mails_per_ip_window_secs,
    )
    .await?;
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        if let Err(e) = mail_reset_link(&state, email).await {
            log::error!("password reset mail not sent: {e}");
        }
    });
    Ok(HttpResponse::Accepted().json(Accepted {
        message: "if an account exists for this address, a reset link is on its way",
    }))
}

async fn mail_reset_link(state: &AppState, email: EmailAddress) -> Result<(), ApiError> {
    let limits = &state.settings.limits;
    let key = format!("reset:email:{}", email.as_str());
    // Past the per-address limit the request is dropped silently: the client already
    // got its 202, and a 429 here would tell that the address is being targeted.
    if !within(
        &*state.bus,
        &key,
        limits.reset_mails_per_email,
        limits.reset_mails_per_email_window_secs,
    )
    .await?
    {
        return Ok(());
    }
    let lookup = email.as_str().to_owned();
    let Some(owner) = state
        .db(move |conn| Ok(owners::find_by_email(conn, &lookup)?))
        .await?
    else {
        return Ok(());
    };
    let valid_mins = state.settings.auth.reset_password_ttl_mins;
    let link = MailLink::new(
        &state.settings,
        "reset-password",
        Duration::from_secs(valid_mins.saturating_mul(60)),
    );
    let (hash, expires) = (link.token_hash.clone(), link.expires_at);
    let owner_id = owner.id;
    state
        .db(move |conn| {
            Ok(one_time_tokens::create(
                conn,
                owner_id,
                TokenPurpose::ResetPassword,
                &hash,
                expires,
            )?)
        })
        .await?;
    state
        .mailer
        .send(mail::reset_password(&owner.email, &link.url, valid_mins))
        .await
        .map_err(ApiError::Internal)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The token from the reset link.
    pub token: String,
    /// The new password, 8 to 72 bytes.
    pub password: String,
}

/// Sets a new password with a reset token; every session is revoked and a notice mailed.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses(
        (status = 204, description = "password set; log in with it"),
        (status = 400, description = "invalid_one_time_token, password_too_short, password_too_long", body = crate::error::ErrorBody),
    ))]
pub async fn reset(
    state: web::Data<AppState>,
    body: Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let ResetRequest { token, password } = body.into_inner();
    let password = Password::parse(password)?;
    let cost = state.settings.auth.bcrypt_cost;
    let new_hash = blocking(move || password.hash(cost)).await??;
    let hash = token_hash(&token);
    let (owner, ended) = state
        .db(move |conn| {
            conn.transaction(|conn| {
                let Some(token) =
                    one_time_tokens::consume(conn, TokenPurpose::ResetPassword, &hash)?
                else {
                    return Ok(None);
                };
                let owner_id = token.owner_id;
                owners::set_password_hash(conn, owner_id, &new_hash)?;
                // The link went to the owner's inbox: that proves the address too.
                owners::mark_verified(conn, owner_id)?;
                let ended = sessions::revoke_all(conn, owner_id)?;
                one_time_tokens::void_all(conn, owner_id, TokenPurpose::ResetPassword)?;
                let owner = owners::find(conn, owner_id)?;
                Ok::<_, pintalk_db::DbError>(owner.map(|owner| (owner, ended)))
            })
            .map_err(ApiError::from)
        })
        .await?
        .ok_or_else(invalid_token)?;
    end_sessions(&state, &ended).await;
    mail::send_later(&state.mailer, mail::password_changed(&owner.email));
    Ok(HttpResponse::NoContent().finish())
}
