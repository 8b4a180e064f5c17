//! The Redis store's presence: a sorted set per key, members scored by expiry.

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::clock::now_ms;

use super::RedisBus;
use crate::BusError;
use crate::presence::Presence;

#[async_trait]
impl Presence for RedisBus {
    async fn presence_join(&self, key: &str, member: &str, ttl: Duration) -> Result<u64, BusError> {
        self.presence_op(key, "join", member, ttl).await
    }

    async fn presence_leave(&self, key: &str, member: &str) -> Result<u64, BusError> {
        self.presence_op(key, "leave", member, Duration::ZERO).await
    }

    async fn presence_counts(&self, keys: &[String]) -> Result<Vec<u64>, BusError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // Members are scored by expiry: those still present score above now. Read-only,
        // so one pipeline (on a cluster, commands at once) whatever the number of keys (the inbox asks for a page's worth).
        let now = now_ms();
        let commands = keys
            .iter()
            .map(|key| redis::Cmd::zcount(self.keys.presence(key), format!("({now}"), "+inf"))
            .collect();
        let mut conn = self.pool.get().await?;
        Ok(conn.query_each(commands).await?)
    }
}
