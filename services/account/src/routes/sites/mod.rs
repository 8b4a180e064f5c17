//! An owner's sites: allowed origins, widget settings and the public site key. Every
//! lookup is scoped to the signed-in owner; another owner's site is "not found". One
//! handler per file; what they share is here.

pub mod blocked;
pub mod create;
pub mod delete;
pub mod get;
pub mod identity;
pub mod labels;
pub mod list;
pub mod ratings;
pub mod retention;
pub mod rotate_key;
pub mod update;

use pintalk_core::clock::rfc3339;
use pintalk_core::domain::{AllowedOrigins, WidgetSettings};
use pintalk_core::ids::{SiteId, WorkspaceId};
use pintalk_core::secret::new_token;
use pintalk_db::models::{Site, SiteChange};
use pintalk_db::sites;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::SessionAccess;
use crate::domain::origin::Origin;
use crate::domain::widget::settings_of;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;
use actix_web::HttpResponse;

/// A site as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct SiteView {
    pub id: SiteId,
    /// The workspace it belongs to.
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The public key the widget carries.
    pub site_key: String,
    /// Exact origins the widget may run on.
    pub allowed_origins: Vec<String>,
    pub widget: WidgetSettings,
    /// The line to paste into the site's pages.
    pub snippet: String,
    pub created_at: String,
    pub updated_at: String,
}

impl SiteView {
    pub(crate) fn new(site: Site, public_base: &str) -> Self {
        let widget = settings_of(&site);
        SiteView {
            snippet: format!(
                "<script src=\"{public_base}/widget.js\" data-site-key=\"{}\" async></script>",
                site.site_key
            ),
            allowed_origins: site.allowed_origins.as_slice().to_vec(),
            id: site.id,
            workspace_id: site.workspace_id,
            name: site.name,
            site_key: site.site_key,
            widget,
            created_at: rfc3339(site.created_at),
            updated_at: rfc3339(site.updated_at),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitePath {
    /// The site's id.
    pub id: SiteId,
}

/// Checks an allow-list: at most `max` exact origins, duplicates dropped.
pub(crate) fn allowed_origins(raw: Vec<String>, max: u32) -> Result<AllowedOrigins, ApiError> {
    if raw.len() > usize::try_from(max).unwrap_or(usize::MAX) {
        return Err(ApiError::invalid_field(
            "allowed_origins",
            &format!("at most {max} origins"),
        ));
    }
    let mut origins = Vec::with_capacity(raw.len());
    for origin in raw {
        let origin = Origin::parse(&origin)?.into_string();
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(AllowedOrigins::new(origins))
}

/// A fresh public site key.
pub(crate) fn new_site_key() -> String {
    format!("pk_{}", &new_token()[..32])
}

pub(crate) async fn save(
    state: &AppState,
    auth: SessionAccess,
    id: SiteId,
    change: SiteChange,
) -> Result<Site, ApiError> {
    let granted = auth.permitted(id, Action::ManageSites)?;
    state
        .db(move |conn| {
            sites::update(conn, &granted, id, &change)?.ok_or_else(|| ApiError::not_found("site"))
        })
        .await
}

/// The API's answer for a site just changed.
pub(crate) fn saved(state: &AppState, site: Site) -> HttpResponse {
    HttpResponse::Ok().json(SiteView::new(site, state.settings.public_base()))
}
