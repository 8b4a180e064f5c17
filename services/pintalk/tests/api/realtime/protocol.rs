//! Every frame type, error code and close code the gateway uses, and its bounds.

use std::time::Duration;

use pintalk_core::protocol::limits;
use serde_json::json;

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;
use crate::socket::{Closed, Socket};

async fn session(app: &TestApp) -> (serde_json::Value, String) {
    let (_, site) = owner_with_site(app, "proto@example.com").await;
    let reply = app.widget_session(key(&site), SHOP, None).await;
    let url = reply.body["gateway_url"].as_str().unwrap().to_owned();
    (reply.body, url)
}

/// A visitor's room and authenticated socket.
async fn visitor_socket(app: &TestApp) -> (String, Socket) {
    let (session, url) = session(app).await;
    let mut socket = Socket::open(&url, SHOP).await;
    socket
        .auth(session["token"].as_str().unwrap(), json!({}))
        .await;
    (session["room"]["id"].as_str().unwrap().to_owned(), socket)
}

#[actix_web::test]
async fn socket_without_auth_is_closed_after_the_deadline() {
    let app = TestApp::spawn().await;
    let (_, url) = session(&app).await;
    let mut socket = Socket::open(&url, SHOP).await;
    assert_eq!(
        socket.closed(Duration::from_secs(8)).await,
        Closed::Code(4000)
    );
}

#[actix_web::test]
async fn first_frame_other_than_auth_is_a_protocol_error() {
    let app = TestApp::spawn().await;
    let (_, url) = session(&app).await;
    let mut socket = Socket::open(&url, SHOP).await;
    socket.send(json!({ "type": "ping" })).await;
    let error = socket.next().await;
    assert_eq!(error["code"], "bad_frame");
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4002)
    );
}

#[actix_web::test]
async fn auth_without_a_token_is_a_protocol_error_and_an_empty_token_is_refused() {
    let app = TestApp::spawn().await;
    let (_, url) = session(&app).await;
    let mut socket = Socket::open(&url, SHOP).await;
    socket.send(json!({ "type": "auth" })).await;
    assert_eq!(socket.next().await["code"], "bad_frame");
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4002)
    );
    assert_eq!(
        Socket::open(&url, SHOP).await.auth_refused("").await,
        ("invalid_token".to_owned(), Closed::Code(4001))
    );
}

#[actix_web::test]
async fn binary_frame_before_auth_closes_with_4002() {
    let app = TestApp::spawn().await;
    let (_, url) = session(&app).await;
    let mut socket = Socket::open(&url, SHOP).await;
    socket.send_binary(b"\x00\x01").await;
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4002)
    );
}

#[actix_web::test]
async fn binary_frame_after_auth_is_a_bad_frame_and_the_socket_stays_open() {
    let app = TestApp::spawn().await;
    let (_, mut socket) = visitor_socket(&app).await;
    socket.send_binary(b"{\"type\":\"ping\"}").await;
    let error = socket.next_of("error").await;
    assert_eq!(error["code"], "bad_frame");
    socket.send(json!({ "type": "ping" })).await;
    assert_eq!(socket.next_of("pong").await["type"], "pong");
}

#[actix_web::test]
async fn oversized_auth_frame_is_closed_with_1009() {
    let app = TestApp::spawn().await;
    let (_, url) = session(&app).await;
    let mut socket = Socket::open(&url, SHOP).await;
    socket
        .send(json!({ "type": "auth", "token": "x".repeat(limits::MAX_AUTH_FRAME_BYTES) }))
        .await;
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(1009)
    );
}

/// The documented maximum resume — 200 rooms, each at the largest seq and epoch — fits
/// the `auth` frame with a real ticket, and is answered room by room; one room more is
/// refused.
#[actix_web::test]
async fn the_largest_documented_resume_fits_and_one_room_more_is_refused() {
    let app = TestApp::spawn().await;
    let (_, site) = owner_with_site(&app, "resume@example.com").await;
    let ticket = || async {
        let reply = app.widget_session(key(&site), SHOP, None).await;
        (
            reply.body["token"].as_str().unwrap().to_owned(),
            reply.body["gateway_url"].as_str().unwrap().to_owned(),
        )
    };
    let (token, url) = ticket().await;
    let largest = |rooms: usize| -> serde_json::Map<String, serde_json::Value> {
        (0..rooms)
            .map(|_| {
                (
                    pintalk_core::ids::RoomId::new().to_string(),
                    json!({ "seq": i64::MAX, "epoch": i64::MAX }),
                )
            })
            .collect()
    };
    let frame =
        json!({ "type": "auth", "token": token, "resume": largest(limits::MAX_RESUME_ROOMS) });
    assert!(frame.to_string().len() <= limits::MAX_AUTH_FRAME_BYTES);
    let mut socket = Socket::open(&url, SHOP).await;
    socket.send(frame).await;
    assert_eq!(socket.next().await["type"], "ready");
    // A visitor may resume only their own room: each foreign one is answered, none is
    // skipped, and the socket stays open.
    let mut refused = 0;
    while refused < limits::MAX_RESUME_ROOMS {
        let frame = socket.next().await;
        if frame["type"] == "error" {
            assert_eq!(frame["code"], "room_not_granted");
            refused += 1;
        }
    }
    socket.send(json!({ "type": "ping" })).await;
    assert_eq!(socket.next_of("pong").await["type"], "pong");

    let (token, url) = ticket().await;
    let mut socket = Socket::open(&url, SHOP).await;
    socket
        .send(json!({ "type": "auth", "token": token, "resume": largest(limits::MAX_RESUME_ROOMS + 1) }))
        .await;
    assert_eq!(socket.next().await["code"], "bad_frame");
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4002)
    );
}

