//! Owner authentication: the [`AuthOwner`] extractor a handler takes to require a valid
//! access token, and the issuing of token pairs.

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::api_token::is_api_token;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, RoomId, SessionId};
use pintalk_core::secret::{new_token, token_hash};
use pintalk_core::token::{AccessGrant, LEEWAY_SECS, VisitorSocketGrant};
use pintalk_db::models::Owner;
use pintalk_db::sessions;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Actor, ReadAccess};
use crate::error::ApiError;
use crate::state::AppState;

/// The owner behind a valid access token whose session is still live.
pub struct AuthOwner {
    pub owner: Owner,
    pub session: SessionId,
}

impl FromRequest for AuthOwner {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no state")))?;
            let token = token?;
            if is_api_token(&token) {
                return Err(crate::access::api_token_not_allowed());
            }
            session_owner(&state, &token).await
        })
    }
}

/// The owner of a live session behind the access token `token` (a JWT).
pub(crate) async fn session_owner(state: &AppState, token: &str) -> Result<AuthOwner, ApiError> {
    let invalid = || ApiError::new(ErrorCode::InvalidToken, "the access token is not valid");
    let claims = state
        .signer
        .verifier()
        .verify::<AccessGrant>(token)
        .map_err(|e| {
            log::debug!("access token refused: {e}");
            invalid()
        })?;
    let owner_id: OwnerId = claims.sub.parse().map_err(|_| invalid())?;
    let session = claims.grant.sid;
    let owner = state
        .db(move |conn| Ok(sessions::live_owner(conn, owner_id, session)?))
        .await?
        .ok_or_else(invalid)?;
    Ok(AuthOwner { owner, session })
}

pub(crate) fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingToken,
            "send Authorization: Bearer <token>",
        )
    })?;
    let value = value.to_str().unwrap_or_default();
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(ApiError::new(
            ErrorCode::InvalidToken,
            "the Authorization header is not a bearer token",
        )),
    }
}

/// A fresh access token and refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer`, valid `expires_in` seconds.
    pub access_token: String,
    /// Opaque; trade it at `/auth/refresh` for a new pair. Works once.
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Lifetime of `access_token` in seconds.
    pub expires_in: u64,
}

/// Starts a new session for `owner` and returns its first token pair.
pub async fn start_session(state: &AppState, owner: OwnerId) -> Result<TokenPair, ApiError> {
    let refresh_token = new_token();
    let hash = token_hash(&refresh_token);
    let ttl_ms =
        i64::try_from(state.settings.auth.refresh_token_ttl_days * 86_400_000).unwrap_or(i64::MAX);
    let expires_at = now_ms().saturating_add(ttl_ms);
    let session = state
        .db(move |conn| Ok(sessions::start(conn, owner, &hash, expires_at)?))
        .await?;
    token_pair(state, owner, session.id, refresh_token)
}

/// An access token for `session` paired with the given refresh token.
pub fn token_pair(
    state: &AppState,
    owner: OwnerId,
    session: SessionId,
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    let ttl = state.settings.auth.access_token_ttl_secs;
    let access_token = state
        .signer
        .sign(
            &owner.to_string(),
            Duration::from_secs(ttl),
            AccessGrant { sid: session },
        )
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in: ttl,
    })
}

/// Who may read a room's history: the owner (access token or a read API token, see
/// [`crate::access`]), or a visitor with the socket token of their session, for their own
/// room only.
pub enum Reader {
    Owner(Box<Actor>),
    Visitor {
        room: RoomId,
        /// The page origin the visitor's session was issued for.
        origin: String,
    },
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let member = ReadAccess::from_request(req, payload);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no state")))?;
            if let Ok(claims) = state
                .signer
                .verifier()
                .verify::<VisitorSocketGrant>(&token?)
            {
                return Ok(Reader::Visitor {
                    room: claims.grant.room,
                    origin: claims.grant.origin,
                });
            }
            Ok(Reader::Owner(Box::new(member.await?.0)))
        })
    }
}

/// Tells every gateway that what `account` may reach changed (removed from a workspace, a
/// site taken away, a workspace deleted): the tickets of their live sessions issued until
/// now are refused, and their open sockets get an `access_changed` error and close with
/// 4003. The dashboard then fetches a new ticket, which grants what they may reach now.
/// Call after the change is committed in SQL.
pub async fn end_access(state: &AppState, account: OwnerId) {
    let sessions = match state
        .db(move |conn| Ok(sessions::live_of(conn, account)?))
        .await
    {
        Ok(sessions) => sessions,
        Err(e) => {
            log::warn!("could not find the sessions of {account} to end their access: {e:?}");
            return;
        }
    };
    close_sockets(
        state,
        &sessions,
        ErrorCode::AccessChanged,
        "what you may see changed; reconnect",
    )
    .await;
}

/// Tells every gateway that `sessions` ended (logout, refresh-token reuse, logout-all, a
/// password change or reset): their unused tickets are refused from now on, and their
/// open sockets get a `session_revoked` error and close with 4003. Other sessions'
/// sockets stay open. Call after the sessions are revoked in SQL.
pub async fn end_sessions(state: &AppState, sessions: &[SessionId]) {
    close_sockets(
        state,
        sessions,
        ErrorCode::SessionRevoked,
        "your session ended; sign in again",
    )
    .await;
}

/// Refuses the tickets `sessions` were issued so far and closes their sockets with an
/// error `code`.
async fn close_sockets(state: &AppState, sessions: &[SessionId], code: ErrorCode, why: &str) {
    if sessions.is_empty() {
        return;
    }
    // As long as a ticket they issued can still be accepted.
    let ttl = Duration::from_secs(state.settings.gateway.token_ttl_secs + LEEWAY_SECS);
    if let Err(e) = state.bus.revoke_sessions(sessions, now_ms(), ttl).await {
        log::warn!(
            "could not refuse the tickets of {} ended sessions: {e}",
            sessions.len()
        );
    }
    // A changed access is retried with a new ticket; an ended session is not.
    let frame =
        pintalk_core::protocol::ServerFrame::error(code, why, code == ErrorCode::AccessChanged);
    let topics: Vec<Topic> = sessions.iter().map(|s| Topic::Session(*s)).collect();
    if let Err(e) = state.bus.publish(&topics, frame.to_text().into()).await {
        log::warn!(
            "could not close the sockets of {} ended sessions: {e}",
            sessions.len()
        );
    }
}
