//! `send`: a message becomes one append to the room's log, answered with an `ack` (or an
//! `error` naming the cid). The gateway bounds the appends in flight: past the bound a
//! send is refused at once with the retriable `overloaded`.

use pintalk_bus::{Appended, Draft, VISITOR_MESSAGES_WINDOW, visitor_messages_key};
use pintalk_core::ErrorCode;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::{ServerFrame, limits, valid_cid};

use super::Connection;
use super::access::room_not_granted;
use crate::identity::Identity;

impl Connection {
    /// A visitor's sends are counted per minute over all their sockets and gateways (one
    /// counter in the bus); past the site's bound the send gets the retriable
    /// `rate_limited` and the client resends it later with the same cid, so nothing is
    /// dropped. Owners are not counted.
    async fn over_message_limit(&self, room: RoomId, cid: &str) -> Option<ServerFrame> {
        let Identity::Visitor {
            id,
            messages_per_minute,
            ..
        } = &self.identity
        else {
            return None;
        };
        let limit =
            messages_per_minute.unwrap_or(self.gateway.settings.limits.visitor_messages_per_minute);
        let refusal = |code, message: String| {
            Some(ServerFrame::Error {
                code,
                message,
                cid: Some(cid.to_owned()),
                room: Some(room),
                retriable: true,
            })
        };
        match self
            .gateway
            .bus
            .hit_window(
                &visitor_messages_key(&id.to_string()),
                VISITOR_MESSAGES_WINDOW,
            )
            .await
        {
            Ok(window) if window.count > u64::from(limit) => {
                self.gateway.metrics.sends_rate_limited.inc();
                let secs = window.resets_in_ms.div_ceil(1000).max(1);
                refusal(
                    ErrorCode::RateLimited,
                    format!("at most {limit} messages a minute; retry in {secs} s"),
                )
            }
            Ok(_) => None,
            Err(e) => {
                log::warn!("message limit: {e}");
                self.gateway.metrics.bus_errors.inc();
                refusal(ErrorCode::Unavailable, "try again".into())
            }
        }
    }

    /// A visitor may not write (or type) a note: the refusal, if this socket is a
    /// visitor's.
    pub(super) fn refuse_note(&self, room: RoomId, cid: Option<&str>) -> Option<ServerFrame> {
        matches!(self.identity, Identity::Visitor { .. }).then(|| ServerFrame::Error {
            code: ErrorCode::NoteNotAllowed,
            message: "only members write internal notes".into(),
            cid: cid.map(str::to_owned),
            room: Some(room),
            retriable: false,
        })
    }

    /// Appends a message (a note, when `note`); the answer is an `ack` or an `error`
    /// naming the cid.
    pub(super) async fn send(
        &mut self,
        room: RoomId,
        body: String,
        cid: String,
        note: bool,
    ) -> ServerFrame {
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
        if note && let Some(refusal) = self.refuse_note(room, Some(&cid)) {
            return refusal;
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
            note,
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
        // Under the same permit: the count is a bus round trip too, and a paused Redis
        // must not hold unbounded sends in it.
        if let Some(refusal) = self.over_message_limit(room, &cid).await {
            self.gateway.metrics.appends_in_flight.dec();
            return refusal;
        }
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
            Ok(Appended::NotReplicated) => {
                self.gateway.metrics.sends_unreplicated.inc();
                error(
                    ErrorCode::Unavailable,
                    "not yet copied to enough Redis replicas; retry shortly",
                    true,
                )
            }
            Err(e) => {
                log::warn!("append: {e}");
                self.gateway.metrics.bus_errors.inc();
                error(ErrorCode::Unavailable, "try again", true)
            }
        }
    }
}
