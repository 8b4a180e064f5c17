//! `GET /widget/config`: how the widget looks.

use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::availability::Availability;
use pintalk_core::ids::SiteId;
use serde::Serialize;
use utoipa::ToSchema;

use super::{SiteKeyQuery, site_for_origin, with_cors};
use crate::domain::hours::availability;
use crate::domain::widget::settings_of;
use crate::error::ApiError;
use crate::limits::client_ip;
use crate::state::AppState;
use pintalk_core::domain::WidgetSettings;

/// What the widget needs to draw itself.
#[derive(Serialize, ToSchema)]
pub struct WidgetConfig {
    pub site_id: SiteId,
    #[serde(flatten)]
    pub settings: WidgetSettings,
    /// Whether an owner of the site has a socket open now.
    pub owner_online: bool,
    /// Whether the site is within its business hours now, and when that changes. The
    /// widget is away outside them, or while no owner is online.
    pub availability: Availability,
    /// Whether a visitor the page does not identify with a valid `user_hash` may chat;
    /// when not, the widget stays hidden for them. Never the identity secret.
    pub anonymous_allowed: bool,
}

/// The widget's appearance for the site whose key it carries.
#[utoipa::path(get, path = "/api/v1/widget/config", tag = "widget", params(SiteKeyQuery,
        ("Origin" = String, Header, description = "the embedding page's origin; must be on the site's allow-list")),
    responses(
        (status = 200, body = WidgetConfig),
        (status = 403, description = "origin_not_allowed, site_not_live (the owner has not verified their email), or ip_banned (the site banned this address or its network: the widget shows nothing)", body = crate::error::ErrorBody),
        (status = 404, description = "no site has this key", body = crate::error::ErrorBody),
    ))]
pub async fn config(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SiteKeyQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site, origin, verified) = site_for_origin(&state, &req, &query.site_key).await?;
    let ip = client_ip(&req, &state.settings);
    let (site_id, now) = (site.id, state.clock.now_ms());
    let banned = state
        .db(move |conn| Ok(crate::abuse::is_banned(conn, site_id, &ip, now)?))
        .await?;
    // A banned visitor's widget gets no settings, so it shows nothing (as for a site that
    // is not live); the code tells the page's developer why.
    let response = if banned {
        actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::IpBanned,
            "this site does not accept chats from this network",
        ))
    } else if verified {
        let owner_online = state
            .bus
            .presence_count(&pintalk_bus::presence::owner_key(site.id))
            .await?
            > 0;
        let site_id = site.id;
        let identity = state
            .db(move |conn| Ok(pintalk_db::identities::find(conn, site_id)?))
            .await?;
        HttpResponse::Ok().json(WidgetConfig {
            site_id: site.id,
            settings: settings_of(&site),
            owner_online,
            availability: availability(
                site.business_hours.as_ref().map(|h| h.hours()),
                state.clock.now_ms(),
            ),
            anonymous_allowed: identity
                .is_none_or(|i| !i.verification_required || i.anonymous_allowed),
        })
    } else {
        actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::SiteNotLive,
            "this site's owner has not verified their email yet",
        ))
    };
    Ok(with_cors(response, &origin))
}
