use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_db::owners;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{TokenPair, start_session};
use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::domain::password::Password;
use crate::error::ApiError;
use crate::limits::{LoginThrottle, client_ip};
use crate::state::{AppState, blocking};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ann@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery")]
    pub password: String,
}

/// Trades email and password for a token pair, starting a new session.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "invalid_credentials", body = crate::error::ErrorBody),
        (status = 429, description = "login_throttled or too_many_requests; see Retry-After", body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "seconds to wait"))),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    let email = EmailAddress::parse(&email)?;
    let password = Password::parse(password)?;
    let ip = client_ip(&req, &state.settings);
    let throttle = LoginThrottle::new(&*state.bus, &state.settings.limits, &ip, email.as_str());
    throttle.check().await?;

    let lookup = email.as_str().to_owned();
    let owner = state
        .db(move |conn| Ok(owners::find_by_email(conn, &lookup)?))
        .await?;
    // An unknown email still pays for one bcrypt verification, so timing does not tell
    // which accounts exist.
    let hash = owner
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |o| o.password_hash.clone());
    let matches = blocking(move || password.matches(&hash)).await?;
    let Some(owner) = owner.filter(|_| matches) else {
        throttle.failed().await?;
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "wrong email or password",
        ));
    };
    throttle.succeeded().await?;
    let pair = start_session(&state, owner.id).await?;
    Ok(HttpResponse::Ok().json(pair))
}
