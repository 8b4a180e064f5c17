//! Who calls, and what they may reach: the caller's credential and, loaded once per
//! request, the sites they were granted in every workspace they belong to, with their role
//! there. A member's access token (a dashboard session) may do what their role allows
//! ([`crate::policy`]); a workspace API token (`pt_...`) reads or answers the conversations
//! of its workspace's sites, as its scope covers. A handler takes [`ReadAccess`],
//! [`WriteAccess`] or [`SessionAccess`] and asks [`Actor::site`], [`Actor::workspace`] or
//! [`Actor::sites`] for the one [`Action`] it performs; none checks a credential or a role
//! of its own. A site or workspace the caller has no part in is "not found"; one where
//! their role falls short is `role_not_allowed`.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use pintalk_core::ErrorCode;
use pintalk_core::api_token::{ApiScope, is_api_token};
use pintalk_core::domain::Role;
use pintalk_core::ids::{ApiTokenId, SessionId, SiteId, WorkspaceId};
use pintalk_core::secret::token_hash;
use pintalk_db::models::{Member, Owner};
use pintalk_db::workspaces::SiteGrant;
use pintalk_db::{api_tokens, sites, workspaces};

use crate::auth::{bearer_token, session_owner};
use crate::error::ApiError;
use crate::policy::{Action, allows};
use crate::state::AppState;

/// What a caller authenticated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// An owner's access token, of this live session.
    Session(SessionId),
    /// A workspace API token and its scope.
    ApiToken { id: ApiTokenId, scope: ApiScope },
}

/// An authenticated caller: the member's account (for an API token, the member who made
/// it), how they authenticated, and what they may reach.
pub struct Actor {
    pub owner: Owner,
    pub credential: Credential,
    /// Every site the caller may reach, with their role in its workspace.
    pub grants: Vec<SiteGrant>,
    /// The caller's memberships (for an API token, one: an admin of its workspace).
    pub memberships: Vec<Member>,
}

impl Actor {
    /// The sites on which the caller may do `action`, in site-id order.
    pub fn sites(&self, action: Action) -> Vec<SiteId> {
        self.grants
            .iter()
            .filter(|g| allows(g.role, action))
            .map(|g| g.site)
            .collect()
    }

    /// Whether the caller may do `action` on `site`: not found when they have no part in
    /// it, `role_not_allowed` when their role there falls short. Returns the site's
    /// workspace.
    pub fn site(&self, site: SiteId, action: Action) -> Result<WorkspaceId, ApiError> {
        let grant = self
            .grants
            .iter()
            .find(|g| g.site == site)
            .ok_or_else(|| ApiError::not_found("site"))?;
        if !allows(grant.role, action) {
            return Err(role_not_allowed(grant.role));
        }
        Ok(grant.workspace)
    }

    /// The sites a request about `site` may touch — just that one — once the caller may do
    /// `action` there (see [`Actor::site`]); what the repositories' `find_in` scopes by.
    pub fn permitted(&self, site: SiteId, action: Action) -> Result<Vec<SiteId>, ApiError> {
        self.site(site, action)?;
        Ok(vec![site])
    }

    /// The caller's role in `workspace` if it allows `action`: not found when they are
    /// not a member, `role_not_allowed` when the role falls short.
    pub fn workspace(&self, workspace: WorkspaceId, action: Action) -> Result<Role, ApiError> {
        let member = self
            .memberships
            .iter()
            .find(|m| m.workspace_id == workspace)
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        if !allows(member.role, action) {
            return Err(role_not_allowed(member.role));
        }
        Ok(member.role)
    }

    /// The workspaces in which the caller may do `action`: their memberships whose role
    /// allows it.
    pub fn workspaces(&self, action: Action) -> Vec<WorkspaceId> {
        self.memberships
            .iter()
            .filter(|m| allows(m.role, action))
            .map(|m| m.workspace_id)
            .collect()
    }

