//! The links PinTalk mails with a single-use token (`{public_url}/{page}#token=…`): made in
//! one place, so every kind has the same entropy, expiry arithmetic and address form. The
//! token rides in the fragment so that it never reaches a server log.

use std::time::Duration;

use pintalk_core::clock::now_ms;
use pintalk_core::secret::{new_token, token_hash};
use pintalk_core::settings::Settings;

/// A fresh link: what to store (the hash, the expiry) and what to mail (the address).
pub struct MailLink {
    /// Only the hash is stored; the token itself exists only in the mail.
    pub token_hash: String,
    /// UTC milliseconds.
    pub expires_at: i64,
    pub url: String,
}

impl MailLink {
    /// A link to the dashboard's `page` (e.g. `verify-email`) that works for `valid_for`.
    pub fn new(settings: &Settings, page: &str, valid_for: Duration) -> Self {
        let token = new_token();
        MailLink {
            token_hash: token_hash(&token),
            expires_at: now_ms()
                .saturating_add(i64::try_from(valid_for.as_millis()).unwrap_or(i64::MAX)),
            url: format!("{}/{page}#token={token}", settings.public_base()),
        }
    }
}

/// `hours` as a duration, for the `*_ttl_hours` settings.
pub fn hours(hours: u64) -> Duration {
    Duration::from_secs(hours.saturating_mul(3600))
}
