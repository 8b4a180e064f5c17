//! A WebSocket client for tests, speaking the protocol the way the widget and the
//! dashboard do: awc's real client against the real gateway.

use std::time::Duration;

use actix_codec::Framed;
use awc::BoxedSocket;
use awc::ws::{Codec, Frame, Message};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub struct Socket {
    framed: Framed<BoxedSocket, Codec>,
}

/// How a socket ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    /// A close frame with this code.
    Code(u16),
    /// The connection dropped without one.
    Dropped,
}

impl Socket {
    /// Opens a socket at `url` with the given `Origin`.
    pub async fn open(url: &str, origin: &str) -> Self {
        let (_, framed) = awc::Client::new()
            .ws(url)
            .origin(origin)
            .max_frame_size(1 << 20)
            .connect()
            .await
            .expect("socket opens");
        Socket { framed }
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.framed
            .send(Message::Text(text.into()))
            .await
            .expect("frame sent");
    }

    /// The next JSON frame (pings are answered and skipped), within 5 s.
    pub async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.framed.next())
                .await
                .expect("a frame within 5 s")
                .expect("socket open")
                .expect("a valid frame");
            match frame {
                Frame::Text(text) => return serde_json::from_slice(&text).expect("JSON frame"),
                Frame::Ping(bytes) => {
                    let _ = self.framed.send(Message::Pong(bytes)).await;
                }
                Frame::Close(reason) => panic!("socket closed unexpectedly: {reason:?}"),
                _ => {}
            }
        }
    }

    /// The next JSON frame within `within`, or `None` if the socket closed, dropped or
    /// stayed silent: for clients that expect their gateway to die.
    pub async fn try_next(&mut self, within: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(within, self.framed.next()).await {
                Ok(Some(Ok(Frame::Text(text)))) => return serde_json::from_slice(&text).ok(),
                Ok(Some(Ok(Frame::Ping(bytes)))) => {
                    let _ = self.framed.send(Message::Pong(bytes)).await;
                }
                Ok(Some(Ok(Frame::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => {
                    return None;
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Sends a binary frame (the protocol has none: the gateway must cope).
    pub async fn send_binary(&mut self, bytes: &'static [u8]) {
        self.framed
            .send(Message::Binary(bytes.into()))
            .await
            .expect("frame sent");
    }

    /// Sends `auth` with `token` and expects a refusal: the `error` frame's code, and how
    /// the socket closed.
    pub async fn auth_refused(&mut self, token: &str) -> (String, Closed) {
        self.send(json!({ "type": "auth", "token": token })).await;
        let error = self.next().await;
        assert_eq!(error["type"], "error", "{error}");
        let code = error["code"].as_str().unwrap_or_default().to_owned();
        (code, self.closed(Duration::from_secs(2)).await)
    }

    /// Sends without panicking; false if the socket is gone.
    pub async fn try_send(&mut self, frame: Value) -> bool {
        self.framed
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_ok()
    }

    /// The next frame of `kind`, skipping others (presence, typing, room events, ...).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        for _ in 0..100 {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
        panic!("no {kind} frame");
    }

    /// Waits (up to `within`) for the socket to close; what it got meanwhile is skipped.
    pub async fn closed(&mut self, within: Duration) -> Closed {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.framed.next()).await {
                Err(_) => panic!("socket still open after {within:?}"),
                Ok(None) | Ok(Some(Err(_))) => return Closed::Dropped,
                Ok(Some(Ok(Frame::Close(reason)))) => {
                    return reason.map_or(Closed::Dropped, |r| Closed::Code(u16::from(r.code)));
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Authenticates; returns the `ready` frame.
    pub async fn auth(&mut self, token: &str, resume: Value) -> Value {
        self.send(json!({ "type": "auth", "token": token, "resume": resume }))
            .await;
        let ready = self.next().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        ready
    }

    /// Sends a message and returns the gateway's answer to it (`ack` or `error`).
    pub async fn post(&mut self, room: &str, body: &str, cid: &str) -> Value {
        self.send(json!({ "type": "send", "room": room, "body": body, "cid": cid }))
            .await;
        self.post_answer(cid).await
    }

    /// The gateway's answer (`ack` or `error`) to a `send` of `cid` already sent.
    pub async fn post_answer(&mut self, cid: &str) -> Value {
        loop {
            let frame = self.next().await;
            if (frame["type"] == "ack" || frame["type"] == "error") && frame["cid"] == cid {
                return frame;
            }
        }
    }
}

/// A visitor's session and socket.
pub struct Visitor {
    pub session: Value,
    pub socket: Socket,
}

impl Visitor {
    pub fn room(&self) -> String {
        self.session["room"]["id"].as_str().unwrap().to_owned()
    }

    pub fn token(&self) -> String {
        self.session["token"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// A visitor with a session and an authenticated socket.
    pub async fn visitor(&self, site_key: &str, origin: &str) -> Visitor {
        let reply = self.widget_session(site_key, origin, None).await;
        self.visitor_from(reply, origin).await
    }

    /// A visitor whose page called `PinTalk('identify', who)`, socket open.
    pub async fn identified_visitor(&self, site_key: &str, origin: &str, who: Value) -> Visitor {
        let reply = self.widget_session_with(site_key, origin, who).await;
        self.visitor_from(reply, origin).await
    }

    async fn visitor_from(&self, reply: crate::helpers::Reply, origin: &str) -> Visitor {
        assert_eq!(reply.status, awc::http::StatusCode::OK, "{:?}", reply.body);
        let mut socket = Socket::open(reply.body["gateway_url"].as_str().unwrap(), origin).await;
        socket
            .auth(reply.body["token"].as_str().unwrap(), json!({}))
            .await;
        Visitor {
            session: reply.body,
            socket,
        }
    }

    /// The origin owners' sockets must come from.
    pub fn dashboard_origin(&self) -> String {
        self.settings.dashboard_origin()
    }

    /// A gateway ticket for the owner signed in with `access`: `{token, gateway_url, ..}`.
    pub async fn owner_ticket(&self, access: &str) -> Value {
        let ticket = self.realtime_token(access).await;
        assert_eq!(
            ticket.status,
            awc::http::StatusCode::OK,
            "{:?}",
            ticket.body
        );
        ticket.body
    }

    /// A socket opened (not yet authenticated) from the dashboard's origin.
    pub async fn dashboard_socket(&self, ticket: &Value) -> Socket {
        Socket::open(
            ticket["gateway_url"].as_str().unwrap(),
            &self.dashboard_origin(),
        )
        .await
    }

    /// An owner's authenticated socket.
    pub async fn owner_socket(&self, access: &str) -> Socket {
        let ticket = self.owner_ticket(access).await;
        let mut socket = self.dashboard_socket(&ticket).await;
        socket
            .auth(ticket["token"].as_str().unwrap(), json!({}))
            .await;
        socket
    }
}
