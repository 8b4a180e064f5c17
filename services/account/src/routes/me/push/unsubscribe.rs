//! `DELETE /api/v1/me/push/subscriptions/{id}`.

use actix_web::{HttpResponse, web};
use pintalk_db::push_subscriptions;

use super::SubscriptionPath;
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// Stops pushing to one of the owner's browsers.
#[utoipa::path(delete, path = "/api/v1/me/push/subscriptions/{id}", tag = "me",
    security(("bearer" = [])), params(SubscriptionPath),
    responses((status = 204, description = "no longer pushed to"),
        (status = 404, body = crate::error::ErrorBody, description = "no such subscription of the owner's")))]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SubscriptionPath>,
) -> Result<HttpResponse, ApiError> {
    let (owner, id) = (auth.owner.id, path.id);
    let deleted = state
        .db(move |conn| Ok(push_subscriptions::unsubscribe(conn, owner, id)?))
        .await?;
    if !deleted {
        return Err(ApiError::not_found("push subscription"));
    }
    Ok(HttpResponse::NoContent().finish())
}
