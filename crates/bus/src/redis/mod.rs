//! The Redis store, shared by every process pointed at the same Redis (one at a URL, the
//! master Sentinel names, or a Redis Cluster, see `pool.rs`): commands through a deadpool
//! of multiplexed (or cluster) connections, pub/sub on one dedicated connection (sharded
//! pub/sub on a cluster), and the scripts loaded once and run by SHA (`EVALSHA`, reloaded
//! if Redis forgot them).
//!
//! Every new connection is fenced before use (`fence.lua`), and on a cluster every append,
//! seed and read of a room's numbering fences too: if Redis restarted, or another Redis took over (a failover), since
//! the run id its shards recorded, their generation goes up and every room waits for a
//! new epoch, so seqs acked and lost in between are never handed out again.

mod counters;
mod fanout;
mod keys;
mod log;
mod outbox;
mod pool;
mod presence;
mod tickets;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use pintalk_core::clock::now_ms;
use pintalk_core::protocol::ServerFrame;
use redis::streams::StreamId;
use redis::{AsyncCommands, Script, Value};
use tokio::sync::Mutex;

pub use self::keys::{Keys, SHARDS};
pub use self::pool::Target;
use self::pool::{Pool, Separate, Subscriber};
use crate::BusError;
use crate::counters::Counters;
use crate::outbox::{OutboxEntry, OutboxItem};

/// The persister's consumer group on every outbox stream.
const GROUP: &str = "persister";

/// Commands on pooled connections time out after 500 ms, so blocking reads stay shorter.
const MAX_BLOCK: Duration = Duration::from_millis(250);

/// How to reach Redis, and what an ack waits for.
#[derive(Clone, Debug)]
pub struct RedisConfig {
    pub target: Target,
    pub pool_size: usize,
    /// The prefix of every key.
    pub namespace: String,
    /// Replicas that must hold an append (`WAIT`) before it counts as stored; 0: none.
    pub ack_after_replicas: u32,
}

impl RedisConfig {
    /// One Redis at `url`, acking without waiting for replicas.
    pub fn url(url: &str, pool_size: usize, namespace: &str) -> Self {
        Self {
            target: Target::Url(url.to_owned()),
            pool_size,
            namespace: namespace.to_owned(),
            ack_after_replicas: 0,
        }
    }
}

/// A handle on one Redis (or on whichever the sentinels name master); cheap to clone.
#[derive(Clone)]
pub struct RedisBus {
    /// Command connections, fenced when created.
    pool: Pool,
    /// Opens the pub/sub connection at the current master.
    subscriber: Subscriber,
    keys: Keys,
    /// Replicas an append waits for (`WAIT`) before it is answered as stored.
    ack_after_replicas: u32,
    append: Arc<Script>,
    seed: Arc<Script>,
    /// Reads a room's numbering and window (fenced on a cluster, as the two above).
    read: Arc<Script>,
    /// Forgets a deleted room (retention, erasure).
    forget: Arc<Script>,
    presence: Arc<Script>,
    /// The subscribe/unsubscribe half of the pub/sub connection, once `listen` opened it.
    pubsub: Arc<Mutex<Option<fanout::Sink>>>,
    /// On a cluster, which outbox stream an idle persister blocks on next.
    next_blocking_read: Arc<AtomicUsize>,
}

impl RedisBus {
    /// Connects and checks that Redis answers, so a wrong URL fails at start-up; creates
    /// the persister's consumer groups if missing.
    pub async fn connect(config: &RedisConfig) -> Result<Self, BusError> {
        let keys = Keys::new(&config.namespace);
        let bus = Self {
            pool: Pool::build(&config.target, config.pool_size, &keys)?,
            subscriber: Subscriber::build(&config.target)?,
            keys,
            ack_after_replicas: config.ack_after_replicas,
            append: Arc::new(Script::new(concat!(
                include_str!("fence.lua"),
                include_str!("append.lua")
            ))),
            seed: Arc::new(Script::new(concat!(
                include_str!("fence.lua"),
                include_str!("seed.lua")
            ))),
            read: Arc::new(Script::new(concat!(
                include_str!("fence.lua"),
                include_str!("read.lua")
            ))),
            forget: Arc::new(Script::new(include_str!("forget.lua"))),
            presence: Arc::new(Script::new(include_str!("presence.lua"))),
            pubsub: Arc::new(Mutex::new(None)),
            next_blocking_read: Arc::new(AtomicUsize::new(0)),
        };
        bus.ping().await?;
        bus.create_groups().await?;
        Ok(bus)
    }

