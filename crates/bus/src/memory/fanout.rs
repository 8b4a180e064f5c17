//! The memory store's fan-out: one listener, the process's own.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::MemoryBus;
use crate::BusError;
use crate::fanout::{Fanout, Publication, Topic};

#[async_trait]
impl Fanout for MemoryBus {
    async fn publish(&self, topics: &[Topic], frame: Arc<str>) -> Result<(), BusError> {
        self.state().deliver(topics, &frame);
        Ok(())
    }

    async fn subscribe(&self, topic: Topic) -> Result<(), BusError> {
        self.state().subscriptions.insert(topic);
        Ok(())
    }

    async fn unsubscribe(&self, topic: Topic) -> Result<(), BusError> {
        self.state().subscriptions.remove(&topic);
        Ok(())
    }

    async fn listen(&self) -> Result<mpsc::UnboundedReceiver<Publication>, BusError> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.state().listener = Some(tx);
        Ok(rx)
    }
}
