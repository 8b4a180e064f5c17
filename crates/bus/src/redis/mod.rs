//! The Redis store, shared by every process pointed at the same Redis: commands through a
//! deadpool of multiplexed connections, pub/sub on one dedicated connection, and the
//! scripts loaded once and run by SHA (`EVALSHA`, reloaded if Redis forgot them).
//!
//! Every new connection is fenced before use (`fence.lua`): if Redis restarted since the
//! run id its shards recorded, their generation goes up and every room waits for a new
//! epoch, so seqs acked and lost in the restart are never handed out again.

mod keys;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_redis::{Config, Hook, HookError, Pool, Runtime};
use futures_util::StreamExt;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SessionId, SiteId};
use pintalk_core::protocol::{Message, Participant, ServerFrame};
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply,
};
use redis::{AsyncCommands, Script, Value};
use tokio::sync::{Mutex, mpsc};

pub use self::keys::{Keys, SHARDS};
use crate::realtime::{
    Appended, Bus, CID_MEMORY, Draft, OutboxEntry, OutboxItem, Publication, RECENT_WINDOW, Recent,
    SentCid, Topic, cid_key, contiguous_after, frame_halves, read_receipt,
};
use crate::{BusError, Counter, Counters, TicketUse, Tickets};

/// The persister's consumer group on every outbox stream.
const GROUP: &str = "persister";

/// Commands on pooled connections time out after 500 ms, so blocking reads stay shorter.
const MAX_BLOCK: Duration = Duration::from_millis(250);

/// A handle on one Redis; cheap to clone.
#[derive(Clone)]
pub struct RedisBus {
    pool: Pool,
    client: redis::Client,
    keys: Keys,
    append: Arc<Script>,
    seed: Arc<Script>,
    presence: Arc<Script>,
    /// The subscribe/unsubscribe half of the pub/sub connection, once `listen` opened it.
    pubsub: Arc<Mutex<Option<redis::aio::PubSubSink>>>,
}

