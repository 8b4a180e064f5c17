//! One socket, from handshake to close: first-frame authentication within the deadline,
//! joining the hub's topics, replaying what a resuming client missed, then a loop that
//! reads client frames, writes queued frames, answers orders (close) and keeps the
//! heartbeat.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{
    AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError, Session,
};
use pintalk_bus::{Appended, Draft, Recent, Topic};
use pintalk_core::ErrorCode;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::{
    ClientFrame, Participant, ServerFrame, VERSION, close, limits, valid_cid,
};
use tokio::sync::mpsc;

use crate::Gateway;
use crate::bucket::TokenBucket;
use crate::hub::{Control, Outgoing, Subscriber};
use crate::identity::Identity;

/// How long one frame may wait for a client to take it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// `GET /ws`: admits the socket (capacity, per-IP bound) and hands it to its own task.
pub async fn open(
    req: HttpRequest,
    body: web::Payload,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, actix_web::Error> {
    if gateway.is_stopping() {
        return Ok(HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "1"))
            .json(serde_json::json!({
                "error": ErrorCode::Unavailable,
                "message": "this gateway is restarting; connect to another",
            })));
    }
    let ip = gateway.client_ip(&req);
    let Some(slot) = gateway.admission.admit(&ip) else {
        return Ok(HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "5"))
            .json(serde_json::json!({
                "error": ErrorCode::TooManyRequests,
                "message": "too many sockets; try again shortly",
            })));
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .max_frame_size(limits::MAX_FRAME_BYTES)
        .aggregate_continuations()
        .max_continuation_size(limits::MAX_FRAME_BYTES);
    let gateway = gateway.into_inner();
    actix_web::rt::spawn(async move {
        let _slot = slot;
        run(gateway, session, stream, origin).await;
    });
    Ok(response)
}

/// How a socket's life ended, for the close frame.
struct Ending {
    code: u16,
    reason: &'static str,
}

impl Ending {
    fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason }
    }
}

fn close_reason(ending: Ending) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::Other(ending.code),
        description: Some(ending.reason.into()),
    })
}

fn protocol_ending(error: &ProtocolError) -> Ending {
    match error {
        ProtocolError::Overflow => Ending::new(close::TOO_BIG, "frame too big"),
        ProtocolError::Io(e) if e.to_string().contains("maximum continuation size") => {
            Ending::new(close::TOO_BIG, "frame too big")
        }
        _ => Ending::new(close::PROTOCOL, "protocol error"),
    }
}

async fn run(
    gateway: Arc<Gateway>,
    mut session: Session,
    mut stream: AggregatedMessageStream,
    origin: Option<String>,
) {
    let (token, resume) = match first_frame(&mut session, &mut stream).await {
        Ok(auth) => auth,
        Err(Some(ending)) => {
            let _ = session.close(close_reason(ending)).await;
            return;
        }
        Err(None) => return,
    };
    let identity = match Identity::authenticate(
        gateway.verifier(),
        &token,
        origin.as_deref(),
        &gateway.dashboard_origin,
    ) {
        Ok(identity) => identity,
        Err(refusal) => {
            log::info!("socket refused: {}", refusal.reason);
            let frame = ServerFrame::error(refusal.code, "authentication failed", false);
            let _ = session.text(frame.to_text()).await;
            let _ = session
                .close(close_reason(Ending::new(close::AUTH_FAILED, "auth failed")))
                .await;
            return;
        }
    };
    let mut connection = Connection::new(gateway, session, identity);
    let ending = connection.serve(resume, &mut stream).await;
    connection.finish(ending).await;
}

