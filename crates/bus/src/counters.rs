//! Counters that expire: the primitive behind every rate limit and the login throttle.

use std::time::Duration;

use async_trait::async_trait;

use crate::BusError;

/// A counter's state: how many hits since it was (re)started, and when the last one was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub count: u64,
    /// Milliseconds since the Unix epoch of the latest hit.
    pub last_hit_ms: i64,
}

/// The window of the messages-per-visitor bound (`limits.visitor_messages_per_minute`).
pub const VISITOR_MESSAGES_WINDOW: Duration = Duration::from_secs(60);

/// The [`Counters::hit_window`] key of one visitor's messages, counted wherever they
/// enter (the gateway's `send`, a reply by mail), so every path shares one bound.
pub fn visitor_messages_key(visitor: &str) -> String {
    format!("messages:visitor:{visitor}")
}

/// A fixed window's count: how many hits since the window opened (this one included),
/// and how long until it closes and the count starts again from zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowCount {
    pub count: u64,
    pub resets_in_ms: u64,
}

/// Named counters, shared by every process that uses the same store.
#[async_trait]
pub trait Counters: Send + Sync {
    /// Counts one hit on `key` at `now_ms`; the counter vanishes `window` after its
    /// latest hit. Returns the state after this hit.
    async fn hit(&self, key: &str, window: Duration, now_ms: i64) -> Result<Counter, BusError>;

    /// Counts one hit on `key` in a fixed window: the first hit opens it for `window`;
    /// later hits, refused or not, neither extend nor move it, so a client that keeps
    /// trying is let in again when it closes ("so many per minute"). The keys of these
    /// counters are apart from those of [`Counters::hit`].
    async fn hit_window(&self, key: &str, window: Duration) -> Result<WindowCount, BusError>;

    /// The counter's state; zero if it never was or has expired.
    async fn get(&self, key: &str) -> Result<Counter, BusError>;

    /// Forgets the counter, e.g. after a successful login.
    async fn clear(&self, key: &str) -> Result<(), BusError>;

    /// Whether the store answers, for `/readyz`.
    async fn ping(&self) -> Result<(), BusError>;
}
