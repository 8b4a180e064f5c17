//! The Redis store's message log: `append.lua` and `seed.lua`, and the replay window
//! (`read.lua`).

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::{Message, ServerFrame};
use redis::AsyncCommands;

use super::pool::Pooled;
use super::{RedisBus, current_epoch, seq_ts_epoch};
use crate::BusError;
use crate::fanout::Topic;
use crate::log::{
    Appended, CID_MEMORY, Draft, FORGOTTEN_FOR, Log, RECENT_WINDOW, Recent, SentCid, cid_key,
    contiguous_after, frame_halves,
};

/// How long an append waits for `redis.ack_after_replicas` replicas: below the 500 ms
/// that commands on pooled connections get, and far above a healthy replica's lag.
const REPLICA_WAIT: Duration = Duration::from_millis(250);

impl RedisBus {
    /// Whether `ack_after_replicas` replicas hold everything this connection wrote
    /// (`WAIT`). WAIT counts this connection's own writes, and a duplicate wrote nothing —
    /// its original may have come through another connection and never reached a replica
    /// — so a duplicate first renews the room's cid memory, a write that takes this
    /// connection's offset past the original's.
    async fn replicated(
        &self,
        conn: &mut Pooled,
        room: RoomId,
        duplicate: bool,
    ) -> Result<bool, BusError> {
        let mut pipe = redis::pipe();
        if duplicate {
            // Not ignored: a pipeline routed to one cluster node answers every command.
            pipe.expire(
                self.keys.cids(room),
                i64::try_from(CID_MEMORY.as_secs()).unwrap_or(i64::MAX),
            );
        }
        pipe.cmd("WAIT")
            .arg(self.ack_after_replicas)
            .arg(REPLICA_WAIT.as_millis() as u64);
        let answers: Vec<redis::Value> = conn.query_at(&self.keys.seq(room), &pipe).await?;
        let confirmed = match answers.last() {
            Some(redis::Value::Int(n)) => *n,
            other => return Err(BusError::Corrupt(format!("WAIT answered {other:?}"))),
        };
        Ok(confirmed >= i64::from(self.ack_after_replicas))
    }

    /// A room's counter, epoch record and shard generation, and its window from seq
    /// `from` on (`None`: not wanted), in one step (`read.lua`). On a cluster the read
    /// fences first, so a promoted replica's rooms read as not seeded until the next
    /// epoch, never as current in the one the failover voided.
    async fn read(&self, room: RoomId, from: Option<i64>) -> Result<ReadReply, BusError> {
        let mut invocation = self.read.prepare_invoke();
        invocation
            .key(self.keys.seq(room))
            .key(self.keys.epoch(room))
            .key(self.keys.generation_of(room))
            .key(self.keys.window(room))
            .arg(from.map_or_else(String::new, |seq| seq.to_string()));
        if self.pool.is_cluster() {
            invocation.key(self.keys.run_id_of(room));
        }
        let mut conn = self.pool.get().await?;
        Ok(invocation.invoke_async(&mut conn).await?)
    }
}

/// What `read.lua` answers: counter, epoch record, generation, window frames.
type ReadReply = (Option<i64>, Option<String>, Option<String>, Vec<String>);

