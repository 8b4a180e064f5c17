//! The one error type of the HTTP API and its one body, `{"error": code, "message": ...}`.
//!
//! Policy: a client error names a stable [`ErrorCode`] and says in plain words what to fix.
//! A server error (500) shows the client nothing of its cause; the cause is logged with
//! the request id (see `request_id.rs`), which the client gets in `x-request-id`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, error as actix_error};
use pintalk_core::ErrorCode;
use serde::Serialize;
use utoipa::ToSchema;

/// Every error response's body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code to branch on.
    pub error: ErrorCode,
    /// A human explanation; wording may change.
    pub message: String,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client can fix this one.
    #[error("{code}: {message}")]
    Client {
        code: ErrorCode,
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// A dependency is down; worth retrying later.
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// Our bug or an unexpected failure.
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A client error with `code` and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Client {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// A 429-style error telling the client when to come back.
    pub fn retry_after(code: ErrorCode, message: impl Into<String>, secs: u64) -> Self {
        ApiError::Client {
            code,
            message: message.into(),
            retry_after_secs: Some(secs.max(1)),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }

    pub fn invalid_field(field: &str, why: &str) -> Self {
        Self::new(ErrorCode::InvalidField, format!("{field}: {why}"))
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Client { code, .. } => *code,
            ApiError::Unavailable(_) => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// The HTTP status of each code; the one place that decides it.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::InvalidJson
        | C::InvalidQuery
        | C::InvalidId
        | C::InvalidField
        | C::InvalidEmail
        | C::PasswordTooShort
        | C::PasswordTooLong
        | C::PasswordUnchanged
        | C::EmailUnchanged
        | C::InvalidOrigin
        | C::InvalidWebhookUrl
        | C::WebhookTargetRefused
        | C::InvalidOneTimeToken
        | C::InvalidReopenLink
        | C::BadFrame
        | C::AlreadyAuthenticated
        | C::BodyTooLong
        | C::InvalidCid
        | C::InvalidPushSubscription => StatusCode::BAD_REQUEST,
        C::MissingToken
        | C::InvalidToken
        | C::InvalidCredentials
        | C::InvalidRefreshToken
        | C::RefreshTokenReused
        | C::SessionRevoked => StatusCode::UNAUTHORIZED,
        C::WrongPassword
        | C::OriginNotAllowed
        | C::SiteNotLive
        | C::InvalidUserHash
        | C::IdentityRequired
        | C::RoomNotGranted
        | C::VisitorBlocked
        | C::IpBanned
        | C::InsufficientScope
        | C::ApiTokenNotAllowed
        | C::NoteNotAllowed
        | C::RoleNotAllowed
        | C::AccessChanged => StatusCode::FORBIDDEN,
        C::NotFound => StatusCode::NOT_FOUND,
        C::ConversationExpired | C::VisitorErased | C::InvalidInvitation => StatusCode::GONE,
        C::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        C::EmailTaken
        | C::EmailAlreadyVerified
        | C::EmailMissing
        | C::PushSubscriptionsFull
        | C::PushDisabled
        | C::BansFull
        | C::ApiTokensFull
        | C::CannedReplyShortcutTaken
        | C::CannedRepliesFull
        | C::ConversationOpen
        | C::AlreadyMember
        | C::OwnerRequired
        | C::WorkspaceHasMembers
        | C::MembersFull
        | C::IdentityNotSetUp => StatusCode::CONFLICT,
        C::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::TooManyRequests | C::LoginThrottled | C::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        C::Unavailable | C::RoomNotReady | C::BacklogFull | C::Overloaded => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        C::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code())
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            ApiError::Client { message, .. } => message.clone(),
            ApiError::Unavailable(_) => "a dependency is unavailable; try again shortly".into(),
            ApiError::Internal(_) => "internal error; quote the x-request-id header".into(),
        };
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::Client {
            retry_after_secs: Some(secs),
            ..
        } = self
        {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(*secs)));
        }
        if status_of(self.code()) == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(ErrorBody {
            error: self.code(),
            message,
        })
    }
}

impl From<pintalk_db::DbError> for ApiError {
    fn from(e: pintalk_db::DbError) -> Self {
        match e {
            pintalk_db::DbError::Pool(_) | pintalk_db::DbError::Connection(_) => {
                ApiError::Unavailable(e.into())
            }
            e => ApiError::Internal(e.into()),
        }
    }
}

impl From<pintalk_bus::BusError> for ApiError {
    fn from(e: pintalk_bus::BusError) -> Self {
        ApiError::Unavailable(e.into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

/// Malformed or oversized JSON bodies become our error body, never actix's plain text.
pub fn json_error(err: actix_error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_error::JsonPayloadError as J;
    let api = match &err {
        J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes"),
        ),
        J::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the body must be application/json",
        ),
        J::Deserialize(e) => ApiError::new(ErrorCode::InvalidJson, e.to_string()),
        _ => ApiError::new(ErrorCode::InvalidJson, "the body could not be read"),
    };
    api.into()
}

/// A malformed query string.
pub fn query_error(err: actix_error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::new(ErrorCode::InvalidQuery, err.to_string()).into()
}

/// A path segment that does not parse (every path parameter is an id).
pub fn path_error(_: actix_error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::new(ErrorCode::InvalidId, "the id in the path is not a valid id").into()
}

/// Unknown routes get our body too.
pub async fn not_found() -> HttpResponse {
    ApiError::new(ErrorCode::NotFound, "no such endpoint").error_response()
}
