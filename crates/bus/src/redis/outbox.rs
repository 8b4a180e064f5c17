//! The Redis store's outbox: one stream per shard, read with the `persister` group.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::Participant;
use redis::AsyncCommands;
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamReadOptions, StreamReadReply,
};

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
}
