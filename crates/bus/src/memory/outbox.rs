//! The memory store's outbox.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::Participant;

use super::MemoryBus;
use crate::BusError;
use crate::outbox::{Outbox, OutboxEntry, read_receipt};

#[async_trait]
impl Outbox for MemoryBus {
    async fn mark_read(
        &self,
        room: RoomId,
        site: SiteId,
        reader: &Participant,
        seq: i64,
    ) -> Result<(), BusError> {
        let (item, frame, topics) = read_receipt(room, site, reader, seq);
        let frame: Arc<str> = frame.into();
        let mut state = self.state();
        state.outbox.push(item);
        state.deliver(&topics, &frame);
        drop(state);
        self.outbox_ready.notify_waiters();
        Ok(())
    }

    async fn outbox_read(
        &self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let deadline = tokio::time::Instant::now() + block;
        loop {
            let waiter = self.outbox_ready.notified();
            {
                let mut state = self.state();
                let now = Instant::now();
                let mut taken = Vec::new();
                while taken.len() < count {
                    let Some((id, item)) = state.outbox.fresh.pop_front() else {
                        break;
                    };
                    state
                        .outbox
                        .pending
                        .insert(id, (item.clone(), consumer.to_owned(), now));
                    taken.push(OutboxEntry {
                        id: id.to_string(),
                        item,
                    });
                }
                if !taken.is_empty() {
                    return Ok(taken);
                }
            }
            if tokio::time::timeout_at(deadline, waiter).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn outbox_claim(
        &self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let mut state = self.state();
        let now = Instant::now();
        let mut claimed = Vec::new();
        for (id, (item, owner, read_at)) in state.outbox.pending.iter_mut() {
            if claimed.len() >= count {
                break;
            }
            if now.duration_since(*read_at) >= min_idle {
                *owner = consumer.to_owned();
                *read_at = now;
                claimed.push(OutboxEntry {
                    id: id.to_string(),
                    item: item.clone(),
                });
            }
        }
        Ok(claimed)
    }

    async fn outbox_ack(&self, ids: &[String]) -> Result<(), BusError> {
        let mut state = self.state();
        for id in ids {
            if let Ok(id) = id.parse::<u64>() {
                state.outbox.acknowledged(id);
            }
        }
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<u64, BusError> {
        Ok(self.state().outbox.len())
    }
}
