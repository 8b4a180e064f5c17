//! `DELETE /api/v1/sites/{id}/webhooks/{webhook}`.

use actix_web::{HttpResponse, web};
use pintalk_db::webhooks;

use super::{WebhookPath, owned_site};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// Deletes an endpoint with its delivery log; what was queued for it is not sent.
#[utoipa::path(delete, path = "/api/v1/sites/{id}/webhooks/{webhook}", tag = "webhooks", security(("bearer" = [])),
    params(WebhookPath), responses((status = 204, description = "deleted")))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site, id) = (
        auth.permitted(path.id, Action::ManageSites)?,
        path.id,
        path.webhook,
    );
    let deleted = state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            Ok(webhooks::delete(conn, site, id)?)
        })
        .await?;
    if !deleted {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(HttpResponse::NoContent().finish())
}
