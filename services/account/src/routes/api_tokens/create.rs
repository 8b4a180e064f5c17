//! `POST /api/v1/api-tokens`.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::api_token::{ApiScope, new_api_token};
use pintalk_core::ids::{ApiTokenId, WorkspaceId};
use pintalk_core::secret::token_hash;
use pintalk_db::api_tokens::{self, Created};
use pintalk_db::models::ApiToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiTokenView, MAX_API_TOKENS};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::domain::text::bounded;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiTokenRequest {
    /// The workspace whose sites it reaches; absent: the caller's own.
    #[serde(default)]
    pub workspace_id: Option<WorkspaceId>,
    /// What the token is for, 1 to 100 characters ("support bot").
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// `read`: list and read conversations. `write`: also post, close, reopen, assign.
    pub scope: ApiScope,
}

/// A new token: the only answer that holds `token`.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub view: ApiTokenView,
    /// `pt_...`: send it as `Authorization: Bearer <token>`. Shown this once; only its
    /// hash is kept.
    pub token: String,
}

/// Creates an API token for a bot or back office. Needs an owner's access token.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "api-tokens",
    security(("bearer" = [])), request_body = CreateApiTokenRequest,
    responses((status = 201, body = CreatedApiToken),
        (status = 403, body = crate::error::ErrorBody, description = "api_token_not_allowed"),
        (status = 404, body = crate::error::ErrorBody, description = "`workspace_id` names no workspace of the caller's"),
        (status = 409, body = crate::error::ErrorBody, description = "api_tokens_full")))]
pub async fn create_api_token(
    state: web::Data<AppState>,
    auth: SessionAccess,
    body: Json<CreateApiTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let workspace_id = auth.acting_in(body.workspace_id, Action::ManageApiTokens)?;
    let name = bounded("name", &body.name, 1, 100, false)?;
    let token = new_api_token();
    let row = ApiToken {
        id: ApiTokenId::new(),
        owner_id: auth.owner.id,
        workspace_id,
        name,
        scope: body.scope,
        token_hash: token_hash(&token),
        created_at: state.clock.now_ms(),
        last_used_at: None,
    };
    let stored = row.clone();
    let created = state
        .db(move |conn| Ok(api_tokens::create(conn, &stored, MAX_API_TOKENS)?))
        .await?;
    if created == Created::Full {
        return Err(ApiError::new(
            ErrorCode::ApiTokensFull,
            format!("at most {MAX_API_TOKENS} API tokens; revoke one first"),
        ));
    }
    Ok(HttpResponse::Created().json(CreatedApiToken {
        view: row.into(),
        token,
    }))
}
