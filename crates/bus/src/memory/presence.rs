//! The memory store's presence leases.

use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::MemoryBus;
use crate::BusError;
use crate::presence::Presence;

#[async_trait]
impl Presence for MemoryBus {
    async fn presence_join(&self, key: &str, member: &str, ttl: Duration) -> Result<u64, BusError> {
        let mut state = self.state();
        state
            .presence
            .entry(key.to_owned())
            .or_default()
            .insert(member.to_owned(), Instant::now() + ttl);
        Ok(state.present(key))
    }

    async fn presence_leave(&self, key: &str, member: &str) -> Result<u64, BusError> {
        let mut state = self.state();
        if let Some(members) = state.presence.get_mut(key) {
            members.remove(member);
        }
        let left = state.present(key);
        if left == 0 {
            state.presence.remove(key);
        }
        Ok(left)
    }

    async fn presence_counts(&self, keys: &[String]) -> Result<Vec<u64>, BusError> {
        let mut state = self.state();
        Ok(keys.iter().map(|key| state.present(key)).collect())
    }
}