/// Waits (up to the deadline) for the `auth` frame; `Err(None)` means the client left.
async fn first_frame(
    session: &mut Session,
    stream: &mut AggregatedMessageStream,
) -> Result<(String, std::collections::BTreeMap<RoomId, i64>), Option<Ending>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(limits::AUTH_DEADLINE_SECS);
    loop {
        let next = tokio::time::timeout_at(deadline, stream.recv()).await;
        let message = match next {
            Err(_) => return Err(Some(Ending::new(close::AUTH_TIMEOUT, "auth timeout"))),
            Ok(None) | Ok(Some(Ok(AggregatedMessage::Close(_)))) => return Err(None),
            Ok(Some(Err(e))) => return Err(Some(protocol_ending(&e))),
            Ok(Some(Ok(message))) => message,
        };
        let text = match message {
            AggregatedMessage::Ping(bytes) => {
                let _ = session.pong(&bytes).await;
                continue;
            }
            AggregatedMessage::Pong(_) => continue,
            AggregatedMessage::Text(text) => text,
            AggregatedMessage::Binary(_) | AggregatedMessage::Close(_) => {
                return Err(Some(Ending::new(close::PROTOCOL, "expected auth")));
            }
        };
        if text.len() > limits::MAX_AUTH_FRAME_BYTES {
            return Err(Some(Ending::new(close::TOO_BIG, "auth frame too big")));
        }
        return match serde_json::from_str::<ClientFrame>(&text) {
            Ok(ClientFrame::Auth { token, resume }) if resume.len() <= limits::MAX_RESUME_ROOMS => {
                Ok((token, resume))
            }
            _ => {
                let frame =
                    ServerFrame::error(ErrorCode::BadFrame, "the first frame must be auth", false);
                let _ = session.text(frame.to_text()).await;
                Err(Some(Ending::new(close::PROTOCOL, "expected auth")))
            }
        };
    }
}

/// An authenticated socket.
struct Connection {
    gateway: Arc<Gateway>,
    session: Session,
    identity: Identity,
    me: Participant,
    /// This socket's id on this gateway.
    id: u64,
    /// Unique across gateways: its presence member name.
    member: String,
    queue: (mpsc::Sender<Arc<Outgoing>>, mpsc::Receiver<Arc<Outgoing>>),
    control: (
        mpsc::UnboundedSender<Control>,
        mpsc::UnboundedReceiver<Control>,
    ),
    topics: Vec<Topic>,
    /// Rooms an owner acted in, with their site (looked up in the bus once).
    room_sites: HashMap<RoomId, SiteId>,
    /// For resumed rooms: the last seq written, so live frames that overlap the replay
    /// are not sent twice.
    sent: HashMap<RoomId, i64>,
    bucket: TokenBucket,
    last_heard: Instant,
}

