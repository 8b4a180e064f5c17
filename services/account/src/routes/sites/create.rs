//! `POST /api/v1/sites`: registers a site.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{SiteId, WorkspaceId};
use pintalk_db::models::{Site, SiteChange};
use pintalk_db::{sites, workspaces};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{SiteView, allowed_origins as checked_origins, new_site_key};
use crate::access::SessionAccess;
use crate::body::Json;
use crate::domain::text::bounded;
use crate::domain::widget::{self, WidgetSettingsChange, defaults};
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSiteRequest {
    /// The workspace it is for; absent: the caller's own.
    #[serde(default)]
    pub workspace_id: Option<WorkspaceId>,
    /// 1 to 100 characters.
    #[schema(example = "Ann's shop")]
    pub name: String,
    /// Exact `scheme://host[:port]` entries.
    #[serde(default)]
    #[schema(example = json!(["https://shop.example.com"]))]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub widget: Option<WidgetSettingsChange>,
}

/// Registers a site.
#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", security(("bearer" = [])),
    request_body = CreateSiteRequest,
    responses(
        (status = 201, body = SiteView),
        (status = 429, description = "too_many_requests: the workspace has the maximum number of sites", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "`workspace_id` names no workspace of the caller's"),
    ))]
pub async fn create_site(
    state: web::Data<AppState>,
    auth: SessionAccess,
    body: Json<CreateSiteRequest>,
) -> Result<HttpResponse, ApiError> {
    let CreateSiteRequest {
        workspace_id,
        name,
        allowed_origins,
        widget,
    } = body.into_inner();
    let workspace_id = auth.acting_in(workspace_id, Action::ManageSites)?;
    let limits = &state.settings.limits;
    let name = bounded("name", &name, 1, 100, false)?;
    let allowed_origins = checked_origins(allowed_origins, limits.origins_per_site)?;
    let mut change = SiteChange::default();
    widget::apply(widget.unwrap_or_default(), &mut change)?;
    let now = now_ms();
    let site = Site {
        id: SiteId::new(),
        // Set to the workspace owner's account below, in the same transaction.
        owner_id: auth.owner.id,
        workspace_id,
        title: change.title.unwrap_or_else(|| defaults::TITLE.into()),
        greeting: change.greeting.unwrap_or_else(|| defaults::GREETING.into()),
        accent_color: change
            .accent_color
            .unwrap_or_else(|| defaults::ACCENT_COLOR.into()),
        position: change.position.unwrap_or_default(),
        language: change.language.unwrap_or_default(),
        away_message: change
            .away_message
            .unwrap_or_else(|| defaults::AWAY_MESSAGE.into()),
        show_owner_status: change.show_owner_status.unwrap_or(true),
        business_hours: change.business_hours.flatten(),
        email_field: change.email_field.unwrap_or_default(),
        reply_time: change.reply_time.unwrap_or_default(),
        name,
        site_key: new_site_key(),
        allowed_origins,
        created_at: now,
        updated_at: now,
    };
    let max_sites = i64::from(limits.sites_per_owner);
    let mut stored = site.clone();
    let site = state
        .db(move |conn| {
            if sites::count_in(conn, workspace_id)? >= max_sites {
                return Err(ApiError::new(
                    ErrorCode::TooManyRequests,
                    format!("a workspace can have at most {max_sites} sites"),
                ));
            }
            if let Some(owner) = workspaces::owner_of(conn, workspace_id)? {
                stored.owner_id = owner;
            }
            sites::insert(conn, stored.clone())?;
            Ok(stored)
        })
        .await?;
    Ok(HttpResponse::Created().json(SiteView::new(site, state.settings.public_base())))
}
