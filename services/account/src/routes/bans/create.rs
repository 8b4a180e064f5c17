//! `POST /api/v1/sites/{id}/bans`: bans an IP address or network from the site.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::ids::BanId;
use pintalk_core::network::Network;
use pintalk_db::bans;
use pintalk_db::models::SiteBan;
use serde::Deserialize;
use utoipa::ToSchema;

use super::BanView;
use crate::access::SessionAccess;
use crate::body::Json;
use crate::domain::text::bounded;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::routes::webhooks::owned_site;
use crate::state::AppState;

/// The longest expiry a ban may be given: ten years (longer is "until deleted").
const MAX_EXPIRY_SECS: u64 = 10 * 366 * 24 * 3600;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBanRequest {
    /// An address (`203.0.113.7`, `2001:db8::1`) or a network with its prefix length
    /// (`203.0.113.0/24`, `2001:db8::/64`); host bits are cleared.
    #[schema(example = "203.0.113.0/24")]
    pub network: String,
    /// Up to 500 characters: why, for the site's owners.
    #[serde(default)]
    pub note: Option<String>,
    /// The ban ends this many seconds from now (1 to ten years); absent: until deleted.
    #[serde(default)]
    pub expires_in_secs: Option<u64>,
}

/// Bans an address or network from the site's widget: its config and sessions are
/// refused with `ip_banned` from now on (sockets already open stay; block the visitor to
/// close theirs).
#[utoipa::path(post, path = "/api/v1/sites/{id}/bans", tag = "sites", security(("bearer" = [])),
    params(SitePath), request_body = CreateBanRequest,
    responses(
        (status = 201, description = "the ban", body = BanView),
        (status = 400, description = "invalid_field: the network, note or expiry", body = crate::error::ErrorBody),
        (status = 404, description = "no such site of the owner's", body = crate::error::ErrorBody),
        (status = 409, description = "bans_full: the site has limits.bans_per_site bans", body = crate::error::ErrorBody),
    ))]
pub async fn create_ban(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
    body: Json<CreateBanRequest>,
) -> Result<HttpResponse, ApiError> {
    let CreateBanRequest {
        network,
        note,
        expires_in_secs,
    } = body.into_inner();
    if network.len() > 64 {
        return Err(ApiError::invalid_field("network", "at most 64 characters"));
    }
    let network =
        Network::parse(&network).map_err(|e| ApiError::invalid_field("network", &e.to_string()))?;
    let note = note
        .map(|n| bounded("note", &n, 0, 500, true))
        .transpose()?
        .filter(|n| !n.is_empty());
    let now = state.clock.now_ms();
    let expires_at = match expires_in_secs {
        None => None,
        Some(secs @ 1..=MAX_EXPIRY_SECS) => {
            Some(now.saturating_add(i64::try_from(secs * 1000).unwrap_or(i64::MAX)))
        }
        Some(_) => {
            return Err(ApiError::invalid_field(
                "expires_in_secs",
                "1 to ten years, or absent for no expiry",
            ));
        }
    };
    let (first_key, last_key) = network.key_range();
    let ban = SiteBan {
        id: BanId::new(),
        site_id: path.id,
        network: network.to_string(),
        first_key,
        last_key,
        note,
        expires_at,
        created_at: now,
    };
    let (granted, max) = (
        auth.permitted(path.id, Action::ManageSites)?,
        i64::from(state.settings.limits.bans_per_site),
    );
    let stored = ban.clone();
    state
        .db(move |conn| {
            owned_site(conn, &granted, stored.site_id)?;
            if !bans::insert(conn, &stored, max, now)? {
                return Err(ApiError::new(
                    ErrorCode::BansFull,
                    format!("a site can hold at most {max} bans; delete one first"),
                ));
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(BanView::new(ban)))
}
