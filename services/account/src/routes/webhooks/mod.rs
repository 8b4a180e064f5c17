//! A site's webhook endpoints and their delivery logs, under `/sites/{id}/webhooks`. Every
//! lookup goes through the signed-in owner's site: another owner's endpoint is "not
//! found". One handler per file; what they share is here.

pub mod create;
pub mod delete;
pub mod deliveries;
pub mod list;
pub mod redeliver;
pub mod update;

use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{DeliveryId, SiteId, WebhookId};
use pintalk_core::webhook::{DeliveryStatus, WebhookEvent, WebhookEvents};
use pintalk_db::models::{Delivery, Webhook};
use pintalk_db::{DbConnection, sites};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;
use crate::webhooks::target::WebhookUrl;

/// An endpoint as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: WebhookId,
    pub site_id: SiteId,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    /// The signing secret: in the answer to the endpoint's creation only, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookView {
    pub(crate) fn new(webhook: Webhook) -> Self {
        WebhookView {
            id: webhook.id,
            site_id: webhook.site_id,
            url: webhook.url,
            events: webhook.events.as_slice().to_vec(),
            enabled: webhook.enabled,
            secret: None,
            created_at: rfc3339(webhook.created_at),
            updated_at: rfc3339(webhook.updated_at),
        }
    }
}

/// One event's delivery to an endpoint, with how its attempts went.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: DeliveryId,
    /// The event's stable id (also the `PinTalk-Event-Id` header and the body's `id`).
    pub event_id: String,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The JSON body, as sent on every attempt.
    pub payload: String,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    /// The HTTP status of the last answer, if one came.
    pub last_status: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
}

impl DeliveryView {
    pub(crate) fn new(d: Delivery) -> Self {
        DeliveryView {
            id: d.id,
            event_id: d.event_id,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            payload: d.payload,
            created_at: rfc3339(d.created_at),
            last_attempt_at: d.last_attempt_at.map(rfc3339),
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: (d.status == DeliveryStatus::Pending).then(|| rfc3339(d.next_at)),
            delivered_at: d.delivered_at.map(rfc3339),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    /// The site's id.
    pub id: SiteId,
    /// The endpoint's id.
    pub webhook: WebhookId,
}

/// Fails with "not found" unless `site` is the owner's.
pub(crate) fn owned_site(
    conn: &mut DbConnection,
    granted: &[SiteId],
    site: SiteId,
) -> Result<(), ApiError> {
    sites::find_in(conn, granted, site)?.ok_or_else(|| ApiError::not_found("site"))?;
    Ok(())
}

/// The owner's endpoint `path` names, or "not found".
pub(crate) async fn owned_webhook(
    state: &AppState,
    granted: Vec<SiteId>,
    path: &WebhookPath,
) -> Result<Webhook, ApiError> {
    let (site, id) = (path.id, path.webhook);
    state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            pintalk_db::webhooks::find_for_site(conn, site, id)?
                .ok_or_else(|| ApiError::not_found("webhook"))
        })
        .await
}

/// Checks a URL against the settings.
pub(crate) fn checked_url(state: &AppState, raw: &str) -> Result<String, ApiError> {
    let allow_private = state.settings.webhooks.allow_private_targets;
    Ok(WebhookUrl::parse(raw, allow_private)?.as_str().to_owned())
}

/// Checks a subscription: at least one event.
pub(crate) fn checked_events(events: Vec<WebhookEvent>) -> Result<WebhookEvents, ApiError> {
    WebhookEvents::new(events).map_err(|e| ApiError::invalid_field("events", &e.to_string()))
}