#[async_trait]
impl Log for RedisBus {
    async fn append(&self, draft: &Draft, max_backlog: u64) -> Result<Appended, BusError> {
        let (head, tail) = frame_halves(draft);
        let per_shard_backlog = crate::outbox::shard_backlog(max_backlog);
        let cluster = self.pool.is_cluster();
        let site_channel = self.keys.channel(Topic::Site(draft.site));
        let mut invocation = self.append.prepare_invoke();
        invocation
            .key(self.keys.seq(draft.room))
            .key(self.keys.window(draft.room))
            .key(self.keys.cids(draft.room))
            .key(self.keys.outbox_of(draft.room))
            .key(self.keys.site(draft.room))
            .key(self.keys.epoch(draft.room))
            .key(self.keys.generation_of(draft.room));
        if cluster {
            invocation.key(self.keys.run_id_of(draft.room));
        }
        invocation
            .arg(cid_key(&draft.sender, &draft.cid))
            .arg(head)
            .arg(tail)
            .arg(RECENT_WINDOW)
            .arg(CID_MEMORY.as_secs())
            .arg(per_shard_backlog)
            // A note is not published to the room's channel: that is the visitor's.
            .arg(if draft.note {
                String::new()
            } else {
                self.keys.channel(Topic::Room(draft.room))
            })
            // The site's channel is in another slot than the script's keys.
            .arg(if cluster { "" } else { site_channel.as_str() })
            .arg(draft.site.to_string())
            .arg(self.publish_command());
        let mut conn = self.pool.get().await?;
        let reply: Vec<String> = invocation.invoke_async(&mut conn).await?;
        let appended = match reply.as_slice() {
            [kind, at, frame @ ..] if kind == "stored" => {
                if let [frame] = frame {
                    let _: () = redis::cmd(self.publish_command())
                        .arg(&site_channel)
                        .arg(frame)
                        .query_async(&mut conn)
                        .await?;
                }
                seq_ts_epoch(at).map(|(seq, ts, epoch)| Appended::Stored { seq, ts, epoch })?
            }
            [kind, at] if kind == "duplicate" => {
                seq_ts_epoch(at).map(|(seq, ts, epoch)| Appended::Duplicate { seq, ts, epoch })?
            }
            [kind] if kind == "not_seeded" => return Ok(Appended::NotSeeded),
            [kind] if kind == "backlog_full" => return Ok(Appended::BacklogFull),
            [kind] if kind == "wrong_site" => return Ok(Appended::WrongSite),
            other => return Err(BusError::Corrupt(format!("append answered {other:?}"))),
        };
        if self.ack_after_replicas == 0 {
            return Ok(appended);
        }
        let duplicate = matches!(appended, Appended::Duplicate { .. });
        if self.replicated(&mut conn, draft.room, duplicate).await? {
            Ok(appended)
        } else {
            Ok(Appended::NotReplicated)
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
            .key(self.keys.forgotten(room))
            .arg(site.to_string())
            .arg(last_seq)
            .arg(CID_MEMORY.as_secs());
        if self.pool.is_cluster() {
            invocation.key(self.keys.run_id_of(room));
        }
        for sent in cids {
            invocation
                .arg(cid_key(&sent.sender, &sent.cid))
                .arg(format!("{}:{}", sent.seq, sent.ts));
        }
        let mut conn = self.pool.get().await?;
        let epoch: String = invocation.invoke_async(&mut conn).await?;
        if epoch == "forgotten" {
            return Err(BusError::Forgotten(room));
        }
        epoch
            .parse()
            .map_err(|_| BusError::Corrupt(format!("seed answered {epoch:?}")))
    }

    async fn forget(&self, room: RoomId, persisted_seq: i64) -> Result<bool, BusError> {
        let mut invocation = self.forget.prepare_invoke();
        invocation
            .key(self.keys.seq(room))
            .key(self.keys.site(room))
            .key(self.keys.epoch(room))
            .key(self.keys.window(room))
            .key(self.keys.cids(room))
            .key(self.keys.forgotten(room))
            .arg(persisted_seq)
            .arg(u64::try_from(FORGOTTEN_FOR.as_millis()).unwrap_or(u64::MAX));
        let mut conn = self.pool.get().await?;
        let forgot: i64 = invocation.invoke_async(&mut conn).await?;
        Ok(forgot == 1)
    }

    async fn room_site(&self, room: RoomId) -> Result<Option<SiteId>, BusError> {
        let mut conn = self.pool.get().await?;
        let site: Option<String> = conn.get(self.keys.site(room)).await?;
        Ok(site.and_then(|s| s.parse().ok()))
    }

    async fn last_seq(&self, room: RoomId) -> Result<Option<i64>, BusError> {
        let (last, record, generation, _) = self.read(room, None).await?;
        Ok(last.filter(|_| current_epoch(record.as_deref(), generation.as_deref()).is_some()))
    }

    async fn recent(&self, room: RoomId, after_seq: i64) -> Result<Recent, BusError> {
        let (last, record, generation, frames) =
            self.read(room, Some(after_seq.saturating_add(1))).await?;
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
}