impl Connection {
    fn new(gateway: Arc<Gateway>, session: Session, identity: Identity) -> Self {
        let id = gateway.next_connection_id();
        let member = format!("{}:{id}", gateway.instance);
        let topics = match &identity {
            Identity::Owner { id, sites, .. } => {
                let mut topics: Vec<Topic> = sites.iter().map(|s| Topic::Site(*s)).collect();
                topics.push(Topic::Owner(*id));
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
        }
    }

    async fn send(&mut self, frame: &ServerFrame) -> Result<(), Ending> {
        self.text(frame.to_text().into()).await
    }

    /// Writes one frame. A client that has not taken a frame within WRITE_TIMEOUT is
    /// too slow: the socket is closed (4008) rather than left holding memory.
    async fn text(&mut self, text: bytestring::ByteString) -> Result<(), Ending> {
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

    async fn serve(
        &mut self,
        resume: std::collections::BTreeMap<RoomId, i64>,
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
    async fn greet(
        &mut self,
        resume: std::collections::BTreeMap<RoomId, i64>,
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
        for (room, after) in resume {
            match self.site_of(room).await {
                Ok(_) => {}
                Err(NoAccess::NotGranted) => {
                    self.send(&room_not_granted(room, None)).await?;
                    continue;
                }
                // Its window is surely gone too: fetch over HTTP, which checks access.
                Err(NoAccess::Unknown) => {
                    self.send(&ServerFrame::Resync {
                        room,
                        after_seq: after,
                    })
                    .await?;
                    continue;
                }
            }
            match self.gateway.bus.recent(room, after).await {
                Ok(Recent::Complete(messages)) => {
                    let mut last = after;
                    for message in messages {
                        last = message.seq;
                        self.send(&ServerFrame::Message(message)).await?;
                    }
                    self.sent.insert(room, last);
                }
                Ok(Recent::Gap) => {
                    self.send(&ServerFrame::Resync {
                        room,
                        after_seq: after,
                    })
                    .await?
                }
                Err(e) => {
                    log::warn!("resume of {room}: {e}");
                    self.gateway.metrics.bus_errors.inc();
                    self.send(&ServerFrame::Resync {
                        room,
                        after_seq: after,
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Writes a queued frame, skipping messages a resume replay already wrote.
    async fn write(&mut self, out: &Outgoing) -> Result<(), Ending> {
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

    async fn receive(
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

    async fn beat(&mut self) -> Result<(), Ending> {
        if self.last_heard.elapsed() > 3 * self.gateway.heartbeat() {
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

    /// The site of `room` if this socket may act in it. A room the bus does not know
    /// (Redis lost its data) is `Unknown`: the persister is asked to restore it from SQL.
    async fn site_of(&mut self, room: RoomId) -> Result<SiteId, NoAccess> {
        if let Identity::Visitor {
            room: own, site, ..
        } = &self.identity
        {
            return if *own == room {
                Ok(*site)
            } else {
                Err(NoAccess::NotGranted)
            };
        }
        if let Some(site) = self.room_sites.get(&room) {
            return Ok(*site);
        }
        let site = match self.gateway.bus.room_site(room).await {
            Ok(Some(site)) => site,
            Ok(None) => {
                if self.gateway.bus.request_seed(room).await.is_err() {
                    self.gateway.metrics.bus_errors.inc();
                }
                return Err(NoAccess::Unknown);
            }
            Err(_) => {
                self.gateway.metrics.bus_errors.inc();
                return Err(NoAccess::Unknown);
            }
        };
        if !self.identity.covers_site(site) {
            return Err(NoAccess::NotGranted);
        }
        if self.room_sites.len() < 10_000 {
            self.room_sites.insert(room, site);
        }
        Ok(site)
    }

    async fn handle(&mut self, text: &str) -> Result<(), Ending> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(e) => {
                return self
                    .send(&ServerFrame::error(
                        ErrorCode::BadFrame,
                        e.to_string(),
                        false,
                    ))
                    .await;
            }
        };
        if !self.bucket.take() {
            let mut error = ServerFrame::error(ErrorCode::RateLimited, "slow down", true);
            if let (ServerFrame::Error { cid, .. }, ClientFrame::Send { cid: sent, .. }) =
                (&mut error, &frame)
            {
                *cid = Some(sent.clone());
            }
            return self.send(&error).await;
        }
        match frame {
            ClientFrame::Auth { .. } => {
                self.send(&ServerFrame::error(
                    ErrorCode::AlreadyAuthenticated,
                    "already authenticated",
                    false,
                ))
                .await
            }
            ClientFrame::Ping {} => self.send(&ServerFrame::Pong).await,
            ClientFrame::Send { room, body, cid } => {
                let reply = self.post(room, body, cid).await;
                self.send(&reply).await
            }
            ClientFrame::Typing { room, active } => {
                let site = match self.site_of(room).await {
                    Ok(site) => site,
                    Err(no) => return self.send(&no.frame(room, None)).await,
                };
                let frame = ServerFrame::Typing {
                    room,
                    sender: self.me.clone(),
                    active,
                };
                if self
                    .gateway
                    .bus
                    .publish(
                        &[Topic::Room(room), Topic::Site(site)],
                        frame.to_text().into(),
                    )
                    .await
                    .is_err()
                {
                    self.gateway.metrics.bus_errors.inc();
                }
                Ok(())
            }
            ClientFrame::Read { room, seq } => {
                let site = match self.site_of(room).await {
                    Ok(site) => site,
                    Err(no) => return self.send(&no.frame(room, None)).await,
                };
                if seq < 1 {
                    return self
                        .send(&ServerFrame::error(
                            ErrorCode::BadFrame,
                            "seq must be positive",
                            false,
                        ))
                        .await;
                }
                if self
                    .gateway
                    .bus
                    .push_read(room, site, &self.me, seq)
                    .await
                    .is_err()
                {
                    self.gateway.metrics.bus_errors.inc();
                    return self
                        .send(&ServerFrame::error(
                            ErrorCode::Unavailable,
                            "try again",
                            true,
                        ))
                        .await;
                }
                Ok(())
            }
        }
    }

    /// Appends a message; the answer is an `ack` or an `error` naming the cid.
    async fn post(&mut self, room: RoomId, body: String, cid: String) -> ServerFrame {
        let error = |code, message: &str, retriable| ServerFrame::Error {
            code,
            message: message.to_owned(),
            cid: Some(cid.clone()),
            room: Some(room),
            retriable,
        };
        if !valid_cid(&cid) {
            return ServerFrame::Error {
                code: ErrorCode::InvalidCid,
                message: "cid must be 1 to 64 of A-Z a-z 0-9 _ -".into(),
                cid: None,
                room: Some(room),
                retriable: false,
            };
        }
        if body.trim().is_empty() || body.chars().count() > limits::MAX_BODY_CHARS {
            return error(
                ErrorCode::BodyTooLong,
                "the body must be 1 to 4000 characters",
                false,
            );
        }
        let site = match self.site_of(room).await {
            Ok(site) => site,
            Err(no) => return no.frame(room, Some(cid.clone())),
        };
        let draft = Draft {
            room,
            site,
            cid: cid.clone(),
            sender: self.me.clone(),
            body,
        };
        match self
            .gateway
            .bus
            .append(&draft, self.gateway.settings.gateway.max_backlog)
            .await
        {
            Ok(Appended::Stored { seq, ts }) => {
                self.gateway.metrics.messages_in.inc();
                ServerFrame::Ack { room, cid, seq, ts }
            }
            Ok(Appended::Duplicate { seq, ts }) => ServerFrame::Ack { room, cid, seq, ts },
            Ok(Appended::NotSeeded) => {
                if self.gateway.bus.request_seed(room).await.is_err() {
                    self.gateway.metrics.bus_errors.inc();
                }
                error(
                    ErrorCode::RoomNotReady,
                    "the room is being restored; retry shortly",
                    true,
                )
            }
            Ok(Appended::BacklogFull) => error(
                ErrorCode::BacklogFull,
                "storage is behind; retry shortly",
                true,
            ),
            Ok(Appended::WrongSite) => room_not_granted(room, Some(cid.clone())),
            Err(e) => {
                log::warn!("append: {e}");
                self.gateway.metrics.bus_errors.inc();
                error(ErrorCode::Unavailable, "try again", true)
            }
        }
    }

    async fn finish(mut self, ending: Ending) {
        for topic in std::mem::take(&mut self.topics) {
            self.gateway.hub.leave(topic, self.id).await;
        }
        self.gateway.metrics.connections.dec();
        self.gateway
            .presence
            .depart(self.identity.clone(), self.member.clone());
        if ending.code != 1000 || ending.reason != "gone" {
            let _ = self.session.close(close_reason(ending)).await;
        }
    }
}

/// Why a socket may not act in a room.
enum NoAccess {
    /// The room is not this socket's (or its site is not the owner's).
    NotGranted,
    /// The bus does not know the room right now; it is being restored. Retriable.
    Unknown,
}

impl NoAccess {
    fn frame(&self, room: RoomId, cid: Option<String>) -> ServerFrame {
        match self {
            NoAccess::NotGranted => room_not_granted(room, cid),
            NoAccess::Unknown => ServerFrame::Error {
                code: ErrorCode::RoomNotReady,
                message: "the room is being restored; retry shortly".into(),
                cid,
                room: Some(room),
                retriable: true,
            },
        }
    }
}

fn room_not_granted(room: RoomId, cid: Option<String>) -> ServerFrame {
    ServerFrame::Error {
        code: ErrorCode::RoomNotGranted,
        message: "this socket may not act in that room".into(),
        cid,
        room: Some(room),
        retriable: false,
    }
}
