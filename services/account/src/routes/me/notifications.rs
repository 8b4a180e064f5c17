//! `GET`/`PUT /me/notifications`: how the owner hears of conversations nobody read.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::now_ms;
use pintalk_core::domain::EmailNotifications;
use pintalk_db::notifications;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthOwner;
use crate::body::Json;
use crate::error::ApiError;
use crate::state::AppState;

/// An owner's notification choices.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// `off`, `each` (a mail per conversation nobody read within the unread delay; the
    /// default) or `digest` (one mail per digest period).
    pub email: EmailNotifications,
}

/// The owner's notification choices.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings)))]
pub async fn get_notifications(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let email = state
        .db(move |conn| Ok(notifications::email_setting(conn, owner)?))
        .await?;
    Ok(HttpResponse::Ok().json(NotificationSettings { email }))
}

/// Sets the owner's notification choices; `off` also drops the mails already scheduled.
#[utoipa::path(put, path = "/api/v1/me/notifications", tag = "me", security(("bearer" = [])),
    request_body = NotificationSettings, responses((status = 200, body = NotificationSettings)))]
pub async fn put_notifications(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let email = body.into_inner().email;
    state
        .db(move |conn| {
            Ok(notifications::set_email_setting(
                conn,
                owner,
                email,
                now_ms(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(NotificationSettings { email }))
}
