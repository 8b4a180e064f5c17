//! An authenticated socket's life: joining its topics, the main loop (client frames,
//! queued frames, orders, heartbeat), leaving.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use actix_ws::{AggregatedMessage, AggregatedMessageStream, ProtocolError, Session};
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::{ResumeFrom, ServerFrame, close, limits};
use tokio::sync::mpsc;

use super::{
    Connection, Ending, WRITE_TIMEOUT, close_reason, protocol_ending, refusal_ending, refusal_frame,
};
use crate::Gateway;
use crate::bucket::TokenBucket;
use crate::fanout::{Control, Outgoing, Subscriber};
use crate::identity::{Identity, Ticket};

impl Connection {
    pub(super) fn new(gateway: Arc<Gateway>, socket: Session, identity: Identity) -> Self {
        let id = gateway.next_connection_id();
        let member = format!("{}:{id}", gateway.instance);
        let topics = match &identity {
            Identity::Owner { session, sites, .. } => {
                let mut topics: Vec<Topic> = sites.iter().map(|s| Topic::Site(*s)).collect();
                topics.push(Topic::Session(*session));
                topics
            }
            Identity::Visitor { site, room, .. } => {
                vec![Topic::Room(*room), Topic::SiteVisitors(*site)]
            }
        };
        let queue = mpsc::channel(gateway.settings.gateway.queue_frames.max(1));
        Self {
            me: identity.participant(),
            gateway,
            socket,
            identity,
            id,
            member,
            queue,
            control: mpsc::unbounded_channel(),
            topics,
            room_sites: HashMap::new(),
            sent: HashMap::new(),
            bucket: TokenBucket::new(limits::FRAMES_PER_SEC, limits::FRAME_BURST),
            last_heard: Instant::now(),
            arrived: false,
        }
    }

    pub(super) async fn write_frame(&mut self, frame: &ServerFrame) -> Result<(), Ending> {
        self.write_text(frame.to_text().into()).await
    }

    /// Writes one frame. A client that has not taken a frame within WRITE_TIMEOUT is
    /// too slow: the socket is closed (4008) rather than left holding memory.
    pub(super) async fn write_text(&mut self, text: bytestring::ByteString) -> Result<(), Ending> {
        match tokio::time::timeout(WRITE_TIMEOUT, self.socket.text(text)).await {
            Ok(Ok(())) => {
                self.gateway.metrics.frames_out.inc();
                Ok(())
            }
            Ok(Err(_)) => Err(Ending::new(1000, "gone")),
            Err(_) => {
                self.gateway.metrics.slow_consumers.inc();
                Err(Ending::new(close::TOO_SLOW, "too slow"))
            }
        }
    }

    pub(super) async fn serve(
        &mut self,
        ticket: Ticket,
        resume: std::collections::BTreeMap<RoomId, ResumeFrom>,
        stream: &mut AggregatedMessageStream,
    ) -> Ending {
        self.gateway.metrics.connections.inc();
        let subscriber = Subscriber {
            conn: self.id,
            queue: self.queue.0.clone(),
            control: self.control.0.clone(),
            slow: Arc::default(),
        };
        // Listen before replaying, so nothing published meanwhile is missed.
        for topic in self.topics.clone() {
            if self
                .gateway
                .fanout
                .join(topic, subscriber.clone())
                .await
                .is_err()
            {
                let _ = self
                    .write_frame(&ServerFrame::error(
                        ErrorCode::Unavailable,
                        "try again",
                        true,
                    ))
                    .await;
                return Ending::new(close::INTERNAL, "bus unavailable");
            }
        }
        // Claimed only once the socket listens to its session's topic: a session that
        // ends from now on reaches it there, one that ended before is refused here.
        if let Err(refusal) = ticket.claim(&*self.gateway.bus).await {
            let _ = self.write_frame(&refusal_frame(&refusal)).await;
            return refusal_ending(&refusal);
        }
        self.arrived = true;
        if let Err(e) = self
            .gateway
            .presence
            .arrive(&self.identity, &self.member)
            .await
        {
            log::warn!("presence: {e}");
        }
        if let Err(ending) = self.greet(resume).await {
            return ending;
        }
        let mut heartbeat = tokio::time::interval(self.gateway.heartbeat());
        heartbeat.tick().await;
        let mut shutdown = self.gateway.shutdown.subscribe();
        loop {
            let step = tokio::select! {
                biased;
                Some(Control::Close { code, reason }) = self.control.1.recv() => {
                    // Write what is already queued (e.g. the frame that explains a
                    // forced close) before closing.
                    while let Ok(out) = self.queue.1.try_recv() {
                        let _ = self.write_queued(&out).await;
                    }
                    Err(Ending::new(code, reason))
                }
                _ = shutdown.wait_for(|stopping| *stopping) => {
                    Err(Ending::new(close::SERVICE_RESTART, "gateway restarting"))
                }
                Some(out) = self.queue.1.recv() => self.write_queued(&out).await,
                message = stream.recv() => self.receive(message).await,
                _ = heartbeat.tick() => self.beat().await,
            };
            if let Err(ending) = step {
                return ending;
            }
        }
    }