    /// The workspace a request acts in: the one it names, or else [`Self::home_workspace`],
    /// if the caller may do `action` there.
    pub fn acting_in(
        &self,
        requested: Option<WorkspaceId>,
        action: Action,
    ) -> Result<WorkspaceId, ApiError> {
        let workspace = match requested {
            Some(workspace) => workspace,
            None => self.home_workspace()?,
        };
        self.workspace(workspace, action)?;
        Ok(workspace)
    }

    /// The workspace the caller acts in when a request names none: an API token's own,
    /// else the one the caller owns (every account owns one unless it deleted it), else
    /// their oldest membership.
    pub fn home_workspace(&self) -> Result<WorkspaceId, ApiError> {
        self.memberships
            .iter()
            .find(|m| m.role == Role::Owner)
            .or_else(|| self.memberships.first())
            .map(|m| m.workspace_id)
            .ok_or_else(|| ApiError::not_found("workspace"))
    }

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

/// The refusal of a role that does not allow what was asked.
pub fn role_not_allowed(role: Role) -> ApiError {
    ApiError::new(
        ErrorCode::RoleNotAllowed,
        format!("a workspace {role} may not do this"),
    )
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

/// A member signed in to the dashboard (an access token, never an API token): what
/// managing sites, members and settings takes.
pub struct SessionAccess {
    pub actor: Actor,
    /// The login session it acts in.
    pub session: SessionId,
}

impl Deref for SessionAccess {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl FromRequest for SessionAccess {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // An API token is refused for what it is, before its scope is looked at.
        if bearer_token(req).is_ok_and(|token| is_api_token(&token)) {
            return Box::pin(async { Err(api_token_not_allowed()) });
        }
        let caller = authorize(req, ApiScope::Write);
        Box::pin(async move {
            let actor = caller.await?;
            match actor.credential {
                Credential::Session(session) => Ok(SessionAccess { actor, session }),
                Credential::ApiToken { .. } => Err(api_token_not_allowed()),
            }
        })
    }
}

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
            let account = auth.owner.id;
            let (grants, memberships) = state
                .db(move |conn| {
                    let grants = workspaces::grants(conn, account)?;
                    let memberships = workspaces::memberships(conn, account)?;
                    Ok((grants, memberships.into_iter().map(|m| m.member).collect()))
                })
                .await?;
            Actor {
                owner: auth.owner,
                credential: Credential::Session(auth.session),
                grants,
                memberships,
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

/// The maker of a live API token, whose last use is noted (at most once a minute). It
/// stands as an admin of its workspace on every site of it: what it may do is bounded by
/// the endpoints that take an API token at all (conversations, canned replies, the site
/// list — never sites' settings, members or the account) and by its scope.
async fn api_token_owner(state: &AppState, token: &str) -> Result<Actor, ApiError> {
    let hash = token_hash(token);
    // The app's clock, so a test can move it past the minute.
    let now = state.clock.now_ms();
    let (token, owner, sites) = state
        .db(move |conn| {
            let Some((token, owner)) = api_tokens::authenticate(conn, &hash, now)? else {
                return Ok(None);
            };
            let sites = sites::of_workspace(conn, token.workspace_id)?;
            Ok(Some((token, owner, sites)))
        })
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidToken,
                "the API token is not valid (revoked or never issued)",
            )
        })?;
    let grants = sites
        .into_iter()
        .map(|site| SiteGrant {
            site: site.id,
            workspace: token.workspace_id,
            role: Role::Admin,
        })
        .collect();
    // Stands as a membership, so every workspace check treats a token as any member.
    let membership = Member {
        workspace_id: token.workspace_id,
        owner_id: owner.id,
        role: Role::Admin,
        all_sites: true,
        created_at: token.created_at,
    };
    Ok(Actor {
        owner,
        credential: Credential::ApiToken {
            id: token.id,
            scope: token.scope,
        },
        grants,
        memberships: vec![membership],
    })
}
