//! `GET /api/v1/me/push`.

use actix_web::{HttpResponse, web};
use pintalk_db::push_subscriptions;
use serde::Serialize;
use utoipa::ToSchema;

use super::SubscriptionView;
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// What a browser needs to subscribe, and the browsers that did.
#[derive(Serialize, ToSchema)]
pub struct PushView {
    /// The server's VAPID public key (an uncompressed P-256 point, base64url): the
    /// `applicationServerKey` of `PushManager.subscribe`. `null`: this server does not
    /// push.
    pub application_server_key: Option<String>,
    /// The owner's subscribed browsers, oldest first.
    pub subscriptions: Vec<SubscriptionView>,
}

/// The server's Web Push key and the owner's subscriptions.
#[utoipa::path(get, path = "/api/v1/me/push", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = PushView)))]
pub async fn get_push(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let subscriptions = state
        .db(move |conn| Ok(push_subscriptions::of_owner(conn, owner)?))
        .await?;
    Ok(HttpResponse::Ok().json(PushView {
        application_server_key: state.vapid.as_ref().map(|v| v.application_server_key()),
        subscriptions: subscriptions.into_iter().map(Into::into).collect(),
    }))
}
