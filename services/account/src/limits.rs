//! Abuse limits: counters in the bus (shared by every account process) checked against
//! the configured bounds.

use std::time::Duration;

use actix_web::HttpRequest;
use pintalk_bus::Counters;
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::OwnerId;
use pintalk_core::settings::{LimitSettings, Settings};

use crate::error::ApiError;

/// The client's IP: the socket's peer, or the proxy's forwarded address when configured.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> String {
    let info = req.connection_info();
    let ip = if settings.server.trust_forwarded_for {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    ip.unwrap_or("unknown").to_owned()
}

/// Counts one request against `key`; true while within `limit` per `window_secs`.
pub async fn within(
    counters: &dyn Counters,
    key: &str,
    limit: u32,
    window_secs: u64,
) -> Result<bool, ApiError> {
    let counter = counters
        .hit(key, Duration::from_secs(window_secs), now_ms())
        .await?;
    Ok(counter.count <= u64::from(limit))
}

/// Counts one request against `key` and refuses it with 429 past `limit`.
pub async fn enforce(
    counters: &dyn Counters,
    key: &str,
    limit: u32,
    window_secs: u64,
) -> Result<(), ApiError> {
    if within(counters, key, limit, window_secs).await? {
        Ok(())
    } else {
        Err(ApiError::retry_after(
            ErrorCode::TooManyRequests,
            "too many requests; try again later",
            window_secs,
        ))
    }
}

/// Counts one request against `key` in a fixed window of `window_secs` (opened by the
/// first request, not moved by later ones) and refuses it with 429 past `limit`, with
/// `Retry-After` saying when the window closes.
pub async fn enforce_window(
    counters: &dyn Counters,
    key: &str,
    limit: u32,
    window_secs: u64,
    what: &str,
) -> Result<(), ApiError> {
    let window = counters
        .hit_window(key, Duration::from_secs(window_secs))
        .await?;
    if window.count <= u64::from(limit) {
        return Ok(());
    }
    Err(ApiError::retry_after(
        ErrorCode::TooManyRequests,
        format!("too many {what} from this address; try again later"),
        window.resets_in_ms.div_ceil(1000),
    ))
}

/// Counts one mail a signed-in owner asked for (`kind`: which, each counted on its own)
/// against `limits.account_mails_per_owner`; refused with 429 past it.
pub async fn enforce_owner_mails(
    counters: &dyn Counters,
    limits: &LimitSettings,
    kind: &str,
    owner: OwnerId,
) -> Result<(), ApiError> {
    enforce(
        counters,
        &format!("{kind}:owner:{owner}"),
        limits.account_mails_per_owner,
        limits.account_mails_per_owner_window_secs,
    )
    .await
}

/// Login throttling. Per IP: a plain cap on failures. Per account: after a few free
/// failures each attempt must wait twice as long as the last, up to a small maximum —
/// a delay that slows guessing to a crawl, never a lockout an attacker could use to shut
/// the real owner out.
pub struct LoginThrottle<'a> {
    counters: &'a dyn Counters,
    limits: &'a LimitSettings,
    ip_key: String,
    account_key: String,
}

impl<'a> LoginThrottle<'a> {
    pub fn new(
        counters: &'a dyn Counters,
        limits: &'a LimitSettings,
        ip: &str,
        email: &str,
    ) -> Self {
        Self {
            counters,
            limits,
            ip_key: format!("login-fail:ip:{ip}"),
            account_key: format!("login-fail:account:{email}"),
        }
    }

    /// Refuses the attempt, before the password is even checked, if it comes too soon.
    pub async fn check(&self) -> Result<(), ApiError> {
        let ip = self.counters.get(&self.ip_key).await?;
        if ip.count >= u64::from(self.limits.login_failures_per_ip) {
            return Err(ApiError::retry_after(
                ErrorCode::TooManyRequests,
                "too many failed logins from this address; try again later",
                self.limits.login_failures_per_ip_window_secs,
            ));
        }
        let account = self.counters.get(&self.account_key).await?;
        let free = u64::from(self.limits.login_free_failures);
        if account.count >= free {
            let exponent = u32::try_from((account.count - free).min(30)).unwrap_or(30);
            let delay_ms =
                (1000u64 << exponent).min(self.limits.login_max_delay_secs.saturating_mul(1000));
            let waited = u64::try_from(now_ms() - account.last_hit_ms).unwrap_or(0);
            if waited < delay_ms {
                return Err(ApiError::retry_after(
                    ErrorCode::LoginThrottled,
                    "too many failed logins for this account; wait before trying again",
                    (delay_ms - waited).div_ceil(1000),
                ));
            }
        }
        Ok(())
    }

    pub async fn failed(&self) -> Result<(), ApiError> {
        let now = now_ms();
        let window = Duration::from_secs(self.limits.login_failures_per_ip_window_secs);
        self.counters.hit(&self.ip_key, window, now).await?;
        let window = Duration::from_secs(self.limits.login_failures_window_secs);
        self.counters.hit(&self.account_key, window, now).await?;
        Ok(())
    }

    pub async fn succeeded(&self) -> Result<(), ApiError> {
        self.counters.clear(&self.account_key).await?;
        Ok(())
    }
}
