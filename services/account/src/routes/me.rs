//! The signed-in owner's own account.

use actix_web::{HttpResponse, web};
use diesel::Connection;
use pintalk_core::ErrorCode;
use pintalk_core::clock::{now_ms, rfc3339};
use pintalk_core::ids::OwnerId;
use pintalk_db::models::{Owner, ProfileChange};
use pintalk_db::{owners, sessions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::double_option;
use crate::auth::{AuthOwner, TokenPair, end_sessions, start_session};
use crate::body::Json;
use crate::domain::password::Password;
use crate::domain::text::{bounded, web_url};
use crate::error::ApiError;
use crate::mail;
use crate::state::{AppState, blocking};

/// An owner as the API shows them.
#[derive(Serialize, ToSchema)]
pub struct OwnerView {
    pub id: OwnerId,
    pub email: String,
    pub name: String,
    pub company: Option<String>,
    pub avatar_url: Option<String>,
    /// Until true, the owner's widgets are not live.
    pub email_verified: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<Owner> for OwnerView {
    fn from(o: Owner) -> Self {
        OwnerView {
            id: o.id,
            email: o.email,
            name: o.name,
            company: o.company,
            avatar_url: o.avatar_url,
            email_verified: o.email_verified_at.is_some(),
            created_at: rfc3339(o.created_at),
        }
    }
}

/// The signed-in owner's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = OwnerView)))]
pub async fn get_me(auth: AuthOwner) -> HttpResponse {
    HttpResponse::Ok().json(OwnerView::from(auth.owner))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// 1 to 100 characters.
    pub name: Option<String>,
    /// Up to 100 characters; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    /// An http(s) URL; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
}

/// Changes the profile; absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    request_body = UpdateMeRequest, responses((status = 200, body = OwnerView)))]
pub async fn update_me(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let UpdateMeRequest {
        name,
        company,
        avatar_url,
    } = body.into_inner();
    let change = ProfileChange {
        name: name
            .map(|n| bounded("name", &n, 1, 100, false))
            .transpose()?,
        company: company
            .map(|c| c.map(|c| bounded("company", &c, 0, 100, false)).transpose())
            .transpose()?,
        avatar_url: avatar_url
            .map(|u| u.map(|u| web_url("avatar_url", &u)).transpose())
            .transpose()?,
        updated_at: now_ms(),
    };
    let id = auth.owner.id;
    let owner = state
        .db(move |conn| {
            owners::update_profile(conn, id, &change)?;
            owners::find(conn, id)?.ok_or_else(|| ApiError::not_found("owner"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(OwnerView::from(owner)))
}

/// Deletes the account with its sites, visitors, rooms and messages. Irreversible.
#[utoipa::path(delete, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "deleted")))]
pub async fn delete_me(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let id = auth.owner.id;
    state.db(move |conn| Ok(owners::delete(conn, id)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 8 to 72 bytes.
    pub password: String,
}

/// Changes the password. Every session — this one included — ends and every older
/// access token stops working; the answer carries a fresh pair for this device.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "me", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "changed; use the new tokens", body = TokenPair),
        (status = 403, description = "wrong_password", body = crate::error::ErrorBody),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        password,
    } = body.into_inner();
    let new_password = Password::parse(password)?;
    let current_hash = auth.owner.password_hash.clone();
    let cost = state.settings.auth.bcrypt_cost;
    let new_hash = blocking(move || {
        // A current password outside the bounds cannot be the right one.
        let right = Password::parse(current_password).is_ok_and(|p| p.matches(&current_hash));
        right.then(|| new_password.hash(cost)).transpose()
    })
    .await??
    .ok_or_else(|| ApiError::new(ErrorCode::WrongPassword, "the current password is wrong"))?;
    let id = auth.owner.id;
    let ended = state
        .db(move |conn| {
            conn.transaction(|conn| {
                owners::set_password_hash(conn, id, &new_hash)?;
                sessions::revoke_all(conn, id)
            })
            .map_err(ApiError::from)
        })
        .await?;
    end_sessions(&state, &ended).await;
    let pair = start_session(&state, id).await?;
    mail::send_later(&state.mailer, mail::password_changed(&auth.owner.email));
    Ok(HttpResponse::Ok().json(pair))
}
