//! The Redis store's fan-out: `PUBLISH`, and one pub/sub connection per process.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::RedisBus;
use crate::BusError;
use crate::fanout::{Fanout, Publication, Topic};

#[async_trait]
impl Fanout for RedisBus {
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
        let (sink, mut stream) = self.subscriber.open().await?.split();
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
}
