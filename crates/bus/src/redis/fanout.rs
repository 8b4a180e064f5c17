//! The Redis store's fan-out: `PUBLISH` and one pub/sub connection per process; on a
//! cluster, sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`), so a message goes to the master
//! owning its channel's slot only, not across the whole cluster.
//!
//! When the pub/sub connection (on a cluster: its connection to any master) is lost, the
//! receiver `listen` gave ends, as it does at one Redis: the gateway closes its sockets,
//! which resume from their seq, and listens anew — at the promoted replica after a
//! failover. What was published meanwhile the clients fetch when they resume.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use redis::{PushKind, Value};
use tokio::sync::mpsc;

use super::pool::Listening;
use super::{Keys, RedisBus};
use crate::BusError;
use crate::fanout::{Fanout, Publication, Topic};

/// The subscribe/unsubscribe half of the pub/sub connection.
#[derive(Clone)]
pub(super) enum Sink {
    Plain(redis::aio::PubSubSink),
    Sharded(redis::cluster_async::ClusterConnection),
}

impl RedisBus {
    /// The command that publishes: `SPUBLISH` on a cluster.
    pub(super) fn publish_command(&self) -> &'static str {
        if self.pool.is_cluster() {
            "SPUBLISH"
        } else {
            "PUBLISH"
        }
    }
}

#[async_trait]
impl Fanout for RedisBus {
    async fn publish(&self, topics: &[Topic], frame: Arc<str>) -> Result<(), BusError> {
        let commands = topics
            .iter()
            .map(|topic| {
                let mut cmd = redis::cmd(self.publish_command());
                cmd.arg(self.keys.channel(*topic)).arg(frame.as_ref());
                cmd
            })
            .collect();
        let mut conn = self.pool.get().await?;
        let _: Vec<Value> = conn.query_each(commands).await?;
        Ok(())
    }

    // The sink is a handle on the one pub/sub connection: each caller takes a copy and
    // the lock is not held across the round trip, so sockets joining different rooms
    // subscribe concurrently (pipelined). The hub orders changes to any one topic.
    async fn subscribe(&self, topic: Topic) -> Result<(), BusError> {
        let sink = self
            .pubsub
            .lock()
            .await
            .clone()
            .ok_or_else(|| BusError::Config("subscribe before listen".into()))?;
        let channel = self.keys.channel(topic);
        match sink {
            Sink::Plain(mut sink) => sink.subscribe(channel).await?,
            Sink::Sharded(mut conn) => conn.ssubscribe(channel).await?,
        }
        Ok(())
    }

    async fn unsubscribe(&self, topic: Topic) -> Result<(), BusError> {
        let sink = self.pubsub.lock().await.clone();
        let channel = self.keys.channel(topic);
        match sink {
            Some(Sink::Plain(mut sink)) => sink.unsubscribe(channel).await?,
            Some(Sink::Sharded(mut conn)) => conn.sunsubscribe(channel).await?,
            None => {}
        }
        Ok(())
    }

    async fn listen(&self) -> Result<mpsc::UnboundedReceiver<Publication>, BusError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let keys = self.keys.clone();
        match self.subscriber.open().await? {
            Listening::Plain(pubsub) => {
                let (sink, stream) = pubsub.split();
                *self.pubsub.lock().await = Some(Sink::Plain(sink));
                tokio::spawn(forward_messages(stream, keys, tx));
            }
            Listening::Sharded(conn, pushes) => {
                *self.pubsub.lock().await = Some(Sink::Sharded(conn));
                tokio::spawn(forward_pushes(pushes, keys, tx));
            }
        }
        Ok(rx)
    }
}

async fn forward_messages(
    mut stream: impl futures_util::Stream<Item = redis::Msg> + Unpin,
    keys: Keys,
    tx: mpsc::UnboundedSender<Publication>,
) {
    while let Some(msg) = stream.next().await {
        let Ok(frame) = msg.get_payload::<String>() else {
            continue;
        };
        if !forward(&keys, &tx, msg.get_channel_name(), frame) {
            return;
        }
    }
    log::warn!("bus: the pub/sub connection to Redis ended");
}

/// Forwards a cluster connection's sharded messages until it loses a node: the cluster
/// client would subscribe again by itself, but what was published meanwhile is lost, so
/// the receiver ends and the clients resume.
async fn forward_pushes(
    mut pushes: mpsc::UnboundedReceiver<redis::PushInfo>,
    keys: Keys,
    tx: mpsc::UnboundedSender<Publication>,
) {
    while let Some(push) = pushes.recv().await {
        match (push.kind, push.data.as_slice()) {
            (PushKind::SMessage, [Value::BulkString(channel), Value::BulkString(frame)]) => {
                let (Ok(channel), Ok(frame)) = (
                    std::str::from_utf8(channel),
                    String::from_utf8(frame.clone()),
                ) else {
                    continue;
                };
                if !forward(&keys, &tx, channel, frame) {
                    return;
                }
            }
            (PushKind::Disconnection, _) => break,
            _ => {}
        }
    }
    log::warn!("bus: a sharded pub/sub connection to the Redis Cluster ended");
}

/// Hands one publication on; false once nobody listens any more.
fn forward(
    keys: &Keys,
    tx: &mpsc::UnboundedSender<Publication>,
    channel: &str,
    frame: String,
) -> bool {
    match keys.topic(channel) {
        Some(topic) => tx.send((topic, frame.into())).is_ok(),
        None => true,
    }
}
