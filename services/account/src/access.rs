//! Who calls the conversation endpoints, and whether they may: the one policy for both
//! kinds of caller. An owner's access token (a dashboard session) may do everything; a
//! workspace API token (`pt_...`) only what its scope covers. A handler takes
//! [`ReadAccess`] or [`WriteAccess`] and is checked before it runs; none checks a
//! credential of its own. Until workspaces exist (issue 12) both stand for the owner.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use pintalk_core::ErrorCode;
use pintalk_core::api_token::{ApiScope, is_api_token};
use pintalk_core::ids::{ApiTokenId, SessionId};
use pintalk_core::secret::token_hash;
use pintalk_db::api_tokens;
use pintalk_db::models::Owner;

use crate::auth::{bearer_token, session_owner};
use crate::error::ApiError;
use crate::state::AppState;

/// What a caller authenticated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// An owner's access token, of this live session.
    Session(SessionId),
    /// A workspace API token and its scope.
    ApiToken { id: ApiTokenId, scope: ApiScope },
}

/// An authenticated caller acting for the owner (the workspace, until issue 12).
pub struct Actor {
    pub owner: Owner,
    pub credential: Credential,
}

impl Actor {
    /// Whether this caller may do what `needed` names: a session may do everything.
    pub fn allows(&self, needed: ApiScope) -> bool {
        match self.credential {
            Credential::Session(_) => true,
            Credential::ApiToken { scope, .. } => scope.covers(needed),
        }
    }

    /// Refuses an API token where only the owner's own session may act (an endpoint that
    /// takes both readers, such as mailing a transcript to the owner).
    pub fn session_only(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::Session(_) => Ok(()),
            Credential::ApiToken { .. } => Err(api_token_not_allowed()),
        }
    }
}

/// The refusal of an API token where only an owner's own session may act.
pub fn api_token_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::ApiTokenNotAllowed,
        "this endpoint takes an owner's access token, not an API token",
    )
}

/// A caller that may read conversations.
pub struct ReadAccess(pub Actor);

/// A caller that may also change them: post, close, reopen, assign.
pub struct WriteAccess(pub Actor);

impl Deref for ReadAccess {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0
    }
}

impl Deref for WriteAccess {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0
    }
}

impl FromRequest for ReadAccess {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = authorize(req, ApiScope::Read);
        Box::pin(async move { Ok(ReadAccess(caller.await?)) })
    }
}

impl FromRequest for WriteAccess {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = authorize(req, ApiScope::Write);
        Box::pin(async move { Ok(WriteAccess(caller.await?)) })
    }
}

/// The caller of `req`, if it presents a valid credential that allows `needed`.
fn authorize(
    req: &HttpRequest,
    needed: ApiScope,
) -> LocalBoxFuture<'static, Result<Actor, ApiError>> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let token = bearer_token(req);
    Box::pin(async move {
        let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no state")))?;
        let token = token?;
        let actor = if is_api_token(&token) {
            api_token_owner(&state, &token).await?
        } else {
            let auth = session_owner(&state, &token).await?;
            Actor {
                owner: auth.owner,
                credential: Credential::Session(auth.session),
            }
        };
        if !actor.allows(needed) {
            return Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!("this API token's scope does not include {needed}"),
            ));
        }
        Ok(actor)
    })
}

/// The owner of a live API token, whose last use is noted (at most once a minute).
async fn api_token_owner(state: &AppState, token: &str) -> Result<Actor, ApiError> {
    let hash = token_hash(token);
    // The app's clock, so a test can move it past the minute.
    let now = state.clock.now_ms();
    let (token, owner) = state
        .db(move |conn| Ok(api_tokens::authenticate(conn, &hash, now)?))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidToken,
                "the API token is not valid (revoked or never issued)",
            )
        })?;
    Ok(Actor {
        owner,
        credential: Credential::ApiToken {
            id: token.id,
            scope: token.scope,
        },
    })
}
