//! Where the bus's connections come from: one Redis at a URL, whichever Redis the
//! sentinels name master when the connection is opened, or a Redis Cluster. Pooled
//! connections are fenced (`fence.lua`) before their first use, and the pub/sub connection
//! is opened anew, at the current master(s), on every `listen`.
//!
//! A Sentinel failover needs nothing more: the dead master's connections fail their
//! recycle ping and are dropped, new ones go to the master the sentinels name (sentinels
//! close the connections of a demoted one), and the promoted replica's run id differs from
//! the one the shards recorded, so the first fence there starts a new generation.
//!
//! A cluster connection follows slot moves and failovers by itself, without a new
//! connection to fence, so on a cluster the scripts that number messages fence too (see
//! `append.lua`); and a pipeline may only touch one slot, so what spans shards goes as
//! separate commands ([`Pooled::query_each`]).

use std::sync::Arc;

use deadpool::managed::{Hook, HookError, Manager, Object, PoolBuilder};
use deadpool_redis::sentinel::SentinelServerType;
use deadpool_redis::{PoolConfig, PoolError, Runtime};
use futures_util::future::try_join_all;
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, SingleNodeRoutingInfo, SlotAddr};
use redis::sentinel::SentinelClient;
use redis::{Cmd, FromRedisValue, Pipeline, ProtocolVersion, RedisError, RedisFuture, Value};
use tokio::sync::{Mutex, mpsc};

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
    /// A Redis Cluster, found through any of these nodes (`redis://HOST:PORT`).
    Cluster(Vec<String>),
}

/// The pool of command connections, to one Redis or to the sentinels' master.
#[derive(Clone)]
pub(super) enum Pool {
    Direct(deadpool_redis::Pool),
    Sentinel(deadpool_redis::sentinel::Pool),
    Cluster(deadpool_redis::cluster::Pool),
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
            Target::Cluster(nodes) => {
                let mut settings = deadpool_redis::cluster::Config::from_urls(nodes.clone());
                settings.pool = size;
                Ok(Pool::Cluster(fenced_pool(settings.builder(), keys)?))
            }
        }
    }

    /// Whether this is a Redis Cluster: scripts fence, fan-out is sharded.
    pub(super) fn is_cluster(&self) -> bool {
        matches!(self, Pool::Cluster(_))
    }

    /// A connection from the pool, recycled (pinged) or new (fenced).
    pub(super) async fn get(&self) -> Result<Pooled, PoolError> {
        Ok(match self {
            Pool::Direct(pool) => Pooled::Direct(pool.get().await?),
            Pool::Sentinel(pool) => Pooled::Sentinel(pool.get().await?),
            Pool::Cluster(pool) => Pooled::Cluster(pool.get().await?),
        })
    }
}

/// Any of the pools, on tokio, with a post-create hook that fences a new connection
/// before it is used.
fn fenced_pool<M, W, C>(
    builder: Result<PoolBuilder<M, W>, impl std::fmt::Display>,
    keys: &Keys,
) -> Result<deadpool::managed::Pool<M, W>, BusError>
where
    M: Manager<Type = C, Error = RedisError>,
    W: From<Object<M>>,
    C: Separate,
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

/// A connection taken from any of the pools; back to it when dropped.
pub(super) enum Pooled {
    Direct(deadpool_redis::Connection),
    Sentinel(deadpool_redis::sentinel::Connection),
    Cluster(deadpool_redis::cluster::Connection),
}

impl Pooled {
    fn connection(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Pooled::Direct(conn) => &mut **conn,
            Pooled::Sentinel(conn) => &mut **conn,
            Pooled::Cluster(conn) => &mut **conn,
        }
    }

    /// Each command's answer: one pipeline to one Redis; on a cluster each command on
    /// its own, at once, to the node owning its key.
    pub(super) async fn query_each<T: FromRedisValue>(
        &mut self,
        commands: Vec<Cmd>,
    ) -> redis::RedisResult<Vec<T>> {
        match self {
            Pooled::Direct(conn) => query_each(&mut **conn, commands).await,
            Pooled::Sentinel(conn) => query_each(&mut **conn, commands).await,
            Pooled::Cluster(conn) => query_each(&mut **conn, commands).await,
        }
    }

    /// Runs `pipe` where `key` lives: on a cluster, at the master owning its slot even when
    /// no command of the pipeline names a key (`WAIT` would go to every master). There
    /// the answer holds every command's, ignored or not.
    pub(super) async fn query_at<T: FromRedisValue>(
        &mut self,
        key: &str,
        pipe: &Pipeline,
    ) -> redis::RedisResult<T> {
        let Pooled::Cluster(conn) = self else {
            return pipe.query_async(self).await;
        };
        let route = SingleNodeRoutingInfo::SpecificNode(Route::with_key(key, SlotAddr::Master));
        let count = pipe.cmd_iter().count();
        let values = conn.route_pipeline(pipe.clone(), 0, count, route).await?;
        T::from_redis_value(Value::Array(values)).map_err(RedisError::from)
    }
}

