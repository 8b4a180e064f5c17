//! An owner's sites: allowed origins, widget settings and the public site key. Every
//! lookup is scoped to the signed-in owner; another owner's site is "not found".

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::{now_ms, rfc3339};
use pintalk_core::ids::SiteId;
use pintalk_core::secret::new_token;
use pintalk_db::models::{Site, SiteChange};
use pintalk_db::sites;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthOwner;
use crate::body::Json;
use crate::domain::origin::Origin;
use crate::domain::text::bounded;
use crate::error::ApiError;
use crate::state::AppState;

/// Which corner the widget sits in.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Left,
    Right,
}

/// The widget's interface language.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Ko,
}

/// How the widget looks and behaves on the site.
#[derive(Serialize, ToSchema)]
pub struct WidgetSettings {
    pub title: String,
    pub greeting: String,
    /// `#rrggbb`.
    pub accent_color: String,
    pub position: Position,
    pub language: Language,
    /// Shown while no owner is online.
    pub away_message: String,
    /// Whether visitors see the owner's online/away status.
    pub show_owner_status: bool,
}

/// A change to the widget's settings; absent fields stay as they are.
#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettingsChange {
    /// 1 to 60 characters.
    pub title: Option<String>,
    /// Up to 500 characters.
    pub greeting: Option<String>,
    /// `#rrggbb`.
    #[schema(example = "#4f46e5")]
    pub accent_color: Option<String>,
    pub position: Option<Position>,
    pub language: Option<Language>,
    /// Up to 500 characters.
    pub away_message: Option<String>,
    pub show_owner_status: Option<bool>,
}

/// A site as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct SiteView {
    pub id: SiteId,
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
    fn new(site: Site, public_base: &str) -> Self {
        let widget = WidgetSettings::from_site(&site);
        SiteView {
            snippet: format!(
                "<script src=\"{public_base}/widget.js\" data-site-key=\"{}\" async></script>",
                site.site_key
            ),
            allowed_origins: site.origins(),
            id: site.id,
            name: site.name,
            site_key: site.site_key,
            widget,
            created_at: rfc3339(site.created_at),
            updated_at: rfc3339(site.updated_at),
        }
    }
}

impl WidgetSettings {
    pub fn from_site(site: &Site) -> Self {
        WidgetSettings {
            title: site.title.clone(),
            greeting: site.greeting.clone(),
            accent_color: site.accent_color.clone(),
            position: if site.position == "left" {
                Position::Left
            } else {
                Position::Right
            },
            language: if site.language == "ko" {
                Language::Ko
            } else {
                Language::En
            },
            away_message: site.away_message.clone(),
            show_owner_status: site.show_owner_status,
        }
    }
}

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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSiteRequest {
    pub name: Option<String>,
    /// Replaces the whole list.
    pub allowed_origins: Option<Vec<String>>,
    pub widget: Option<WidgetSettingsChange>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitePath {
    /// The site's id.
    pub id: SiteId,
}

fn origins_json(raw: Vec<String>, max: u32) -> Result<String, ApiError> {
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
    serde_json::to_string(&origins).map_err(|e| ApiError::Internal(e.into()))
}

fn accent_color(raw: &str) -> Result<String, ApiError> {
    let ok =
        raw.len() == 7 && raw.starts_with('#') && raw[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(ApiError::invalid_field(
            "widget.accent_color",
            "must be #rrggbb",
        ))
    }
}

/// Checks a widget change into the columns it sets.
fn apply_widget(change: WidgetSettingsChange, into: &mut SiteChange) -> Result<(), ApiError> {
    into.title = change
        .title
        .map(|t| bounded("widget.title", &t, 1, 60, false))
        .transpose()?;
    into.greeting = change
        .greeting
        .map(|g| bounded("widget.greeting", &g, 0, 500, true))
        .transpose()?;
    into.accent_color = change
        .accent_color
        .as_deref()
        .map(accent_color)
        .transpose()?;
    into.position = change.position.map(|p| match p {
        Position::Left => "left".to_owned(),
        Position::Right => "right".to_owned(),
    });
    into.language = change.language.map(|l| match l {
        Language::En => "en".to_owned(),
        Language::Ko => "ko".to_owned(),
    });
    into.away_message = change
        .away_message
        .map(|a| bounded("widget.away_message", &a, 0, 500, true))
        .transpose()?;
    into.show_owner_status = change.show_owner_status;
    Ok(())
}

/// A fresh public site key.
fn new_site_key() -> String {
    format!("pk_{}", &new_token()[..32])
}

/// The owner's sites.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", security(("bearer" = [])),
    responses((status = 200, body = Vec<SiteView>)))]
pub async fn list_sites(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let list = state
        .db(move |conn| Ok(sites::list_for_owner(conn, owner)?))
        .await?;
    let base = state.settings.public_base();
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(|s| SiteView::new(s, base))
            .collect::<Vec<_>>(),
    ))
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
    let allowed_origins = origins_json(allowed_origins, limits.origins_per_site)?;
    let mut change = SiteChange::default();
    apply_widget(widget.unwrap_or_default(), &mut change)?;
    let now = now_ms();
    let site = Site {
        id: SiteId::new(),
        owner_id: auth.owner.id,
        title: change.title.unwrap_or_else(|| "Chat with us".into()),
        greeting: change
            .greeting
            .unwrap_or_else(|| "Hi! How can we help?".into()),
        accent_color: change.accent_color.unwrap_or_else(|| "#4f46e5".into()),
        position: change.position.unwrap_or_else(|| "right".into()),
        language: change.language.unwrap_or_else(|| "en".into()),
        away_message: change.away_message.unwrap_or_else(|| {
            "We're away right now. Leave a message and we'll get back to you.".into()
        }),
        show_owner_status: change.show_owner_status.unwrap_or(true),
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

/// One of the owner's sites.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, body = SiteView)))]
pub async fn get_site(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (owner, id) = (auth.owner.id, path.id);
    let site = state
        .db(move |conn| {
            sites::find_for_owner(conn, owner, id)?.ok_or_else(|| ApiError::not_found("site"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(SiteView::new(site, state.settings.public_base())))
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
            .map(|o| origins_json(o, state.settings.limits.origins_per_site))
            .transpose()?,
        updated_at: now_ms(),
        ..SiteChange::default()
    };
    apply_widget(widget.unwrap_or_default(), &mut change)?;
    save(&state, auth, path.id, change).await
}

/// Replaces the public site key; pages embedding the old one stop getting a widget.
#[utoipa::path(post, path = "/api/v1/sites/{id}/key", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, description = "the site with its new key", body = SiteView)))]
pub async fn rotate_key(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let change = SiteChange {
        site_key: Some(new_site_key()),
        updated_at: now_ms(),
        ..SiteChange::default()
    };
    save(&state, auth, path.id, change).await
}

async fn save(
    state: &AppState,
    auth: AuthOwner,
    id: SiteId,
    change: SiteChange,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let site = state
        .db(move |conn| {
            sites::update(conn, owner, id, &change)?.ok_or_else(|| ApiError::not_found("site"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(SiteView::new(site, state.settings.public_base())))
}

/// Deletes a site with its visitors, rooms and messages.
#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 204, description = "deleted")))]
pub async fn delete_site(
    state: web::Data<AppState>,
    auth: AuthOwner,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (owner, id) = (auth.owner.id, path.id);
    let deleted = state
        .db(move |conn| Ok(sites::delete(conn, owner, id)?))
        .await?;
    if !deleted {
        return Err(ApiError::not_found("site"));
    }
    Ok(HttpResponse::NoContent().finish())
}
