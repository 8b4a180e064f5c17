use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::domain::Language;
use pintalk_core::ids::OwnerId;
use pintalk_db::models::{Owner, TokenPurpose};
use pintalk_db::{one_time_tokens, owners};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::domain::password::Password;
use crate::domain::text::bounded;
use crate::error::ApiError;
use crate::limits::{client_ip, enforce};
use crate::mail;
use crate::mail_link::{MailLink, hours};
use crate::routes::me::OwnerView;
use crate::state::{AppState, blocking};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// Normalised (trimmed, lower-cased); at most 254 bytes.
    #[schema(example = "ann@example.com")]
    pub email: String,
    /// 8 to 72 bytes; longer is refused, never truncated.
    #[schema(example = "correct horse battery")]
    pub password: String,
    /// 1 to 100 characters.
    #[schema(example = "Ann")]
    pub name: String,
    /// The dashboard's language for the new account (the one the sign-up page was shown
    /// in); `en` when absent. Changed later with `PATCH /me`.
    #[serde(default)]
    pub language: Option<Language>,
}

/// Creates an owner account and mails a verification link.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 201, description = "account created; a verification mail is on its way", body = OwnerView),
        (status = 409, description = "email_taken", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests", body = crate::error::ErrorBody),
    ))]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let SignupRequest {
        email,
        password,
        name,
        language,
    } = body.into_inner();
    let email = EmailAddress::parse(&email)?;
    let password = Password::parse(password)?;
    let name = bounded("name", &name, 1, 100, false)?;
    let limits = &state.settings.limits;
    let ip = client_ip(&req, &state.settings);
    enforce(
        &*state.bus,
        &format!("signup:ip:{ip}"),
        limits.signups_per_ip,
        limits.signups_per_ip_window_secs,
    )
    .await?;
    enforce(
        &*state.bus,
        &format!("signup:email:{}", email.as_str()),
        limits.signups_per_email,
        limits.signups_per_email_window_secs,
    )
    .await?;

    let cost = state.settings.auth.bcrypt_cost;
    let password_hash = blocking(move || password.hash(cost)).await??;
    let now = now_ms();
    let owner = Owner {
        id: OwnerId::new(),
        email: email.as_str().to_owned(),
        password_hash,
        name,
        company: None,
        avatar_url: None,
        email_verified_at: None,
        created_at: now,
        updated_at: now,
        language: language.unwrap_or_default(),
    };
    let link = MailLink::new(
        &state.settings,
        "verify-email",
        hours(state.settings.auth.verify_email_ttl_hours),
    );
    let (hash, expires) = (link.token_hash.clone(), link.expires_at);
    let stored = owner.clone();
    state
        .db(move |conn| {
            conn.transaction(|conn| {
                owners::insert(conn, stored.clone())?;
                one_time_tokens::create(
                    conn,
                    stored.id,
                    TokenPurpose::VerifyEmail,
                    &hash,
                    expires,
                )?;
                Ok::<_, pintalk_db::DbError>(())
            })
            .map_err(|e| {
                if e.is_unique_violation() {
                    ApiError::new(
                        ErrorCode::EmailTaken,
                        "an account with this email already exists",
                    )
                } else {
                    e.into()
                }
            })
        })
        .await?;
    mail::send_later(
        &state.mailer,
        mail::verify_email(&owner.email, &owner.name, &link.url),
    );
    Ok(HttpResponse::Created().json(OwnerView::from(owner)))
}
