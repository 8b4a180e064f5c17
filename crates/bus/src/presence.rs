//! Presence: who is connected, as leases that lapse unless renewed, so a gateway that
//! dies stops counting by itself. The keys gateways maintain and the account service reads
//! are named here.

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SiteId};

use crate::BusError;

/// Members present under keys.
#[async_trait]
pub trait Presence: Send + Sync {
    /// Marks `member` present under `key` for `ttl` (refresh before it lapses); returns
    /// how many members are present now.
    async fn presence_join(&self, key: &str, member: &str, ttl: Duration) -> Result<u64, BusError>;

    /// Removes `member` from `key`; returns how many remain.
    async fn presence_leave(&self, key: &str, member: &str) -> Result<u64, BusError>;

    /// How many members are present under each of `keys`, in one round trip.
    async fn presence_counts(&self, keys: &[String]) -> Result<Vec<u64>, BusError>;

    /// How many members are present under `key`.
    async fn presence_count(&self, key: &str) -> Result<u64, BusError> {
        let counts = self.presence_counts(&[key.to_owned()]).await?;
        Ok(counts.first().copied().unwrap_or(0))
    }
}

/// The presence set of an owner's sockets for a site.
pub fn owner_key(site: SiteId) -> String {
    format!("owner:{site}")
}

/// The presence set of a visitor's sockets in their room.
pub fn visitor_key(room: RoomId) -> String {
    format!("visitor:{room}")
}
