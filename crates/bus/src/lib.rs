//! PinTalk's shared fast state, on Redis (several processes) or in this process's memory
//! (the all-in-one binary): the counters behind rate limits, and the realtime path — the
//! per-room message log, the outbox, fan-out and presence, and the gateway's single-use
//! tickets and ended sessions.
//!
//! Each capability is a trait of its own file — [`log`] (append, seed, replay), [`outbox`]
//! (what the persister drains), [`fanout`] (publish, listen), [`presence`], [`counters`],
//! [`tickets`] — with one implementation per store in `memory/<capability>.rs` and
//! `redis/<capability>.rs`, and one conformance suite (`tests/conformance.rs`) that holds
//! both stores to the same behaviour. [`Bus`] is all of them.

pub mod counters;
pub mod fanout;
pub mod log;
mod memory;
pub mod outbox;
pub mod presence;
mod redis;
pub mod tickets;

use std::sync::Arc;

use pintalk_core::settings::RedisSettings;
use secrecy::ExposeSecret;

pub use counters::{Counter, Counters, VISITOR_MESSAGES_WINDOW, WindowCount, visitor_messages_key};
pub use fanout::{Fanout, Publication, Topic};
pub use log::{Appended, Draft, Log, Recent, SEEDED_CIDS, SentCid};
pub use memory::MemoryBus;
pub use outbox::{Outbox, OutboxEntry, OutboxItem};
pub use presence::Presence;
pub use redis::{RedisBus, RedisConfig, Target};
pub use tickets::{TicketUse, Tickets};

/// Everything the services share through the bus: every capability of one store.
pub trait Bus: Log + Outbox + Fanout + Presence + Counters + Tickets {}

impl<T: Log + Outbox + Fanout + Presence + Counters + Tickets> Bus for T {}

/// How many shards the outbox is split into (each bounded by `max_backlog / shards`), in
/// both stores.
pub fn outbox_shards() -> u32 {
    outbox::SHARDS
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
    /// A seed of a room forgotten moments ago (see `Log::forget`): it is being deleted.
    #[error("room {0} is being deleted")]
    Forgotten(pintalk_core::ids::RoomId),
}

/// Connects to the Redis `settings` name (at `url`, through `sentinels`, or the cluster of
/// `cluster_urls`), or — when none is set — keeps everything in memory.
pub async fn connect(settings: &RedisSettings) -> Result<Arc<dyn Bus>, BusError> {
    if !settings.is_set() {
        ::log::info!("bus: in-process memory (single process only)");
        return Ok(Arc::new(MemoryBus::default()));
    }
    let (target, kind) = if !settings.cluster_urls.is_empty() {
        (
            Target::Cluster(settings.cluster_urls.clone()),
            "redis cluster",
        )
    } else if !settings.sentinels.is_empty() {
        let master = settings.sentinel_master.clone();
        let sentinels = settings.sentinels.clone();
        (
            Target::Sentinel { sentinels, master },
            "redis through sentinel",
        )
    } else {
        (
            Target::Url(settings.url.expose_secret().to_owned()),
            "redis",
        )
    };
    let bus = RedisBus::connect(&RedisConfig {
        target,
        pool_size: settings.pool_size,
        namespace: settings.namespace.clone(),
        ack_after_replicas: settings.ack_after_replicas,
    })
    .await?;
    match settings.ack_after_replicas {
        0 => ::log::info!("bus: {kind}"),
        n => ::log::info!("bus: {kind}, acks after {n} replica(s)"),
    }
    Ok(Arc::new(bus))
}
