//! `DELETE /api/v1/sites/{id}/webhooks/{webhook}`.

use actix_web::{HttpResponse, web};
use pintalk_db::webhooks;

use super::{WebhookPath, owned_site};
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// Deletes an endpoint with its delivery log; what was queued for it is not sent.
#[utoipa::path(delete, path = "/api/v1/sites/{id}/webhooks/{webhook}", tag = "webhooks", security(("bearer" = [])),
    params(WebhookPath), responses((status = 204, description = "deleted")))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let (owner, site, id) = (auth.owner.id, path.id, path.webhook);
    let deleted = state
        .db(move |conn| {
            owned_site(conn, owner, site)?;
            Ok(webhooks::delete(conn, site, id)?)
        })
        .await?;
    if !deleted {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(HttpResponse::NoContent().finish())
}