impl RedisBus {
    /// Connects and checks that Redis answers, so a wrong URL fails at start-up; creates
    /// the persister's consumer groups if missing.
    pub async fn connect(url: &str, pool_size: usize, namespace: &str) -> Result<Self, BusError> {
        let mut config = Config::from_url(url);
        config.pool = Some(deadpool_redis::PoolConfig::new(pool_size.max(1)));
        let keys = Keys::new(namespace);
        let fence_keys = keys.clone();
        let pool = config
            .builder()
            .map_err(|e| BusError::Config(e.to_string()))?
            .runtime(Runtime::Tokio1)
            .post_create(Hook::async_fn(move |conn, _| {
                let keys = fence_keys.clone();
                Box::pin(async move { fence(conn, &keys).await.map_err(HookError::Backend) })
            }))
            .build()
            .map_err(|e| BusError::Config(e.to_string()))?;
        let bus = Self {
            pool,
            client: redis::Client::open(url)?,
            keys,
            append: Arc::new(Script::new(include_str!("append.lua"))),
            seed: Arc::new(Script::new(include_str!("seed.lua"))),
            presence: Arc::new(Script::new(include_str!("presence.lua"))),
            pubsub: Arc::new(Mutex::new(None)),
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
/// (Redis restarted: the last acked appends may be lost). Idempotent; one round trip.
async fn fence(
    conn: &mut redis::aio::MultiplexedConnection,
    keys: &Keys,
) -> redis::RedisResult<()> {
    let info: String = redis::cmd("INFO").arg("server").query_async(conn).await?;
    let run_id = info
        .lines()
        .find_map(|line| line.strip_prefix("run_id:"))
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let mut pipe = redis::pipe();
    for shard in 0..SHARDS {
        // EVAL, not EVALSHA: a Redis that just restarted has no scripts loaded.
        pipe.cmd("EVAL")
            .arg(include_str!("fence.lua"))
            .arg(2)
            .arg(keys.run_id(shard))
            .arg(keys.generation(shard))
            .arg(&run_id)
            .ignore();
    }
    pipe.query_async(conn).await
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

/// A duration as Redis `PX` milliseconds, at least one.
fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Tickets for RedisBus {
    async fn revoke_sessions(&self, sessions: &[SessionId], ttl: Duration) -> Result<(), BusError> {
        if sessions.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for session in sessions {
            pipe.cmd("SET")
                .arg(self.keys.revoked_session(*session))
                .arg(1)
                .arg("PX")
                .arg(millis(ttl))
                .ignore();
        }
        let mut conn = self.pool.get().await?;
        let _: () = pipe.query_async(&mut conn).await?;
        Ok(())
    }

    async fn use_ticket(
        &self,
        jti: &str,
        session: Option<SessionId>,
        ttl: Duration,
    ) -> Result<TicketUse, BusError> {
        // One atomic round trip; both keys carry the session's hash tag.
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.keys.ticket(jti, session))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl));
        if let Some(session) = session {
            pipe.exists(self.keys.revoked_session(session));
        }
        let mut conn = self.pool.get().await?;
        let (claimed, revoked): (Option<String>, Option<bool>) = if session.is_some() {
            let (claimed, revoked): (Option<String>, bool) = pipe.query_async(&mut conn).await?;
            (claimed, Some(revoked))
        } else {
            let (claimed,): (Option<String>,) = pipe.query_async(&mut conn).await?;
            (claimed, None)
        };
        Ok(if revoked == Some(true) {
            TicketUse::Revoked
        } else if claimed.is_some() {
            TicketUse::First
        } else {
            TicketUse::Reused
        })
    }
}

#[async_trait]
impl Bus for RedisBus {
    async fn append(&self, draft: &Draft, max_backlog: u64) -> Result<Appended, BusError> {
        let (head, tail) = frame_halves(draft);
        let per_shard_backlog = max_backlog.div_ceil(u64::from(SHARDS));
        let mut conn = self.pool.get().await?;
        let reply: Vec<String> = self
            .append
            .key(self.keys.seq(draft.room))
            .key(self.keys.window(draft.room))
            .key(self.keys.cids(draft.room))
            .key(self.keys.outbox_of(draft.room))
            .key(self.keys.site(draft.room))
            .key(self.keys.epoch(draft.room))
            .key(self.keys.generation_of(draft.room))
            .arg(cid_key(&draft.sender, &draft.cid))
            .arg(head)
            .arg(tail)
            .arg(RECENT_WINDOW)
            .arg(CID_MEMORY.as_secs())
            .arg(per_shard_backlog)
            .arg(self.keys.channel(Topic::Room(draft.room)))
            .arg(self.keys.channel(Topic::Site(draft.site)))
            .arg(draft.site.to_string())
            .invoke_async(&mut conn)
            .await?;
        match reply.as_slice() {
            [kind, at] if kind == "stored" => {
                seq_ts_epoch(at).map(|(seq, ts, epoch)| Appended::Stored { seq, ts, epoch })
            }
            [kind, at] if kind == "duplicate" => {
                seq_ts_epoch(at).map(|(seq, ts, epoch)| Appended::Duplicate { seq, ts, epoch })
            }
            [kind] if kind == "not_seeded" => Ok(Appended::NotSeeded),
            [kind] if kind == "backlog_full" => Ok(Appended::BacklogFull),
            [kind] if kind == "wrong_site" => Ok(Appended::WrongSite),
            other => Err(BusError::Corrupt(format!("append answered {other:?}"))),
        }
    }

    async fn seed(
        &self,
        room: RoomId,
        site: SiteId,
        last_seq: i64,
        cids: &[SentCid],
    ) -> Result<i64, BusError> {
        let mut invocation = self.seed.prepare_invoke();
        invocation
            .key(self.keys.seq(room))
            .key(self.keys.site(room))
            .key(self.keys.epoch(room))
            .key(self.keys.generation_of(room))
            .key(self.keys.cids(room))
            .key(self.keys.window(room))
            .arg(site.to_string())
            .arg(last_seq)
            .arg(CID_MEMORY.as_secs());
        for sent in cids {
            invocation
                .arg(cid_key(&sent.sender, &sent.cid))
                .arg(format!("{}:{}", sent.seq, sent.ts));
        }
        let mut conn = self.pool.get().await?;
        let epoch: String = invocation.invoke_async(&mut conn).await?;
        epoch
            .parse()
            .map_err(|_| BusError::Corrupt(format!("seed answered {epoch:?}")))
    }

    async fn room_site(&self, room: RoomId) -> Result<Option<SiteId>, BusError> {
        let mut conn = self.pool.get().await?;
        let site: Option<String> = conn.get(self.keys.site(room)).await?;
        Ok(site.and_then(|s| s.parse().ok()))
    }

