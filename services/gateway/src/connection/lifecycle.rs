//! An authenticated socket's life: joining topics, the replay, the main loop, leaving.

use super::frames::{NoAccess, room_not_granted};
use super::*;

impl Connection {
    pub(super) fn new(gateway: Arc<Gateway>, session: Session, identity: Identity) -> Self {
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
            session,
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

    pub(super) async fn send(&mut self, frame: &ServerFrame) -> Result<(), Ending> {
        self.text(frame.to_text().into()).await
    }

    /// Writes one frame. A client that has not taken a frame within WRITE_TIMEOUT is
    /// too slow: the socket is closed (4008) rather than left holding memory.
    pub(super) async fn text(&mut self, text: bytestring::ByteString) -> Result<(), Ending> {
        match tokio::time::timeout(WRITE_TIMEOUT, self.session.text(text)).await {
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
                .hub
                .join(topic, subscriber.clone())
                .await
                .is_err()
            {
                let _ = self
                    .send(&ServerFrame::error(
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
            let _ = self.send(&refusal_frame(&refusal)).await;
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
                        let _ = self.write(&out).await;
                    }
                    Err(Ending::new(code, reason))
                }
                _ = shutdown.wait_for(|stopping| *stopping) => {
                    Err(Ending::new(close::SERVICE_RESTART, "gateway restarting"))
                }
                Some(out) = self.queue.1.recv() => self.write(&out).await,
                message = stream.recv() => self.receive(message).await,
                _ = heartbeat.tick() => self.beat().await,
            };
            if let Err(ending) = step {
                return ending;
            }
        }
    }

    /// `ready`, the visitor's view of owner presence, then each resumed room's gap.
    pub(super) async fn greet(
        &mut self,
        resume: std::collections::BTreeMap<RoomId, ResumeFrom>,
    ) -> Result<(), Ending> {
        let (sites, rooms) = match &self.identity {
            Identity::Owner { sites, .. } => (sites.clone(), Vec::new()),
            Identity::Visitor { room, .. } => (Vec::new(), vec![*room]),
        };
        self.send(&ServerFrame::Ready {
            protocol: VERSION,
            you: self.me.clone(),
            sites,
            rooms,
            heartbeat_secs: self.gateway.heartbeat().as_secs(),
            max_body_chars: limits::MAX_BODY_CHARS,
        })
        .await?;
        if let Identity::Visitor { site, .. } = self.identity {
            let online = self
                .gateway
                .presence
                .owner_online(site)
                .await
                .unwrap_or(false);
            let frame = ServerFrame::Presence {
                site,
                room: None,
                kind: pintalk_core::protocol::ParticipantKind::Owner,
                online,
            };
            self.send(&frame).await?;
        }
        for (room, from) in resume {
            self.resume(room, from).await?;
        }
        Ok(())
    }

    /// Replays one resumed room's gap, or tells the client to fetch it (`resync`). A
    /// client whose seqs belong to another epoch than the room's current one drops them
    /// all (`after_seq` 0): seqs above the new epoch's start may name other messages now.
    async fn resume(&mut self, room: RoomId, from: ResumeFrom) -> Result<(), Ending> {
        let after = from.seq();
        let resync = |after_seq, epoch| ServerFrame::Resync {
            room,
            after_seq,
            epoch,
        };
        match self.site_of(room).await {
            Ok(_) => {}
            Err(NoAccess::NotGranted) => return self.send(&room_not_granted(room, None)).await,
            // Not seeded: its next epoch is a new one, so nothing the client holds above
            // what SQL has can be trusted; it fetches over HTTP, which checks access.
            Err(NoAccess::Unknown) => return self.send(&resync(0, None)).await,
        }
        match self.gateway.bus.recent(room, after).await {
            Ok(recent)
                if from
                    .epoch()
                    .is_some_and(|held| Some(held) != recent.epoch()) =>
            {
                self.send(&resync(0, recent.epoch())).await
            }
            Ok(Recent::Complete { messages, .. }) => {
                let mut last = after;
                for message in messages {
                    last = message.seq;
                    self.send(&ServerFrame::Message(message)).await?;
                }
                self.sent.insert(room, last);
                Ok(())
            }
            Ok(Recent::Gap { epoch }) => self.send(&resync(after, Some(epoch))).await,
            Ok(Recent::NotSeeded) => {
                if self.gateway.bus.request_seed(room).await.is_err() {
                    self.gateway.metrics.bus_errors.inc();
                }
                self.send(&resync(0, None)).await
            }
            Err(e) => {
                log::warn!("resume of {room}: {e}");
                self.gateway.metrics.bus_errors.inc();
                self.send(&resync(after, None)).await
            }
        }
    }

    /// Writes a queued frame, skipping messages a resume replay already wrote.
    pub(super) async fn write(&mut self, out: &Outgoing) -> Result<(), Ending> {
        if let (Some(room), Some(seq)) = (out.room, out.seq)
            && let Some(sent) = self.sent.get_mut(&room)
        {
            if seq <= *sent {
                return Ok(());
            }
            *sent = seq;
        }
        self.text(out.text.clone()).await
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
                .session
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
                self.send(&ServerFrame::error(
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
        self.session
            .ping(b"")
            .await
            .map_err(|_| Ending::new(1000, "gone"))
    }

    pub(super) async fn finish(mut self, ending: Ending) {
        for topic in std::mem::take(&mut self.topics) {
            self.gateway.hub.leave(topic, self.id).await;
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
            let close = self.session.close(close_reason(ending));
            let _ = tokio::time::timeout(WRITE_TIMEOUT, close).await;
        }
    }
}
