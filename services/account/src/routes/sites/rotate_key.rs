//! `POST /api/v1/sites/{id}/key`: a new public site key.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::now_ms;
use pintalk_db::models::SiteChange;

use super::{SitePath, SiteView, new_site_key, save, saved};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::state::AppState;

/// Replaces the public site key; pages embedding the old one stop getting a widget.
#[utoipa::path(post, path = "/api/v1/sites/{id}/key", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, description = "the site with its new key", body = SiteView)))]
pub async fn rotate_key(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let change = SiteChange {
        site_key: Some(new_site_key()),
        updated_at: now_ms(),
        ..SiteChange::default()
    };
    let site = save(&state, auth, path.id, change).await?;
    Ok(saved(&state, site))
}
