//! Where the bus's connections come from: one Redis at a URL, or whichever Redis the
//! sentinels name master when the connection is opened. Either way the pooled connections
//! are the same multiplexed connections, each fenced (`fence.lua`) before its first use,
//! and the pub/sub connection is opened anew, at the current master, on every `listen`.
//!
//! A failover needs nothing more: the dead master's connections fail their recycle ping
//! and are dropped, new ones go to the master the sentinels name (sentinels close the
//! connections of a demoted one), and the promoted replica's run id differs from the one
//! the shards recorded, so the first fence there starts a new generation.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use deadpool::managed::{Hook, HookError, Manager, Object, PoolBuilder};
use deadpool_redis::sentinel::SentinelServerType;
use deadpool_redis::{PoolConfig, PoolError, Runtime};
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::sentinel::SentinelClient;
use redis::{Cmd, Pipeline, RedisError, RedisFuture, Value};
use tokio::sync::Mutex;

use super::{Keys, fence};
use crate::BusError;

/// Where the bus finds Redis.
#[derive(Clone, Debug)]
pub enum Target {
    /// One Redis: `redis://HOST:PORT/DB`.
    Url(String),
    /// The master that the sentinels at these addresses (`redis://HOST:PORT`) know by
    /// `master`, on database 0.
    Sentinel {
        sentinels: Vec<String>,
        master: String,
    },
}

/// The pool of command connections, to one Redis or to the sentinels' master.
#[derive(Clone)]
pub(super) enum Pool {
    Direct(deadpool_redis::Pool),
    Sentinel(deadpool_redis::sentinel::Pool),
}

impl Pool {
    /// A pool of `size` connections whose every new connection is fenced first.
    pub(super) fn build(target: &Target, size: usize, keys: &Keys) -> Result<Self, BusError> {
        let size = Some(PoolConfig::new(size.max(1)));
        match target {
            Target::Url(url) => {
                let mut settings = deadpool_redis::Config::from_url(url);
                settings.pool = size;
                Ok(Pool::Direct(fenced_pool(settings.builder(), keys)?))
            }
            Target::Sentinel { sentinels, master } => {
                let mut settings = deadpool_redis::sentinel::Config::from_urls(
                    sentinels.clone(),
                    master.clone(),
                    SentinelServerType::Master,
                );
                settings.pool = size;
                Ok(Pool::Sentinel(fenced_pool(settings.builder(), keys)?))
            }
        }
    }

    /// A connection from the pool, recycled (pinged) or new (fenced).
    pub(super) async fn get(&self) -> Result<Pooled, PoolError> {
        Ok(match self {
            Pool::Direct(pool) => Pooled::Direct(pool.get().await?),
            Pool::Sentinel(pool) => Pooled::Sentinel(pool.get().await?),
        })
    }
}

/// Either pool, on tokio, with a post-create hook that fences a new connection before
/// it is used.
fn fenced_pool<M, W>(
    builder: Result<PoolBuilder<M, W>, impl std::fmt::Display>,
    keys: &Keys,
) -> Result<deadpool::managed::Pool<M, W>, BusError>
where
    M: Manager<Type = MultiplexedConnection, Error = RedisError>,
    W: From<Object<M>>,
{
    let keys = keys.clone();
    builder
        .map_err(|e| BusError::Config(e.to_string()))?
        .runtime(Runtime::Tokio1)
        .post_create(Hook::async_fn(move |conn, _| {
            let keys = keys.clone();
            Box::pin(async move { fence(conn, &keys).await.map_err(HookError::Backend) })
        }))
        .build()
        .map_err(|e| BusError::Config(e.to_string()))
}

/// A connection taken from either pool; back to it when dropped.
pub(super) enum Pooled {
    Direct(deadpool_redis::Connection),
    Sentinel(deadpool_redis::sentinel::Connection),
}

impl Deref for Pooled {
    type Target = MultiplexedConnection;

    fn deref(&self) -> &MultiplexedConnection {
        match self {
            Pooled::Direct(conn) => conn,
            Pooled::Sentinel(conn) => conn,
        }
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut MultiplexedConnection {
        match self {
            Pooled::Direct(conn) => conn,
            Pooled::Sentinel(conn) => conn,
        }
    }
}

impl ConnectionLike for Pooled {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        self.deref_mut().req_packed_command(cmd)
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        self.deref_mut()
            .req_packed_commands(pipeline, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.deref().get_db()
    }
}

/// Opens the pub/sub connection: at the one Redis, or at the master the sentinels name
/// now — so the listen that follows a lost connection reaches the promoted replica.
#[derive(Clone)]
pub(super) enum Subscriber {
    Direct(redis::Client),
    /// Locked: asking the sentinels takes `&mut` (it caches their connections).
    Sentinel(Arc<Mutex<SentinelClient>>),
}

impl Subscriber {
    pub(super) fn build(target: &Target) -> Result<Self, BusError> {
        Ok(match target {
            Target::Url(url) => Subscriber::Direct(redis::Client::open(url.as_str())?),
            Target::Sentinel { sentinels, master } => {
                Subscriber::Sentinel(Arc::new(Mutex::new(SentinelClient::build(
                    sentinels.iter().map(String::as_str).collect(),
                    master.clone(),
                    None,
                    redis::sentinel::SentinelServerType::Master,
                )?)))
            }
        })
    }

    pub(super) async fn open(&self) -> redis::RedisResult<redis::aio::PubSub> {
        let client = match self {
            Subscriber::Direct(client) => client.clone(),
            Subscriber::Sentinel(sentinels) => sentinels.lock().await.async_get_client().await?,
        };
        client.get_async_pubsub().await
    }
}
