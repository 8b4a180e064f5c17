//! Workspace API tokens, managed by the owner from a dashboard session (an API token
//! cannot mint or revoke tokens): create (shown once), list, revoke. One handler per file.
//! Until workspaces exist (issue 12) a token belongs to the owner's account.

pub mod create;
pub mod list;
pub mod revoke;

use pintalk_core::api_token::ApiScope;
use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{ApiTokenId, WorkspaceId};
use pintalk_db::models::ApiToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Tokens one owner may hold at once.
pub const MAX_API_TOKENS: usize = 25;

/// A token as the API lists it: never the token itself.
#[derive(Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: ApiTokenId,
    /// The workspace whose sites it reaches.
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub scope: ApiScope,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When it last authenticated a request (to the minute), RFC 3339; null if never.
    pub last_used_at: Option<String>,
}

impl From<ApiToken> for ApiTokenView {
    fn from(t: ApiToken) -> Self {
        ApiTokenView {
            id: t.id,
            workspace_id: t.workspace_id,
            name: t.name,
            scope: t.scope,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ApiTokenPath {
    /// The token's id.
    pub id: ApiTokenId,
}
