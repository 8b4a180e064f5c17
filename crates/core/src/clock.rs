//! Time as PinTalk stores it: UTC milliseconds since the Unix epoch.

#[cfg(debug_assertions)]
use std::sync::Arc;
#[cfg(debug_assertions)]
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch, UTC — the unit of every stored timestamp.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The time the account service decides by where a delay matters: when a notification is
/// due, whether a site is within its business hours, whether a link has expired. The
/// system clock, except that tests of a debug build can move it ahead ([`Clock::advance`])
/// instead of sleeping through a delay. A release build has no way to move it: the field
/// and the method are compiled only with `debug_assertions`. (docs/decisions.md)
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// How far ahead of the system clock the tests moved this one.
    #[cfg(debug_assertions)]
    ahead_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in stored milliseconds.
    pub fn now_ms(&self) -> i64 {
        #[cfg(debug_assertions)]
        return now_ms().saturating_add(self.ahead_ms.load(Ordering::Relaxed));
        #[cfg(not(debug_assertions))]
        now_ms()
    }

    /// Moves this clock (and every clone of it) ahead by `by`: tests only.
    #[cfg(debug_assertions)]
    pub fn advance(&self, by: std::time::Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.ahead_ms.fetch_add(by, Ordering::Relaxed);
    }
}

/// Seconds since the Unix epoch, the unit JWTs use.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

/// Formats stored milliseconds as an RFC 3339 UTC string for the API.
pub fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_moves_every_clone_ahead() {
        let clock = Clock::default();
        let copy = clock.clone();
        clock.advance(std::time::Duration::from_secs(3600));
        assert!(copy.now_ms() >= now_ms() + 3_599_000);
    }

    #[test]
    fn rfc3339_formats_milliseconds_in_utc() {
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
