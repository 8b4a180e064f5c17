//! Fan-out: publications to topics, and a gateway's subscriptions to the topics its local
//! sockets listen to. A message costs the same however many gateways run.

use std::sync::Arc;

use async_trait::async_trait;
use pintalk_core::ids::{RoomId, SessionId, SiteId};
use tokio::sync::mpsc;

use crate::BusError;

/// A fan-out channel. Every message and event of a room goes to the room's topic and its
/// site's topic: visitors listen to their room, owners to their sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    Room(RoomId),
    Site(SiteId),
    /// What every visitor of a site hears: whether an owner is online.
    SiteVisitors(SiteId),
    /// Control for the sockets opened with one login session's tickets (close them when
    /// the session ends).
    Session(SessionId),
}

/// A publication received from a topic: the server frame's JSON text, serialised once
/// by whoever published it and shared by every local recipient.
pub type Publication = (Topic, Arc<str>);

/// Publishing and listening.
#[async_trait]
pub trait Fanout: Send + Sync {
    /// Publishes an already-serialised server frame to topics (typing, presence, room
    /// events, read receipts).
    async fn publish(&self, topics: &[Topic], frame: Arc<str>) -> Result<(), BusError>;

    /// Starts receiving publications for `topic` on the receiver from [`Bus::listen`].
    async fn subscribe(&self, topic: Topic) -> Result<(), BusError>;

    /// Stops receiving publications for `topic`.
    async fn unsubscribe(&self, topic: Topic) -> Result<(), BusError>;

    /// The stream of publications for subscribed topics. Call once per process (the
    /// gateway); the receiver ends if the bus loses its subscription connection, after
    /// which publications may have been missed.
    async fn listen(&self) -> Result<mpsc::UnboundedReceiver<Publication>, BusError>;
}
