//! Local fan-out. The fan-out knows which of this gateway's sockets listen to which topic,
//! subscribes the bus to a topic only while some local socket needs it, and hands each
//! publication — parsed once, shared by every recipient — to the sockets' bounded queues.
//! A socket whose queue is full is closed (it resumes later); it never slows the others.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytestring::ByteString;
use pintalk_bus::{Bus, BusError, Topic};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::close;
use serde::Deserialize;
use tokio::sync::{Mutex, mpsc};

use crate::metrics::Metrics;

/// A frame on its way to sockets: its text, and for messages the room and seq, so a
/// socket can drop what it already sent during a resume replay.
#[derive(Debug)]
pub struct Outgoing {
    pub text: ByteString,
    pub room: Option<RoomId>,
    pub seq: Option<i64>,
}

/// Orders to a socket from outside its task.
#[derive(Debug)]
pub enum Control {
    /// Close with this code (after writing what is already queued, when `drain`).
    Close { code: u16, reason: &'static str },
}

/// One socket's entry under a topic.
#[derive(Clone)]
pub struct Subscriber {
    /// The socket's id, to leave the topic by.
    pub conn: u64,
    /// Its bounded queue: a full one means the socket is too slow (4008).
    pub queue: mpsc::Sender<Arc<Outgoing>>,
    /// Orders (close) that must reach it even when its queue is full.
    pub control: mpsc::UnboundedSender<Control>,
    /// Set once the socket was told it is too slow, so it is told once.
    pub slow: Arc<std::sync::atomic::AtomicBool>,
}

/// The fields of a frame the fan-out looks at.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    room: Option<RoomId>,
    seq: Option<i64>,
    ts: Option<i64>,
    code: Option<ErrorCode>,
}

pub struct Fanout {
    /// Subscribed to a topic only while some local socket listens to it.
    bus: Arc<dyn Bus>,
    /// Fan-out latency, slow consumers, bus errors.
    metrics: Arc<Metrics>,
    /// Each topic's local sockets: read for every publication, written on join/leave.
    registry: RwLock<HashMap<Topic, Vec<Subscriber>>>,
    /// Serialise subscription changes per topic (by shard), so "first in subscribes, last
    /// out unsubscribes" cannot interleave with itself for one topic — while sockets
    /// joining different topics (the usual case: each visitor their own room) do not
    /// queue behind each other's round trip to Redis.
    changes: Vec<Mutex<()>>,
}

/// Locks for subscription changes; a power of two well above the cores.
const CHANGE_SHARDS: usize = 64;

impl Fanout {
    pub fn new(bus: Arc<dyn Bus>, metrics: Arc<Metrics>) -> Self {
        Self {
            bus,
            metrics,
            registry: RwLock::default(),
            changes: (0..CHANGE_SHARDS).map(|_| Mutex::new(())).collect(),
        }
    }

    fn changes_of(&self, topic: &Topic) -> &Mutex<()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(topic);
        &self.changes[hash as usize % CHANGE_SHARDS]
    }

    fn registry(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Topic, Vec<Subscriber>>> {
        self.registry.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a socket to `topic`, subscribing the bus if it is the first one here.
    pub async fn join(&self, topic: Topic, subscriber: Subscriber) -> Result<(), BusError> {
        let _change = self.changes_of(&topic).lock().await;
        let first = {
            let mut registry = self.registry();
            let list = registry.entry(topic).or_default();
            list.push(subscriber);
            list.len() == 1
        };
        if first && let Err(e) = self.bus.subscribe(topic).await {
            self.metrics.bus_errors.inc();
            return Err(e);
        }
        Ok(())
    }

    /// Removes a socket from `topic`, unsubscribing the bus if it was the last one here.
    pub async fn leave(&self, topic: Topic, conn: u64) {
        let _change = self.changes_of(&topic).lock().await;
        let last = {
            let mut registry = self.registry();
            let Some(list) = registry.get_mut(&topic) else {
                return;
            };
            list.retain(|s| s.conn != conn);
            let empty = list.is_empty();
            if empty {
                registry.remove(&topic);
            }
            empty
        };
        if last && self.bus.unsubscribe(topic).await.is_err() {
            self.metrics.bus_errors.inc();
        }
    }

    /// Hands one publication to every local socket listening to `topic`.
    pub fn dispatch(&self, topic: Topic, text: &str) {
        let Ok(head) = serde_json::from_str::<Head>(text) else {
            log::warn!("fanout: unreadable publication on {topic:?}");
            return;
        };
        if head.kind == "message"
            && let Some(ts) = head.ts
        {
            self.metrics
                .fanout_latency_ms
                .observe((now_ms() - ts).max(0) as f64);
        }
        // A block, a revoked session, a member's changed access, an expired conversation or an erased visitor: deliver
        // the error, then close those sockets.
        let closes = match head.code {
            Some(
                ErrorCode::VisitorBlocked
                | ErrorCode::SessionRevoked
                | ErrorCode::AccessChanged
                | ErrorCode::ConversationExpired
                | ErrorCode::VisitorErased,
            ) => Some(Control::Close {
                code: close::FORBIDDEN,
                reason: "forbidden",
            }),
            _ => None,
        };
        // Only messages are de-duplicated by seq after a resume; a `read` frame carries
        // a seq too, but of another kind.
        let seq = if head.kind == "message" {
            head.seq
        } else {
            None
        };
        let outgoing = Arc::new(Outgoing {
            text: ByteString::from(text),
            room: head.room,
            seq,
        });
        let registry = self.registry.read().unwrap_or_else(|p| p.into_inner());
        let Some(subscribers) = registry.get(&topic) else {
            return;
        };
        for subscriber in subscribers {
            match subscriber.queue.try_send(outgoing.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    if subscriber
                        .slow
                        .swap(true, std::sync::atomic::Ordering::Relaxed)
                    {
                        continue;
                    }
                    self.metrics.slow_consumers.inc();
                    let _ = subscriber.control.send(Control::Close {
                        code: close::TOO_SLOW,
                        reason: "too slow",
                    });
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
            if let Some(Control::Close { code, reason }) = &closes {
                let _ = subscriber.control.send(Control::Close {
                    code: *code,
                    reason,
                });
            }
        }
    }

    /// Closes every local socket (e.g. the bus lost its subscriptions): they reconnect
    /// and resume, so nothing is missed.
    pub fn close_all(&self, code: u16, reason: &'static str) {
        let registry = self.registry.read().unwrap_or_else(|p| p.into_inner());
        for subscriber in registry.values().flatten() {
            let _ = subscriber.control.send(Control::Close { code, reason });
        }
    }

    /// Receives publications from the bus for as long as the gateway runs. If the bus
    /// drops its subscription connection, every socket is closed and listening restarts.
    pub async fn run(self: Arc<Self>) {
        loop {
            match self.bus.listen().await {
                Ok(mut publications) => {
                    while let Some((topic, text)) = publications.recv().await {
                        self.dispatch(topic, &text);
                    }
                    log::warn!("fanout: bus subscription lost; closing sockets so they resume");
                }
                Err(e) => log::error!("fanout: cannot listen to the bus: {e}"),
            }
            self.metrics.bus_errors.inc();
            self.close_all(close::SERVICE_RESTART, "bus reconnect");
            // The new subscription connection starts empty: forget every topic so the
            // next socket to join one subscribes it again.
            self.registry().clear();
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}
