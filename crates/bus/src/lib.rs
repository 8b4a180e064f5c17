//! PinTalk's shared fast state, on Redis (several processes) or in this process's memory
//! (the all-in-one binary). For now: the counters behind rate limits and login throttling;
//! the message log, fan-out and presence join it with the realtime issue.
//!
//! Each capability is a trait with one implementation per store, and one conformance
//! suite (`tests/conformance.rs`) runs against both.

pub mod counters;
mod memory;
mod redis;

use std::sync::Arc;

pub use counters::{Counter, Counters};
pub use memory::MemoryBus;
pub use redis::RedisBus;

/// Why the bus could not answer.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("redis: {0}")]
    Redis(#[from] deadpool_redis::redis::RedisError),
    #[error("redis pool: {0}")]
    Pool(#[from] deadpool_redis::PoolError),
    #[error("redis configuration: {0}")]
    Config(String),
}

/// Connects to Redis at `url`, or — when it is empty — keeps everything in memory.
pub async fn connect(
    url: &str,
    pool_size: usize,
    namespace: &str,
) -> Result<Arc<dyn Counters>, BusError> {
    if url.is_empty() {
        log::info!("bus: in-process memory (single process only)");
        return Ok(Arc::new(MemoryBus::default()));
    }
    let bus = RedisBus::connect(url, pool_size, namespace).await?;
    log::info!("bus: redis");
    Ok(Arc::new(bus))
}
