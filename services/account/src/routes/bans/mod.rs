//! A site's IP and network bans, under `/sites/{id}/bans`. A banned address gets no
//! widget (`/widget/config` answers `ip_banned`) and no session. Every lookup goes
//! through the signed-in owner's site: another owner's ban is "not found". One handler
//! per file; what they share is here.

pub mod create;
pub mod delete;
pub mod list;

use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{BanId, SiteId};
use pintalk_db::models::SiteBan;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A ban as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct BanView {
    pub id: BanId,
    /// Canonical: `203.0.113.0/24`, `2001:db8::/64`; one address is a /32 or /128.
    #[schema(example = "203.0.113.0/24")]
    pub network: String,
    pub note: Option<String>,
    /// RFC 3339, UTC; absent: until deleted.
    pub expires_at: Option<String>,
    pub created_at: String,
}

impl BanView {
    pub(crate) fn new(ban: SiteBan) -> Self {
        BanView {
            id: ban.id,
            network: ban.network,
            note: ban.note,
            expires_at: ban.expires_at.map(rfc3339),
            created_at: rfc3339(ban.created_at),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BanPath {
    /// The site's id.
    pub id: SiteId,
    /// The ban's id.
    pub ban: BanId,
}
