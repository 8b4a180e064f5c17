//! `POST /api/v1/sites/{id}/webhooks`: adds an endpoint; its secret is shown this once.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::WebhookId;
use pintalk_core::secret::new_token;
use pintalk_core::webhook::WebhookEvent;
use pintalk_db::models::Webhook;
use pintalk_db::webhooks;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{WebhookView, checked_events, checked_url, owned_site};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Absolute `https://` (or `http://`) URL, at most 2000 bytes; private, loopback and
    /// link-local addresses are refused.
    #[schema(example = "https://hooks.example.com/pintalk")]
    pub url: String,
    /// At least one.
    #[schema(example = json!(["conversation.created", "message.created"]))]
    pub events: Vec<WebhookEvent>,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Adds a webhook endpoint to the site. The answer carries `secret`, which signs every
/// delivery; it is never shown again.
#[utoipa::path(post, path = "/api/v1/sites/{id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(SitePath), request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "the endpoint, with its secret", body = WebhookView),
        (status = 400, description = "invalid_webhook_url, webhook_target_refused or invalid_field", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests: the site has the maximum number of endpoints", body = crate::error::ErrorBody),
    ))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
    body: Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let CreateWebhookRequest {
        url,
        events,
        enabled,
    } = body.into_inner();
    let now = now_ms();
    let secret = format!("whsec_{}", new_token());
    let webhook = Webhook {
        id: WebhookId::new(),
        site_id: path.id,
        url: checked_url(&state, &url)?,
        events: checked_events(events)?,
        secret: secret.clone(),
        enabled: enabled.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    let (granted, max) = (
        auth.permitted(path.id, Action::ManageSites)?,
        i64::from(state.settings.webhooks.max_per_site),
    );
    let stored = webhook.clone();
    state
        .db(move |conn| {
            owned_site(conn, &granted, stored.site_id)?;
            if !webhooks::insert(conn, &stored, max)? {
                return Err(ApiError::new(
                    ErrorCode::TooManyRequests,
                    format!("a site can have at most {max} webhook endpoints"),
                ));
            }
            Ok(())
        })
        .await?;
    let mut view = WebhookView::new(webhook);
    view.secret = Some(secret);
    Ok(HttpResponse::Created().json(view))
}
