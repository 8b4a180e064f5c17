//! `PATCH /me`: the profile.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::now_ms;
use pintalk_core::domain::Language;
use pintalk_db::models::ProfileChange;
use pintalk_db::owners;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{OwnerView, owner_view};
use crate::auth::AuthOwner;
use crate::body::Json;
use crate::domain::text::{bounded, web_url};
use crate::error::ApiError;
use crate::routes::double_option;
use crate::state::AppState;

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
    /// The dashboard's language: `en` or `ko`.
    pub language: Option<Language>,
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
        language,
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
        language,
        updated_at: now_ms(),
    };
    let id = auth.owner.id;
    let owner = state
        .db(move |conn| {
            owners::update_profile(conn, id, &change)?;
            owners::find(conn, id)?.ok_or_else(|| ApiError::not_found("owner"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(owner_view(&state, owner).await?))
}
