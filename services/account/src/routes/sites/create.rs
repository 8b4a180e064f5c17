//! `POST /api/v1/sites`: registers a site.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::SiteId;
use pintalk_db::models::{Site, SiteChange};
use pintalk_db::sites;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{SiteView, allowed_origins as checked_origins, new_site_key};
use crate::auth::AuthOwner;
use crate::body::Json;
use crate::domain::text::bounded;
use crate::domain::widget::{self, WidgetSettingsChange, defaults};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSiteRequest {
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
        (status = 429, description = "too_many_requests: the owner has the maximum number of sites", body = crate::error::ErrorBody),
    ))]
pub async fn create_site(
    state: web::Data<AppState>,
    auth: AuthOwner,
    body: Json<CreateSiteRequest>,
) -> Result<HttpResponse, ApiError> {
    let CreateSiteRequest {
        name,
        allowed_origins,
        widget,
    } = body.into_inner();
    let limits = &state.settings.limits;
    let name = bounded("name", &name, 1, 100, false)?;
    let allowed_origins = checked_origins(allowed_origins, limits.origins_per_site)?;
    let mut change = SiteChange::default();
    widget::apply(widget.unwrap_or_default(), &mut change)?;
    let now = now_ms();
    let site = Site {
        id: SiteId::new(),
        owner_id: auth.owner.id,
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
    let stored = site.clone();
    state
        .db(move |conn| {
            if sites::count_for_owner(conn, stored.owner_id)? >= max_sites {
                return Err(ApiError::new(
                    ErrorCode::TooManyRequests,
                    format!("an owner can have at most {max_sites} sites"),
                ));
            }
            Ok(sites::insert(conn, stored)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(SiteView::new(site, state.settings.public_base())))
}