impl ConnectionLike for Pooled {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        self.connection().req_packed_command(cmd)
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        self.connection()
            .req_packed_commands(pipeline, offset, count)
    }

    fn get_db(&self) -> i64 {
        match self {
            Pooled::Direct(conn) => conn.get_db(),
            Pooled::Sentinel(conn) => conn.get_db(),
            Pooled::Cluster(conn) => conn.get_db(),
        }
    }
}

/// How commands that span slots reach Redis over one kind of connection.
pub(super) trait Separate: ConnectionLike + Clone + Send + Sync + 'static {
    /// Whether each command must go on its own (a cluster: one slot per pipeline).
    const SEPARATE: bool;
}

impl Separate for MultiplexedConnection {
    const SEPARATE: bool = false;
}

impl Separate for ClusterConnection {
    const SEPARATE: bool = true;
}

/// See [`Pooled::query_each`].
pub(super) async fn query_each<C: Separate, T: FromRedisValue>(
    conn: &mut C,
    commands: Vec<Cmd>,
) -> redis::RedisResult<Vec<T>> {
    if commands.is_empty() {
        return Ok(Vec::new());
    }
    if C::SEPARATE {
        // The connection multiplexes: clones share it, and their commands go at once.
        try_join_all(commands.iter().map(|cmd| {
            let mut conn = conn.clone();
            async move { cmd.query_async(&mut conn).await }
        }))
        .await
    } else {
        let mut pipe = redis::pipe();
        for cmd in commands {
            pipe.add_command(cmd);
        }
        pipe.query_async(conn).await
    }
}

/// Opens the pub/sub connection: at the one Redis, or at the master the sentinels name
/// now — so the listen that follows a lost connection reaches the promoted replica.
#[derive(Clone)]
pub(super) enum Subscriber {
    Direct(redis::Client),
    /// Locked: asking the sentinels takes `&mut` (it caches their connections).
    Sentinel(Arc<Mutex<SentinelClient>>),
    /// The cluster's nodes; each `listen` opens a cluster connection of its own.
    Cluster(Vec<String>),
}

/// The pub/sub connection `listen` opened.
pub(super) enum Listening {
    /// Subscribes with `SUBSCRIBE` on one connection, read as a stream.
    Plain(redis::aio::PubSub),
    /// Subscribes with `SSUBSCRIBE` at the masters owning the channels; what they push
    /// (and word of a lost node connection) arrives on the receiver.
    Sharded(ClusterConnection, mpsc::UnboundedReceiver<redis::PushInfo>),
}

impl Subscriber {
    pub(super) fn build(target: &Target) -> Result<Self, BusError> {
        Ok(match target {
            Target::Url(url) => Subscriber::Direct(redis::Client::open(url.as_str())?),
            Target::Cluster(nodes) => Subscriber::Cluster(nodes.clone()),
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

    pub(super) async fn open(&self) -> redis::RedisResult<Listening> {
        let client = match self {
            Subscriber::Direct(client) => client.clone(),
            Subscriber::Sentinel(sentinels) => sentinels.lock().await.async_get_client().await?,
            Subscriber::Cluster(nodes) => {
                // Pushes (sharded messages) need RESP3.
                let (tx, rx) = mpsc::unbounded_channel();
                let conn = ClusterClientBuilder::new(nodes.clone())
                    .use_protocol(ProtocolVersion::RESP3)
                    .push_sender(tx)
                    .build()?
                    .get_async_connection()
                    .await?;
                return Ok(Listening::Sharded(conn, rx));
            }
        };
        Ok(Listening::Plain(client.get_async_pubsub().await?))
    }
}
