//! What an authenticated socket's client frames do.

use super::*;

impl Connection {
    /// The site of `room` if this socket may act in it. A room the bus does not know
    /// (Redis lost its data) is `Unknown`: the persister is asked to restore it from SQL.
    pub(super) async fn site_of(&mut self, room: RoomId) -> Result<SiteId, NoAccess> {
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

    pub(super) async fn handle(&mut self, text: &str) -> Result<(), Ending> {
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
                    .mark_read(room, site, &self.me, seq)
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
    pub(super) async fn post(&mut self, room: RoomId, body: String, cid: String) -> ServerFrame {
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
        // Refuse at once rather than wait: a send queued behind a saturated Redis would
        // be acked seconds late, and its client could not tell it from a lost one.
        let Ok(_permit) = self.gateway.appends.try_acquire() else {
            self.gateway.metrics.sends_overloaded.inc();
            return error(
                ErrorCode::Overloaded,
                "the gateway is at capacity; retry shortly",
                true,
            );
        };
        self.gateway.metrics.appends_in_flight.inc();
        let appended = self
            .gateway
            .bus
            .append(&draft, self.gateway.settings.gateway.max_backlog)
            .await;
        self.gateway.metrics.appends_in_flight.dec();
        match appended {
            Ok(Appended::Stored { seq, ts, epoch }) => {
                self.gateway.metrics.messages_in.inc();
                ServerFrame::Ack {
                    room,
                    cid,
                    seq,
                    ts,
                    epoch,
                }
            }
            Ok(Appended::Duplicate { seq, ts, epoch }) => ServerFrame::Ack {
                room,
                cid,
                seq,
                ts,
                epoch,
            },
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
}

/// Why a socket may not act in a room.
pub(super) enum NoAccess {
    /// The room is not this socket's (or its site is not the owner's).
    NotGranted,
    /// The bus does not know the room right now; it is being restored. Retriable.
    Unknown,
}

impl NoAccess {
    pub(super) fn frame(&self, room: RoomId, cid: Option<String>) -> ServerFrame {
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

pub(super) fn room_not_granted(room: RoomId, cid: Option<String>) -> ServerFrame {
    ServerFrame::Error {
        code: ErrorCode::RoomNotGranted,
        message: "this socket may not act in that room".into(),
        cid,
        room: Some(room),
        retriable: false,
    }
}
