//! A site's own abuse limits, under `/sites/{id}/limits`: visitor sessions and new
//! conversations per IP per window, and messages per visitor per minute. A field left
//! null takes the server's default (`limits.*`). One handler per file.

pub mod get;
pub mod update;

use pintalk_core::settings::LimitSettings;
use pintalk_db::models::SiteLimits;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::abuse::EffectiveLimits;
use crate::error::ApiError;

/// The bounds a site may set, per field: (least, most).
const SESSIONS_PER_IP: (i64, i64) = (1, 100_000);
const CONVERSATIONS_PER_IP: (i64, i64) = (1, 100_000);
const MESSAGES_PER_MINUTE: (i64, i64) = (1, 1_000);

/// The site's limits: what it set (null: the default), and what applies.
#[derive(Serialize, ToSchema)]
pub struct LimitsView {
    /// Visitor sessions (widget starts) one IP may make on this site per window.
    pub sessions_per_ip: Option<i64>,
    /// New conversations one IP may start on this site per window.
    pub conversations_per_ip: Option<i64>,
    /// Messages one visitor may send per minute, over all their sockets.
    pub messages_per_minute: Option<i64>,
    /// What applies now: the site's own values, or the server's defaults.
    pub effective: EffectiveView,
}

/// The limits in force, with the windows they are counted in.
#[derive(Serialize, ToSchema)]
pub struct EffectiveView {
    pub sessions_per_ip: u32,
    pub conversations_per_ip: u32,
    pub messages_per_minute: u32,
    /// `limits.sessions_window_secs`.
    pub sessions_window_secs: u64,
    /// `limits.conversations_window_secs`.
    pub conversations_window_secs: u64,
}

impl LimitsView {
    pub(crate) fn new(limits: &SiteLimits, defaults: &LimitSettings) -> Self {
        let effective = EffectiveLimits::of(limits, defaults);
        LimitsView {
            sessions_per_ip: limits.sessions_per_ip,
            conversations_per_ip: limits.conversations_per_ip,
            messages_per_minute: limits.messages_per_minute,
            effective: EffectiveView {
                sessions_per_ip: effective.sessions_per_ip,
                conversations_per_ip: effective.conversations_per_ip,
                messages_per_minute: effective.messages_per_minute,
                sessions_window_secs: defaults.sessions_window_secs,
                conversations_window_secs: defaults.conversations_window_secs,
            },
        }
    }
}

/// The site's new limits; each field absent or null takes the server's default.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsRequest {
    /// 1 to 100000, or null.
    #[serde(default)]
    pub sessions_per_ip: Option<i64>,
    /// 1 to 100000, or null.
    #[serde(default)]
    pub conversations_per_ip: Option<i64>,
    /// 1 to 1000, or null.
    #[serde(default)]
    pub messages_per_minute: Option<i64>,
}

/// Checks one field against its bounds.
pub(crate) fn checked(
    field: &str,
    value: Option<i64>,
    (least, most): (i64, i64),
) -> Result<Option<i64>, ApiError> {
    match value {
        Some(n) if !(least..=most).contains(&n) => Err(ApiError::invalid_field(
            field,
            &format!("{least} to {most}, or null for the default"),
        )),
        other => Ok(other),
    }
}

impl LimitsRequest {
    /// The request as the row to store, checked.
    pub(crate) fn into_limits(
        self,
        site: pintalk_core::ids::SiteId,
        now: i64,
    ) -> Result<SiteLimits, ApiError> {
        Ok(SiteLimits {
            site_id: site,
            sessions_per_ip: checked("sessions_per_ip", self.sessions_per_ip, SESSIONS_PER_IP)?,
            conversations_per_ip: checked(
                "conversations_per_ip",
                self.conversations_per_ip,
                CONVERSATIONS_PER_IP,
            )?,
            messages_per_minute: checked(
                "messages_per_minute",
                self.messages_per_minute,
                MESSAGES_PER_MINUTE,
            )?,
            updated_at: now,
        })
    }
}