    async fn last_seq(&self, room: RoomId) -> Result<Option<i64>, BusError> {
        let mut conn = self.pool.get().await?;
        let (last, record, generation): (Option<i64>, Option<String>, Option<String>) =
            redis::pipe()
                .get(self.keys.seq(room))
                .get(self.keys.epoch(room))
                .get(self.keys.generation_of(room))
                .query_async(&mut conn)
                .await?;
        Ok(last.filter(|_| current_epoch(record.as_deref(), generation.as_deref()).is_some()))
    }

    async fn recent(&self, room: RoomId, after_seq: i64) -> Result<Recent, BusError> {
        let mut conn = self.pool.get().await?;
        type Reply = (Option<i64>, Option<String>, Option<String>, Vec<String>);
        let (last, record, generation, frames): Reply = redis::pipe()
            .get(self.keys.seq(room))
            .get(self.keys.epoch(room))
            .get(self.keys.generation_of(room))
            .zrangebyscore(self.keys.window(room), after_seq.saturating_add(1), "+inf")
            .query_async(&mut conn)
            .await?;
        let (Some(last), Some(epoch)) = (
            last,
            current_epoch(record.as_deref(), generation.as_deref()),
        ) else {
            return Ok(Recent::NotSeeded);
        };
        if after_seq >= last {
            return Ok(Recent::Complete {
                epoch,
                messages: Vec::new(),
            });
        }
        let mut messages = Vec::with_capacity(frames.len());
        for frame in frames {
            match serde_json::from_str::<ServerFrame>(&frame) {
                // A frame kept from before the epoch began holds a seq at or below its
                // base: the same message in the new numbering.
                Ok(ServerFrame::Message(m)) => messages.push(Message { epoch, ..m }),
                _ => {
                    return Err(BusError::Corrupt(format!(
                        "window of {room} holds a non-message"
                    )));
                }
            }
        }
        if !messages.is_empty() && contiguous_after(after_seq, &messages) {
            Ok(Recent::Complete { epoch, messages })
        } else {
            Ok(Recent::Gap { epoch })
        }
    }

    async fn request_seed(&self, room: RoomId) -> Result<(), BusError> {
        let mut conn = self.pool.get().await?;
        let _: () = conn
            .sadd(self.keys.seed_requests(), room.to_string())
            .await?;
        Ok(())
    }

    async fn take_seed_requests(&self, max: usize) -> Result<Vec<RoomId>, BusError> {
        let mut conn = self.pool.get().await?;
        let taken: Vec<String> = redis::cmd("SPOP")
            .arg(self.keys.seed_requests())
            .arg(max.max(1))
            .query_async(&mut conn)
            .await?;
        Ok(taken.iter().filter_map(|r| r.parse().ok()).collect())
    }

    async fn publish(&self, topics: &[Topic], frame: Arc<str>) -> Result<(), BusError> {
        let mut conn = self.pool.get().await?;
        let mut pipe = redis::pipe();
        for topic in topics {
            pipe.publish(self.keys.channel(*topic), frame.as_ref())
                .ignore();
        }
        let _: () = pipe.query_async(&mut conn).await?;
        Ok(())
    }

    // The sink is a handle on the one pub/sub connection: each caller takes a copy and
    // the lock is not held across the round trip, so sockets joining different rooms
    // subscribe concurrently (pipelined). The hub orders changes to any one topic.
    async fn subscribe(&self, topic: Topic) -> Result<(), BusError> {
        let mut sink = self
            .pubsub
            .lock()
            .await
            .clone()
            .ok_or_else(|| BusError::Config("subscribe before listen".into()))?;
        sink.subscribe(self.keys.channel(topic)).await?;
        Ok(())
    }

    async fn unsubscribe(&self, topic: Topic) -> Result<(), BusError> {
        let sink = self.pubsub.lock().await.clone();
        if let Some(mut sink) = sink {
            sink.unsubscribe(self.keys.channel(topic)).await?;
        }
        Ok(())
    }

    async fn listen(&self) -> Result<mpsc::UnboundedReceiver<Publication>, BusError> {
        let (sink, mut stream) = self.client.get_async_pubsub().await?.split();
        *self.pubsub.lock().await = Some(sink);
        let (tx, rx) = mpsc::unbounded_channel();
        let keys = self.keys.clone();
        tokio::spawn(async move {
            while let Some(msg) = stream.next().await {
                let Some(topic) = keys.topic(msg.get_channel_name()) else {
                    continue;
                };
                let Ok(frame) = msg.get_payload::<String>() else {
                    continue;
                };
                if tx.send((topic, frame.into())).is_err() {
                    break;
                }
            }
            log::warn!("bus: the pub/sub connection to Redis ended");
        });
        Ok(rx)
    }