    /// Writes a queued frame, skipping messages a resume replay already wrote.
    pub(super) async fn write_queued(&mut self, out: &Outgoing) -> Result<(), Ending> {
        if let (Some(room), Some(seq)) = (out.room, out.seq)
            && let Some(sent) = self.sent.get_mut(&room)
        {
            if seq <= *sent {
                return Ok(());
            }
            *sent = seq;
        }
        self.write_text(out.text.clone()).await
    }

    pub(super) async fn receive(
        &mut self,
        message: Option<Result<AggregatedMessage, ProtocolError>>,
    ) -> Result<(), Ending> {
        self.last_heard = Instant::now();
        match message {
            None | Some(Ok(AggregatedMessage::Close(_))) => Err(Ending::new(1000, "bye")),
            Some(Err(e)) => Err(protocol_ending(&e)),
            Some(Ok(AggregatedMessage::Ping(bytes))) => self
                .socket
                .pong(&bytes)
                .await
                .map_err(|_| Ending::new(1000, "gone")),
            Some(Ok(AggregatedMessage::Pong(_))) => Ok(()),
            Some(Ok(AggregatedMessage::Text(text))) if text.len() > limits::MAX_FRAME_BYTES => {
                Err(Ending::new(close::TOO_BIG, "frame too big"))
            }
            Some(Ok(AggregatedMessage::Binary(bytes))) if bytes.len() > limits::MAX_FRAME_BYTES => {
                Err(Ending::new(close::TOO_BIG, "frame too big"))
            }
            Some(Ok(AggregatedMessage::Binary(_))) => {
                self.write_frame(&ServerFrame::error(
                    ErrorCode::BadFrame,
                    "frames are JSON text",
                    false,
                ))
                .await
            }
            Some(Ok(AggregatedMessage::Text(text))) => self.handle(&text).await,
        }
    }

    pub(super) async fn beat(&mut self) -> Result<(), Ending> {
        if self.last_heard.elapsed() > self.gateway.silence_limit() {
            return Err(Ending::new(close::IDLE, "idle"));
        }
        if let Err(e) = self
            .gateway
            .presence
            .renew(&self.identity, &self.member)
            .await
        {
            log::warn!("presence renew: {e}");
        }
        self.socket
            .ping(b"")
            .await
            .map_err(|_| Ending::new(1000, "gone"))
    }

    pub(super) async fn finish(mut self, ending: Ending) {
        for topic in std::mem::take(&mut self.topics) {
            self.gateway.fanout.leave(topic, self.id).await;
        }
        self.gateway.metrics.connections.dec();
        if self.arrived {
            self.gateway
                .presence
                .depart(self.identity.clone(), self.member.clone());
        }
        if ending.code != 1000 || ending.reason != "gone" {
            // A client that takes no frame takes no close frame either: give up on it
            // as on any write, so its task (and its admission slot) ends.
            let close = self.socket.close(close_reason(ending));
            let _ = tokio::time::timeout(WRITE_TIMEOUT, close).await;
        }
    }
}
