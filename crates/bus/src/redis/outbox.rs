//! The Redis store's outbox: one stream per shard, read with the `persister` group. On a
//! cluster the shards' streams sit in different slots, spread over the masters, and no
//! command may name two: each stream is read, claimed and acknowledged on its own.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::Participant;
use redis::AsyncCommands;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamReadOptions, StreamReadReply,
};

use super::pool::Pooled;
use super::{GROUP, MAX_BLOCK, RedisBus, SHARDS, outbox_entry, shard_of, tagged_id};
use crate::BusError;
use crate::outbox::{Outbox, OutboxEntry, read_receipt};

#[async_trait]
impl Outbox for RedisBus {
    async fn mark_read(
        &self,
        room: RoomId,
        site: SiteId,
        reader: &Participant,
        seq: i64,
    ) -> Result<(), BusError> {
        let (item, frame, [room_topic, site_topic]) = read_receipt(room, site, reader, seq);
        let item = serde_json::to_string(&item).map_err(|e| BusError::Corrupt(e.to_string()))?;
        let publish = |topic| {
            let mut cmd = redis::cmd(self.publish_command());
            cmd.arg(self.keys.channel(topic)).arg(&frame);
            cmd
        };
        let commands = vec![
            redis::Cmd::xadd(self.keys.outbox_of(room), "*", &[("r", item)]),
            publish(room_topic),
            publish(site_topic),
        ];
        let mut conn = self.pool.get().await?;
        let _: Vec<redis::Value> = conn.query_each(commands).await?;
        Ok(())
    }

    async fn outbox_read(
        &self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let streams = self.keys.all_outboxes();
        let block_ms = usize::try_from(block.min(MAX_BLOCK).as_millis()).unwrap_or(0);
        let options = StreamReadOptions::default()
            .group(GROUP, consumer)
            .count(count);
        let mut conn = self.pool.get().await?;
        let reply = if self.pool.is_cluster() {
            self.read_each_stream(&mut conn, &streams, options, block_ms)
                .await
        } else {
            let ids = vec![">"; streams.len()];
            conn.xread_options(&streams, &ids, &options.block(block_ms))
                .await
        };
        let reply: Option<StreamReadReply> = match reply {
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
        let mut commands = Vec::new();
        for (shard, ids) in &by_stream {
            let stream = self.keys.outbox(*shard);
            commands.push(redis::Cmd::xack(&stream, GROUP, ids));
            commands.push(redis::Cmd::xdel(&stream, ids));
        }
        let mut conn = self.pool.get().await?;
        let _: Vec<redis::Value> = conn.query_each(commands).await?;
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<u64, BusError> {
        let commands = self.keys.all_outboxes().into_iter().map(redis::Cmd::xlen);
        let mut conn = self.pool.get().await?;
        let lengths: Vec<u64> = conn.query_each(commands.collect()).await?;
        Ok(lengths.iter().sum())
    }
}

impl RedisBus {
    /// A cluster's `XREADGROUP`: every stream at once without blocking, and only if none
    /// had anything, a blocking read of one stream, a different one each time — so an
    /// idle persister waits without spinning, and no stream waits more than a round.
    async fn read_each_stream(
        &self,
        conn: &mut Pooled,
        streams: &[String],
        options: StreamReadOptions,
        block_ms: usize,
    ) -> redis::RedisResult<Option<StreamReadReply>> {
        let commands = streams
            .iter()
            .map(|stream| redis::Cmd::xread_options(&[stream], &[">"], &options))
            .collect();
        let replies: Vec<Option<StreamReadReply>> = conn.query_each(commands).await?;
        let keys: Vec<_> = replies.into_iter().flatten().flat_map(|r| r.keys).collect();
        if !keys.is_empty() || block_ms == 0 {
            return Ok(Some(StreamReadReply { keys }));
        }
        let turn = self.next_blocking_read.fetch_add(1, Ordering::Relaxed);
        let stream = &streams[turn % streams.len()];
        conn.xread_options(&[stream], &[">"], &options.block(block_ms))
            .await
    }
}
