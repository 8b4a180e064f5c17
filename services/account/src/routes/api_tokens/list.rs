//! `GET /api/v1/api-tokens`.

use actix_web::{HttpResponse, web};
use pintalk_db::api_tokens;

use super::ApiTokenView;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The owner's API tokens, oldest first, without the tokens themselves.
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiTokenView>),
        (status = 403, body = crate::error::ErrorBody, description = "api_token_not_allowed")))]
pub async fn list_api_tokens(
    state: web::Data<AppState>,
    auth: SessionAccess,
) -> Result<HttpResponse, ApiError> {
    let workspaces = auth.workspaces(Action::ManageApiTokens);
    let tokens = state
        .db(move |conn| Ok(api_tokens::of_workspaces(conn, &workspaces)?))
        .await?;
    Ok(HttpResponse::Ok().json(
        tokens
            .into_iter()
            .map(ApiTokenView::from)
            .collect::<Vec<_>>(),
    ))
}
