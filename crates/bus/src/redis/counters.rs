//! The Redis store's counters: a hash per key, expiring with its window.

use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;

use super::RedisBus;
use crate::BusError;
use crate::counters::{Counter, Counters, WindowCount};

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

    async fn hit_window(&self, key: &str, window: Duration) -> Result<WindowCount, BusError> {
        let key = self.keys.counter(&format!("window:{key}"));
        let mut conn = self.pool.get().await?;
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
        // One round trip, atomic: open the window if none is, count, and say when it ends.
        // INCR keeps the expiry SET gave, so hits never move the window's end.
        let (count, ttl): (u64, i64) = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&key)
            .arg(0)
            .arg("PX")
            .arg(window_ms)
            .arg("NX")
            .ignore()
            .incr(&key, 1)
            .pttl(&key)
            .query_async(&mut conn)
            .await?;
        Ok(WindowCount {
            count,
            resets_in_ms: u64::try_from(ttl).unwrap_or(0),
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
