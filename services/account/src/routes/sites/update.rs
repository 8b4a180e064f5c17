//! `PATCH /api/v1/sites/{id}`: name, allow-list, widget settings. A change to the widget
//! settings reaches the site's open widgets at once (a `settings` frame).

use actix_web::{HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::clock::now_ms;
use pintalk_core::protocol::ServerFrame;
use pintalk_db::models::SiteChange;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{SitePath, SiteView, allowed_origins as checked_origins, save, saved};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::domain::hours::availability;
use crate::domain::text::bounded;
use crate::domain::widget::{self, WidgetSettingsChange, settings_of};
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
    auth: SessionAccess,
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
    let widget = widget.unwrap_or_default();
    let redraw = widget.changes_something();
    widget::apply(widget, &mut change)?;
    let site = save(&state, auth, path.id, change).await?;
    if redraw {
        announce(&state, &site).await;
    }
    Ok(saved(&state, site))
}

/// Tells the site's open widgets (every visitor socket of the site listens to its
/// visitors' topic) to redraw: one publication per save, however many are open. The
/// change is stored either way; a widget that misses this gets it from its next
/// `/widget/config`, so a bus failure does not fail the save.
async fn announce(state: &AppState, site: &pintalk_db::models::Site) {
    let frame = ServerFrame::Settings {
        site: site.id,
        widget: settings_of(site),
        availability: Some(availability(
            site.business_hours.as_ref().map(|h| h.hours()),
            state.clock.now_ms(),
        )),
    };
    if let Err(e) = state
        .bus
        .publish(&[Topic::SiteVisitors(site.id)], frame.to_text().into())
        .await
    {
        log::warn!("site {}: announcing its new widget settings: {e}", site.id);
    }
}
