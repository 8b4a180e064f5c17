//! `PATCH /api/v1/sites/{id}/identity`: whether visitors must be verified.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_db::identities;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{IdentityView, check_owner};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIdentityRequest {
    pub verification_required: Option<bool>,
    pub anonymous_allowed: Option<bool>,
}

/// Changes the settings; absent fields stay as they are. New widget sessions follow at
/// once; sockets already open keep their ticket until it expires.
#[utoipa::path(patch, path = "/api/v1/sites/{id}/identity", tag = "sites", security(("bearer" = [])),
    params(SitePath), request_body = UpdateIdentityRequest,
    responses(
        (status = 200, body = IdentityView),
        (status = 409, description = "identity_not_set_up: generate the site's identity secret first", body = crate::error::ErrorBody),
    ))]
pub async fn update_identity(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
    body: Json<UpdateIdentityRequest>,
) -> Result<HttpResponse, ApiError> {
    let UpdateIdentityRequest {
        verification_required,
        anonymous_allowed,
    } = body.into_inner();
    let (granted, site) = (auth.permitted(path.id, Action::ManageSites)?, path.id);
    let identity = state
        .db(move |conn| {
            check_owner(conn, &granted, site)?;
            identities::update_settings(conn, site, verification_required, anonymous_allowed)?
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::IdentityNotSetUp,
                        "this site has no identity secret yet: generate one first",
                    )
                })
        })
        .await?;
    Ok(HttpResponse::Ok().json(IdentityView::of(Some(&identity))))
}
