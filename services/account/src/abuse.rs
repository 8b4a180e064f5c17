//! A site's abuse controls as the widget endpoints apply them: IP bans (a banned visitor
//! gets no widget and no session) and the site's own limits on sessions, new
//! conversations and messages, with the global `limits.*` as defaults.

use pintalk_core::ids::SiteId;
use pintalk_core::network::{address_key, client_address};
use pintalk_core::settings::LimitSettings;
use pintalk_db::models::SiteLimits;
use pintalk_db::{DbConnection, DbError, bans};

/// Whether a ban of `site` covers the client address `ip` (as `limits::client_ip` gave
/// it) at `now`. An address that cannot be read is never banned.
pub fn is_banned(
    conn: &mut DbConnection,
    site: SiteId,
    ip: &str,
    now: i64,
) -> Result<bool, DbError> {
    let Some(address) = client_address(ip) else {
        return Ok(false);
    };
    Ok(bans::covering(conn, site, &address_key(address), now)?.is_some())
}

/// The limits that apply to a site: its own where it set them, else the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectiveLimits {
    /// Widget sessions one IP may start on the site per `limits.sessions_window_secs`.
    pub sessions_per_ip: u32,
    /// New conversations one IP may start on the site per
    /// `limits.conversations_window_secs`.
    pub conversations_per_ip: u32,
    /// Messages one visitor may send per minute (carried to the gateway by the ticket).
    pub messages_per_minute: u32,
}

impl EffectiveLimits {
    pub fn of(site: &SiteLimits, defaults: &LimitSettings) -> Self {
        let or = |own: Option<i64>, default: u32| {
            own.and_then(|n| u32::try_from(n).ok()).unwrap_or(default)
        };
        EffectiveLimits {
            sessions_per_ip: or(site.sessions_per_ip, defaults.sessions_per_ip),
            conversations_per_ip: or(site.conversations_per_ip, defaults.conversations_per_ip),
            messages_per_minute: or(
                site.messages_per_minute,
                defaults.visitor_messages_per_minute,
            ),
        }
    }
}
