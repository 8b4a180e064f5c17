//! `POST /api/v1/sites/{id}/webhooks/{webhook}/deliveries/{delivery}/redeliver`.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{DeliveryId, SiteId, WebhookId};
use pintalk_db::deliveries;
use serde::Deserialize;

use super::{DeliveryView, WebhookPath, owned_webhook};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The site's id.
    pub id: SiteId,
    /// The endpoint's id.
    pub webhook: WebhookId,
    /// The delivery's id.
    pub delivery: DeliveryId,
}

/// Sends a delivery again, now, with the same event id and body (and a fresh signature),
/// retried as a new event would be; delivered or failed ones alike.
#[utoipa::path(post, path = "/api/v1/sites/{id}/webhooks/{webhook}/deliveries/{delivery}/redeliver",
    tag = "webhooks", security(("bearer" = [])), params(DeliveryPath),
    responses((status = 202, description = "queued again", body = DeliveryView)))]
pub async fn redeliver(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<DeliveryPath>,
) -> Result<HttpResponse, ApiError> {
    let endpoint = WebhookPath {
        id: path.id,
        webhook: path.webhook,
    };
    let webhook = owned_webhook(
        &state,
        auth.permitted(endpoint.id, Action::ManageSites)?,
        &endpoint,
    )
    .await?;
    let (id, now) = (path.delivery, now_ms());
    let delivery = state
        .db(move |conn| {
            deliveries::redeliver(conn, webhook.id, id, now)?
                .ok_or_else(|| ApiError::not_found("delivery"))
        })
        .await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::new(delivery)))
}
