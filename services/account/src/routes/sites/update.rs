//! `PATCH /api/v1/sites/{id}`: name, allow-list, widget settings.

use actix_web::{HttpResponse, web};
use pintalk_core::clock::now_ms;
use pintalk_db::models::SiteChange;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{SitePath, SiteView, allowed_origins as checked_origins, save};
use crate::auth::AuthOwner;
use crate::body::Json;
use crate::domain::text::bounded;
use crate::domain::widget::{self, WidgetSettingsChange};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSiteRequest {
    pub name: Option<String>,
    /// Replaces the whole list.
    pub allowed_origins: Option<Vec<String>>,
    pub widget: Option<WidgetSettingsChange>,
}

/// Changes a site; absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "sites", security(("bearer" = [])),
    params(SitePath), request_body = UpdateSiteRequest, responses((status = 200, body = SiteView)))]
pub async fn update_site(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SitePath>,
    body: Json<UpdateSiteRequest>,
) -> Result<HttpResponse, ApiError> {
    let UpdateSiteRequest {
        name,
        allowed_origins,
        widget,
    } = body.into_inner();
    let mut change = SiteChange {
        name: name
            .map(|n| bounded("name", &n, 1, 100, false))
            .transpose()?,
        allowed_origins: allowed_origins
            .map(|o| checked_origins(o, state.settings.limits.origins_per_site))
            .transpose()?,
        updated_at: now_ms(),
        ..SiteChange::default()
    };
    widget::apply(widget.unwrap_or_default(), &mut change)?;
    save(&state, auth, path.id, change).await
}