    async fn push_read(
        &self,
        room: RoomId,
        site: SiteId,
        reader: &Participant,
        seq: i64,
    ) -> Result<(), BusError> {
        let (item, frame, [room_topic, site_topic]) = read_receipt(room, site, reader, seq);
        let item = serde_json::to_string(&item).map_err(|e| BusError::Corrupt(e.to_string()))?;
        let mut conn = self.pool.get().await?;
        let _: () = redis::pipe()
            .xadd(self.keys.outbox_of(room), "*", &[("r", item)])
            .ignore()
            .publish(self.keys.channel(room_topic), &frame)
            .ignore()
            .publish(self.keys.channel(site_topic), &frame)
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    async fn outbox_read(
        &self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let streams = self.keys.all_outboxes();
        let ids = vec![">"; streams.len()];
        let block_ms = usize::try_from(block.min(MAX_BLOCK).as_millis()).unwrap_or(0);
        let options = StreamReadOptions::default()
            .group(GROUP, consumer)
            .count(count)
            .block(block_ms);
        let mut conn = self.pool.get().await?;
        let reply: Option<StreamReadReply> =
            match conn.xread_options(&streams, &ids, &options).await {
                // Redis lost its data (restarted without persistence): the streams and their
                // group are gone; recreate them and read again next time.
                Err(e) if e.code() == Some("NOGROUP") => {
                    drop(conn);
                    self.create_groups().await?;
                    return Ok(Vec::new());
                }
                other => other?,
            };
        let mut entries = Vec::new();
        for stream in reply.map(|r| r.keys).unwrap_or_default() {
            let shard = shard_of(&streams, &stream.key)?;
            for id in &stream.ids {
                let mut entry = outbox_entry(id)?;
                entry.id = tagged_id(shard, &entry.id);
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    async fn outbox_claim(
        &self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let streams = self.keys.all_outboxes();
        let idle_ms = usize::try_from(min_idle.as_millis()).unwrap_or(usize::MAX);
        let mut conn = self.pool.get().await?;
        let mut entries = Vec::new();
        for (shard, stream) in (0..SHARDS).zip(&streams) {
            let reply: redis::RedisResult<StreamAutoClaimReply> = conn
                .xautoclaim_options(
                    stream,
                    GROUP,
                    consumer,
                    idle_ms,
                    "0-0",
                    StreamAutoClaimOptions::default().count(count),
                )
                .await;
            let reply = match reply {
                Err(e) if e.code() == Some("NOGROUP") => continue,
                other => other?,
            };
            for id in &reply.claimed {
                let mut entry = outbox_entry(id)?;
                entry.id = tagged_id(shard, &entry.id);
                entries.push(entry);
            }
        }
        Ok(entries)
    }

    async fn outbox_ack(&self, ids: &[String]) -> Result<(), BusError> {
        let mut by_stream: HashMap<u32, Vec<&str>> = HashMap::new();
        for tagged in ids {
            let (shard, id) = tagged
                .split_once('/')
                .and_then(|(s, id)| Some((s.parse::<u32>().ok()?, id)))
                .ok_or_else(|| BusError::Corrupt(format!("bad outbox id {tagged:?}")))?;
            by_stream.entry(shard).or_default().push(id);
        }
        let mut pipe = redis::pipe();
        for (shard, ids) in &by_stream {
            let stream = self.keys.outbox(*shard);
            pipe.xack(&stream, GROUP, ids)
                .ignore()
                .xdel(&stream, ids)
                .ignore();
        }
        let mut conn = self.pool.get().await?;
        let _: () = pipe.query_async(&mut conn).await?;
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<u64, BusError> {
        let mut pipe = redis::pipe();
        for stream in self.keys.all_outboxes() {
            pipe.xlen(stream);
        }
        let mut conn = self.pool.get().await?;
        let lengths: Vec<u64> = pipe.query_async(&mut conn).await?;
        Ok(lengths.iter().sum())
    }

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
        // so one pipeline whatever the number of keys (the inbox asks for a page's worth).
        let now = now_ms();
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.zcount(self.keys.presence(key), format!("({now}"), "+inf");
        }
        let mut conn = self.pool.get().await?;
        Ok(pipe.query_async(&mut conn).await?)
    }
}

fn shard_of(streams: &[String], key: &str) -> Result<u32, BusError> {
    streams
        .iter()
        .position(|s| s == key)
        .and_then(|p| u32::try_from(p).ok())
        .ok_or_else(|| BusError::Corrupt(format!("unknown stream {key}")))
}
