//! The Redis store's counters: a hash per key, expiring with its window.

use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;

use super::RedisBus;
use crate::BusError;
use crate::counters::{Counter, Counters};

#[async_trait]
impl Counters for RedisBus {
    async fn hit(&self, key: &str, window: Duration, now_ms: i64) -> Result<Counter, BusError> {
        let key = self.keys.counter(key);
        let mut conn = self.pool.get().await?;
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
        // One round trip, applied atomically: count, stamp, and push the expiry out.
        let (count,): (u64,) = redis::pipe()
            .atomic()
            .hincr(&key, "n", 1)
            .hset(&key, "t", now_ms)
            .ignore()
            .pexpire(&key, window_ms)
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(Counter {
            count,
            last_hit_ms: now_ms,
        })
    }

    async fn get(&self, key: &str) -> Result<Counter, BusError> {
        let mut conn = self.pool.get().await?;
        let (count, last): (Option<u64>, Option<i64>) = redis::cmd("HMGET")
            .arg(self.keys.counter(key))
            .arg("n")
            .arg("t")
            .query_async(&mut conn)
            .await?;
        Ok(Counter {
            count: count.unwrap_or(0),
            last_hit_ms: last.unwrap_or(0),
        })
    }

    async fn clear(&self, key: &str) -> Result<(), BusError> {
        let mut conn = self.pool.get().await?;
        let _: () = conn.del(self.keys.counter(key)).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), BusError> {
        let mut conn = self.pool.get().await?;
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}
