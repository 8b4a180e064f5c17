//! `DELETE /api/v1/api-tokens/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::api_tokens;

use super::ApiTokenPath;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Revokes one of the owner's API tokens: its next request is refused.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "api-tokens",
    security(("bearer" = [])), params(ApiTokenPath),
    responses((status = 204, description = "revoked"),
        (status = 403, body = crate::error::ErrorBody, description = "api_token_not_allowed")))]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<ApiTokenPath>,
) -> Result<HttpResponse, ApiError> {
    let (workspaces, id) = (auth.workspaces(Action::ManageApiTokens), path.id);
    let revoked = state
        .db(move |conn| Ok(api_tokens::revoke(conn, &workspaces, id)?))
        .await?;
    if !revoked {
        return Err(ApiError::not_found("API token"));
    }
    Ok(HttpResponse::NoContent().finish())
}