    async fn create_groups(&self) -> Result<(), BusError> {
        let mut conn = self.pool.get().await?;
        for stream in self.keys.all_outboxes() {
            let created: redis::RedisResult<()> =
                conn.xgroup_create_mkstream(&stream, GROUP, "0").await;
            match created {
                Ok(()) => {}
                Err(e) if e.code() == Some("BUSYGROUP") => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    async fn presence_op(
        &self,
        key: &str,
        op: &str,
        member: &str,
        ttl: Duration,
    ) -> Result<u64, BusError> {
        let mut conn = self.pool.get().await?;
        let count: u64 = self
            .presence
            .key(self.keys.presence(key))
            .arg(now_ms())
            .arg(op)
            .arg(member)
            .arg(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX))
            .invoke_async(&mut conn)
            .await?;
        Ok(count)
    }
}

/// Records this Redis's run id on every shard, starting a new generation where it differs
/// (Redis restarted, or failed over: the last acked appends may be lost). Idempotent; one
/// round trip (on a cluster, one per shard, at once).
async fn fence<C: Separate>(conn: &mut C, keys: &Keys) -> redis::RedisResult<()> {
    let script = concat!(
        include_str!("fence.lua"),
        include_str!("fence_connection.lua")
    );
    // EVAL, not EVALSHA: a Redis that just restarted has no scripts loaded.
    let commands = (0..SHARDS)
        .map(|shard| {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(script)
                .arg(2)
                .arg(keys.run_id(shard))
                .arg(keys.generation(shard));
            cmd
        })
        .collect();
    let _: Vec<Value> = pool::query_each(conn, commands).await?;
    Ok(())
}

/// Splits a script's "seq:ts:epoch" answer.
fn seq_ts_epoch(text: &str) -> Result<(i64, i64, i64), BusError> {
    let mut parts = text.splitn(3, ':').map(str::parse::<i64>);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(seq)), Some(Ok(ts)), Some(Ok(epoch))) => Ok((seq, ts, epoch)),
        _ => Err(BusError::Corrupt(format!("bad seq:ts:epoch {text:?}"))),
    }
}

/// The epoch of a room's "<epoch>:<generation>" record, if it is current.
fn current_epoch(record: Option<&str>, generation: Option<&str>) -> Option<i64> {
    let (epoch, started_in) = record?.split_once(':')?;
    (started_in == generation.unwrap_or("0"))
        .then(|| epoch.parse().ok())
        .flatten()
}

/// Reads an outbox stream entry: `m` holds a message frame, `r` a read cursor.
fn outbox_entry(entry: &StreamId) -> Result<OutboxEntry, BusError> {
    let text = |field: &str| -> Option<String> {
        match entry.map.get(field)? {
            Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
            _ => None,
        }
    };
    let item = if let Some(frame) = text("m") {
        match serde_json::from_str::<ServerFrame>(&frame) {
            Ok(ServerFrame::Message(message)) => OutboxItem::Message(message),
            _ => {
                return Err(BusError::Corrupt(format!(
                    "outbox entry {} is not a message",
                    entry.id
                )));
            }
        }
    } else if let Some(read) = text("r") {
        serde_json::from_str(&read)
            .map_err(|e| BusError::Corrupt(format!("outbox entry {}: {e}", entry.id)))?
    } else {
        return Err(BusError::Corrupt(format!(
            "outbox entry {} is empty",
            entry.id
        )));
    };
    Ok(OutboxEntry {
        id: entry.id.clone(),
        item,
    })
}

/// The stream a given entry id came from is needed to acknowledge it, so ids handed out
/// carry their shard: `<shard>/<stream id>`.
fn tagged_id(shard: u32, id: &str) -> String {
    format!("{shard}/{id}")
}

fn shard_of(streams: &[String], key: &str) -> Result<u32, BusError> {
    streams
        .iter()
        .position(|s| s == key)
        .and_then(|p| u32::try_from(p).ok())
        .ok_or_else(|| BusError::Corrupt(format!("unknown stream {key}")))
}
