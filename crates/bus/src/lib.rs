//! PinTalk's shared fast state, on Redis (several processes) or in this process's memory
//! (the all-in-one binary): the counters behind rate limits, and the realtime path — the
//! per-room message log, the outbox, fan-out and presence, and the gateway's single-use
//! tickets and ended sessions.
//!
//! Each capability is a trait with one implementation per store, and one conformance
//! suite (`tests/conformance.rs`) runs against both.

pub mod counters;
mod memory;
pub mod presence;
pub mod realtime;
mod redis;
pub mod tickets;

use std::sync::Arc;

pub use counters::{Counter, Counters};
pub use memory::MemoryBus;
pub use realtime::{
    Appended, Bus, Draft, OutboxEntry, OutboxItem, Publication, Recent, SEEDED_CIDS, SentCid, Topic,
};
pub use redis::RedisBus;
pub use tickets::{TicketUse, Tickets};

/// How many outbox streams the Redis store spreads rooms over (each bounded by
/// `max_backlog / shards`).
pub fn redis_shards() -> u32 {
    redis::SHARDS
}

/// Why the bus could not answer.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("redis: {0}")]
    Redis(#[from] deadpool_redis::redis::RedisError),
    #[error("redis pool: {0}")]
    Pool(#[from] deadpool_redis::PoolError),
    #[error("redis configuration: {0}")]
    Config(String),
    #[error("unexpected data in the bus: {0}")]
    Corrupt(String),
}

/// Connects to Redis at `url`, or — when it is empty — keeps everything in memory.
pub async fn connect(
    url: &str,
    pool_size: usize,
    namespace: &str,
) -> Result<Arc<dyn Bus>, BusError> {
    if url.is_empty() {
        log::info!("bus: in-process memory (single process only)");
        return Ok(Arc::new(MemoryBus::default()));
    }
    let bus = RedisBus::connect(url, pool_size, namespace).await?;
    log::info!("bus: redis");
    Ok(Arc::new(bus))
}