#[actix_web::test]
async fn bad_frames_get_errors_with_stable_codes_and_the_socket_lives_on() {
    let app = TestApp::spawn().await;
    let (room, mut socket) = visitor_socket(&app).await;

    socket.send_text("{not json".into()).await;
    assert_eq!(socket.next_of("error").await["code"], "bad_frame");
    socket.send(json!({ "type": "shout", "room": room })).await;
    assert_eq!(socket.next_of("error").await["code"], "bad_frame");
    socket
        .send(json!({ "type": "send", "room": room, "body": "x", "cid": "c", "extra": 1 }))
        .await;
    assert_eq!(socket.next_of("error").await["code"], "bad_frame");

    socket
        .send(json!({ "type": "send", "room": room, "body": "hi", "cid": "not a valid cid!" }))
        .await;
    assert_eq!(socket.next_of("error").await["code"], "invalid_cid");
    let error = socket.post(&room, &"x".repeat(4001), "long").await;
    assert_eq!(
        (error["code"].as_str(), error["retriable"].as_bool()),
        (Some("body_too_long"), Some(false))
    );
    let error = socket.post(&room, "   ", "blank").await;
    assert_eq!(error["code"], "body_too_long");
    let other_room = pintalk_core::ids::RoomId::new().to_string();
    let error = socket.post(&other_room, "hi", "elsewhere").await;
    assert_eq!(error["code"], "room_not_granted");
    socket
        .send(json!({ "type": "auth", "token": "again" }))
        .await;
    assert_eq!(
        socket.next_of("error").await["code"],
        "already_authenticated"
    );
    socket.send(json!({ "type": "ping" })).await;
    socket.next_of("pong").await;
    // Still usable after all that.
    assert_eq!(socket.post(&room, "fine", "ok-1").await["type"], "ack");
}

#[actix_web::test]
async fn frame_over_16_kib_closes_with_1009() {
    let app = TestApp::spawn().await;
    let (room, mut socket) = visitor_socket(&app).await;
    socket
        .send(json!({ "type": "send", "room": room, "body": "x".repeat(17 * 1024), "cid": "big" }))
        .await;
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(1009)
    );
}

#[actix_web::test]
async fn flooding_frames_are_rate_limited_and_retriable() {
    let app = TestApp::spawn().await;
    let (_, mut socket) = visitor_socket(&app).await;
    for _ in 0..100 {
        socket.send(json!({ "type": "ping" })).await;
    }
    let error = socket.next_of("error").await;
    assert_eq!(
        (error["code"].as_str(), error["retriable"].as_bool()),
        (Some("rate_limited"), Some(true))
    );
}

#[actix_web::test]
async fn gateway_metrics_count_connections_and_messages() {
    let app = TestApp::spawn().await;
    let (room, mut socket) = visitor_socket(&app).await;
    socket.post(&room, "counted", "m-1").await;
    let text = app.metrics().await.text;
    assert!(text.contains("pintalk_gateway_connections 1"), "{text}");
    assert!(
        text.contains("pintalk_gateway_messages_in_total 1"),
        "{text}"
    );
    assert!(text.contains("pintalk_account_outbox_backlog"), "{text}");
}

#[actix_web::test]
async fn silent_socket_is_closed_after_three_heartbeats() {
    let app = TestApp::spawn_with(|s| s.gateway.heartbeat_secs = 1).await;
    let (_, mut socket) = visitor_socket(&app).await;
    // The test client answers no ping from here on.
    assert_eq!(
        socket.closed(Duration::from_secs(8)).await,
        Closed::Code(4009)
    );
}

/// A resume older than the replay window is answered with `resync` naming the seq it
/// resumed from, and nothing of the room's past follows it — not even what the window
/// still holds: the next frame after it is the answer to a later `ping`.
#[actix_web::test]
async fn a_resume_older_than_the_window_gets_resync_and_no_replay() {
    // More messages than one visitor may send in a minute by default.
    let app = TestApp::spawn_with(|s| s.limits.visitor_messages_per_minute = 100_000).await;
    let (_, site) = owner_with_site(&app, "window@example.com").await;
    let first = app.visitor(key(&site), SHOP).await;
    let (room, session) = (first.room(), first.session.clone());
    let mut socket = first.socket;
    let total = pintalk_bus::log::RECENT_WINDOW + 5;
    let mut epoch = None;
    for n in 0..total {
        // A fresh socket of the same visitor now and then, so none passes its rate limit.
        if n > 0 && n % 30 == 0 {
            let again = app.widget_session(key(&site), SHOP, Some(&session)).await;
            socket = Socket::open(again.body["gateway_url"].as_str().unwrap(), SHOP).await;
            socket
                .auth(again.body["token"].as_str().unwrap(), json!({}))
                .await;
        }
        let ack = socket.post(&room, "a message", &format!("w{n}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        epoch = ack["epoch"].as_i64();
    }
    let again = app.widget_session(key(&site), SHOP, Some(&session)).await;
    let mut resumed = Socket::open(again.body["gateway_url"].as_str().unwrap(), SHOP).await;
    resumed
        .auth(
            again.body["token"].as_str().unwrap(),
            json!({ room.clone(): { "seq": 1, "epoch": epoch } }),
        )
        .await;
    let mut resync = resumed.next().await;
    if resync["type"] == "presence" {
        resync = resumed.next().await;
    }
    assert_eq!(
        (
            resync["type"].as_str(),
            resync["after_seq"].as_i64(),
            resync["epoch"].as_i64()
        ),
        (Some("resync"), Some(1), epoch),
        "{resync}"
    );
    resumed.send(json!({ "type": "ping" })).await;
    assert_eq!(
        resumed.next().await["type"],
        "pong",
        "no replay after a resync"
    );
}
