//! A socket whose reader stops is closed with 4008 once its queue (`gateway.queue_frames`)
//! overflows, while the other sockets in its rooms keep getting every message. The slow
//! reader is a raw TCP client with a small receive buffer that stops reading after
//! `ready`, so the gateway's writes back up deterministically.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;

/// A WebSocket client written by hand over a socket whose receive buffer is small.
struct RawSocket {
    stream: TcpStream,
}

impl RawSocket {
    /// Opens `url` (`ws://127.0.0.1:PORT/ws`) from `origin` and authenticates.
    async fn open(url: &str, origin: &str, token: &str) -> Self {
        let authority = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.strip_suffix("/ws"))
            .unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut stream = socket.connect(authority.parse().unwrap()).await.unwrap();
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Origin: {origin}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(stream.read_u8().await.unwrap());
        }
        assert!(
            head.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        let mut raw = RawSocket { stream };
        raw.send_text(&json!({ "type": "auth", "token": token }).to_string())
            .await;
        let (_, ready) = raw.frame().await;
        let ready: serde_json::Value = serde_json::from_slice(&ready).unwrap();
        assert_eq!(ready["type"], "ready", "{ready}");
        raw
    }

    /// One masked text frame (the mask key is zero: the payload goes as it is).
    async fn send_text(&mut self, text: &str) {
        let mut frame = vec![0x81];
        let len = text.len();
        if len < 126 {
            frame.push(0x80 | u8::try_from(len).unwrap());
        } else {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
        }
        frame.extend_from_slice(&[0; 4]);
        frame.extend_from_slice(text.as_bytes());
        self.stream.write_all(&frame).await.unwrap();
    }

    /// The next frame's opcode and payload.
    async fn frame(&mut self) -> (u8, Vec<u8>) {
        let first = self.stream.read_u8().await.unwrap();
        let len = match self.stream.read_u8().await.unwrap() & 0x7f {
            126 => u64::from(self.stream.read_u16().await.unwrap()),
            127 => self.stream.read_u64().await.unwrap(),
            n => u64::from(n),
        };
        let mut payload = vec![0; usize::try_from(len).unwrap()];
        self.stream.read_exact(&mut payload).await.unwrap();
        (first & 0x0f, payload)
    }

    /// Reads (and drops) frames until the close frame; returns its code.
    async fn close_code(&mut self) -> u16 {
        loop {
            let (opcode, payload) = tokio::time::timeout(Duration::from_secs(30), self.frame())
                .await
                .expect("the gateway closes the socket");
            if opcode == 8 {
                return u16::from_be_bytes([payload[0], payload[1]]);
            }
        }
    }
}

#[actix_web::test]
async fn a_reader_that_stops_is_closed_with_4008_and_the_others_get_every_message() {
    let app = TestApp::spawn_with(|s| {
        s.gateway.queue_frames = 32;
        // The visitor floods on purpose: no bound on their messages a minute here.
        s.limits.visitor_messages_per_minute = 100_000;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "slow@example.com").await;
    let ticket = app
        .call("POST", "/api/v1/realtime/token", Some(&owner.access), None)
        .await
        .body;
    let mut slow = RawSocket::open(
        ticket["gateway_url"].as_str().unwrap(),
        &app.dashboard_origin(),
        ticket["token"].as_str().unwrap(),
    )
    .await;
    let mut healthy = app.owner_socket(&owner.access).await;
    let mut visitors = Vec::new();
    for _ in 0..8 {
        visitors.push(app.visitor(key(&site), SHOP).await);
    }
    // Big frames (4,000 four-byte characters, ~16 KB each) fill the slow reader's
    // buffers quickly; both owner sockets get every message of the site.
    let body: String = std::iter::repeat_n('𝄞', 4000).collect();

    let acked = RefCell::new(BTreeSet::new());
    let sending = Cell::new(true);
    let send = async {
        for round in 0..40 {
            for (v, visitor) in visitors.iter_mut().enumerate() {
                let room = visitor.room();
                for m in 0..10 {
                    let cid = format!("v{v}-{round}-{m}");
                    let answer = visitor.socket.post(&room, &body, &cid).await;
                    assert_eq!(answer["type"], "ack", "{answer}");
                    acked.borrow_mut().insert(cid);
                }
            }
            // The socket is closed, and messages still flow to the others after it.
            if app.metric("pintalk_gateway_slow_consumers_total").await > 0 && round > 0 {
                break;
            }
            // Stay under each visitor's rate (20 frames/s).
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        sending.set(false);
    };
    let read = async {
        let mut got = BTreeSet::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while (sending.get() || got.len() < acked.borrow().len())
            && tokio::time::Instant::now() < deadline
        {
            // Short waits, so the end of the sending is noticed.
            if let Some(frame) = healthy.try_next(Duration::from_millis(100)).await
                && frame["type"] == "message"
            {
                got.insert(frame["cid"].as_str().unwrap().to_owned());
            }
        }
        got
    };
    let ((), got) = futures_util::join!(send, read);

    assert!(app.metric("pintalk_gateway_slow_consumers_total").await >= 1);
    assert_eq!(got, *acked.borrow(), "the healthy reader got every message");
    assert_eq!(slow.close_code().await, 4008);
}

/// Whether the gateway admits one more socket (before `auth`) right now.
async fn admits_a_socket(url: &str, origin: &str) -> bool {
    awc::Client::new()
        .ws(url)
        .origin(origin)
        .connect()
        .await
        .is_ok()
}

#[actix_web::test]
async fn a_reader_that_never_reads_again_is_closed_and_frees_its_slot() {
    // Room for the stuck socket, one sender and one more socket from this address.
    let app = TestApp::spawn_with(|s| {
        s.gateway.queue_frames = 32;
        s.gateway.max_connections_per_ip = 3;
        s.limits.visitor_messages_per_minute = 100_000;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "stuck@example.com").await;
    let ticket = app
        .call("POST", "/api/v1/realtime/token", Some(&owner.access), None)
        .await
        .body;
    let url = ticket["gateway_url"].as_str().unwrap().to_owned();
    let stuck = RawSocket::open(
        &url,
        &app.dashboard_origin(),
        ticket["token"].as_str().unwrap(),
    )
    .await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let body: String = std::iter::repeat_n('𝄞', 4000).collect();
    for round in 0..40 {
        for m in 0..10 {
            let answer = visitor
                .socket
                .post(&room, &body, &format!("{round}-{m}"))
                .await;
            assert_eq!(answer["type"], "ack", "{answer}");
        }
        if app.metric("pintalk_gateway_slow_consumers_total").await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(app.metric("pintalk_gateway_slow_consumers_total").await >= 1);

    // The stuck client takes nothing, not even the close frame: the gateway gives up
    // on it (a write waits 10 s at most, the close too) and frees its slot, so two
    // more sockets fit beside the sender.
    let mut freed = false;
    for _ in 0..90 {
        let first = awc::Client::new()
            .ws(url.as_str())
            .origin(app.dashboard_origin().as_str())
            .connect()
            .await;
        if first.is_ok() && admits_a_socket(&url, &app.dashboard_origin()).await {
            freed = true;
            break;
        }
        drop(first);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(freed, "the stuck socket's slot was freed");
    drop(stuck);
}
