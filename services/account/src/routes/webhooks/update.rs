//! `PATCH /api/v1/sites/{id}/webhooks/{webhook}`: changes an endpoint's URL, events or
//! whether it is enabled.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::now_ms;
use pintalk_core::webhook::WebhookEvent;
use pintalk_db::models::WebhookChange;
use pintalk_db::webhooks;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{WebhookPath, WebhookView, checked_events, checked_url, owned_site};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    /// As at creation.
    pub url: Option<String>,
    /// At least one.
    pub events: Option<Vec<WebhookEvent>>,
    /// A disabled endpoint gets no new events; what is queued for it fails.
    pub enabled: Option<bool>,
}

/// Changes an endpoint; absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/sites/{id}/webhooks/{webhook}", tag = "webhooks", security(("bearer" = [])),
    params(WebhookPath), request_body = UpdateWebhookRequest,
    responses(
        (status = 200, body = WebhookView),
        (status = 400, description = "invalid_webhook_url, webhook_target_refused or invalid_field", body = crate::error::ErrorBody),
    ))]
pub async fn update_webhook(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WebhookPath>,
    body: Json<UpdateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let UpdateWebhookRequest {
        url,
        events,
        enabled,
    } = body.into_inner();
    let change = WebhookChange {
        url: url.map(|u| checked_url(&state, &u)).transpose()?,
        events: events.map(checked_events).transpose()?,
        enabled,
        updated_at: now_ms(),
    };
    let (granted, site, id) = (
        auth.permitted(path.id, Action::ManageSites)?,
        path.id,
        path.webhook,
    );
    let webhook = state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            webhooks::update(conn, site, id, &change)?.ok_or_else(|| ApiError::not_found("webhook"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(WebhookView::new(webhook)))
}
