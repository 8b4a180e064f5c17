//! `POST /api/v1/me/push/subscriptions`.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::PushSubscriptionId;
use pintalk_db::models::PushSubscription;
use pintalk_db::push_subscriptions::{self, Subscribed};
use serde::Deserialize;
use utoipa::ToSchema;

use super::SubscriptionView;
use crate::auth::AuthOwner;
use crate::body::Json;
use crate::domain::push_subscription::BrowserSubscription;
use crate::error::ApiError;
use crate::state::AppState;

/// A browser's `PushSubscription.toJSON()`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    /// The push service's URL for this browser: https, at most 1024 characters.
    #[schema(max_length = 1024)]
    pub endpoint: String,
    /// When the browser says the subscription ends (ms since the epoch); not used.
    #[serde(default, rename = "expirationTime")]
    pub expiration_time: Option<f64>,
    pub keys: SubscriptionKeys,
}

/// The keys a push is encrypted for (RFC 8291), base64url.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, uncompressed (65 bytes).
    #[schema(max_length = 100)]
    pub p256dh: String,
    /// The browser's authentication secret (16 bytes).
    #[schema(max_length = 40)]
    pub auth: String,
}

/// Subscribes one of the owner's browsers to pushes of unread visitor messages. An
/// endpoint the owner subscribed before keeps its id and takes the new keys.
#[utoipa::path(post, path = "/api/v1/me/push/subscriptions", tag = "me",
    security(("bearer" = [])), request_body = SubscribeRequest,
    responses((status = 201, body = SubscriptionView),
        (status = 400, body = crate::error::ErrorBody, description = "invalid_push_subscription"),
        (status = 409, body = crate::error::ErrorBody, description = "push_subscriptions_full, push_disabled")))]
pub async fn subscribe(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<SubscribeRequest>,
) -> Result<HttpResponse, ApiError> {
    if state.vapid.is_none() {
        return Err(ApiError::new(
            ErrorCode::PushDisabled,
            "this server has no Web Push key (push.vapid_key)",
        ));
    }
    let body = body.into_inner();
    let push = &state.settings.push;
    let browser = BrowserSubscription::parse(
        &body.endpoint,
        &body.keys.p256dh,
        &body.keys.auth,
        push.allow_insecure_endpoints,
    )?;
    let subscription = PushSubscription {
        id: PushSubscriptionId::new(),
        owner_id: auth.owner.id,
        endpoint: browser.endpoint,
        p256dh: browser.p256dh,
        auth: browser.auth,
        created_at: now_ms(),
    };
    let max = push.max_subscriptions;
    let stored = subscription.clone();
    let subscribed = state
        .db(move |conn| Ok(push_subscriptions::subscribe(conn, &stored, max)?))
        .await?;
    match subscribed {
        Subscribed::Stored(id) => Ok(HttpResponse::Created().json(SubscriptionView::from(
            PushSubscription { id, ..subscription },
        ))),
        Subscribed::Full => Err(ApiError::new(
            ErrorCode::PushSubscriptionsFull,
            format!("at most {max} browsers per account; unsubscribe one first"),
        )),
    }
}
