//! The Redis store, shared by every process pointed at the same Redis.

use std::time::Duration;

use async_trait::async_trait;
use deadpool_redis::redis::{self, AsyncCommands};
use deadpool_redis::{Config, Pool, Runtime};

use crate::{BusError, Counter, Counters};

/// A pool of Redis connections.
#[derive(Clone)]
pub struct RedisBus {
    pool: Pool,
    /// Starts every key, so deployments (or test runs) can share one Redis.
    namespace: String,
}

impl RedisBus {
    /// Connects and checks that Redis answers, so a wrong URL fails at start-up.
    pub async fn connect(url: &str, pool_size: usize, namespace: &str) -> Result<Self, BusError> {
        let mut config = Config::from_url(url);
        config.pool = Some(deadpool_redis::PoolConfig::new(pool_size.max(1)));
        let pool = config
            .create_pool(Some(Runtime::Tokio1))
            .map_err(|e| BusError::Config(e.to_string()))?;
        let bus = Self {
            pool,
            namespace: namespace.to_owned(),
        };
        bus.ping().await?;
        Ok(bus)
    }

    fn key(&self, kind: &str, key: &str) -> String {
        format!("{}:{kind}:{key}", self.namespace)
    }
}

#[async_trait]
impl Counters for RedisBus {
    async fn hit(&self, key: &str, window: Duration, now_ms: i64) -> Result<Counter, BusError> {
        let key = self.key("counter", key);
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
            .arg(self.key("counter", key))
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
        let _: () = conn.del(self.key("counter", key)).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), BusError> {
        let mut conn = self.pool.get().await?;
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}
