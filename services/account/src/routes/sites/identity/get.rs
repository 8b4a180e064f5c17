//! `GET /api/v1/sites/{id}/identity`.

use actix_web::{HttpResponse, web};

use super::{IdentityView, load};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::state::AppState;

/// The site's identity verification settings; the secret is never shown again.
#[utoipa::path(get, path = "/api/v1/sites/{id}/identity", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, body = IdentityView)))]
pub async fn get_identity(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let identity = load(
        &state,
        auth.permitted(path.id, Action::ManageSites)?,
        path.id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(IdentityView::of(identity.as_ref())))
}
