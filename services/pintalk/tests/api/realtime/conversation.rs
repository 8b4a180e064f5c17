use std::time::Duration;

use awc::http::StatusCode;
use serde_json::json;

use super::{SHOP, key, owner_with_site};
use crate::eventually::eventually;
use crate::helpers::TestApp;

#[actix_web::test]
async fn visitor_and_owner_converse_live_with_presence_typing_and_history() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ann@example.com").await;

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let presence = visitor.socket.next_of("presence").await;
    assert_eq!(
        (presence["kind"].as_str(), presence["online"].as_bool()),
        (Some("owner"), Some(false))
    );

    let mut dashboard = app.owner_socket(&owner.access).await;
    let online = visitor.socket.next_of("presence").await;
    assert_eq!(
        online["online"], true,
        "the visitor sees the owner come online"
    );
    let config = app.widget_config(key(&site), Some(SHOP)).await;
    assert_eq!(config.body["owner_online"], true);

    let ack = visitor
        .socket
        .post(&room, "Hi! Do you ship to Korea?", "v-1")
        .await;
    assert_eq!(
        (ack["type"].as_str(), ack["seq"].as_i64()),
        (Some("ack"), Some(1))
    );
    let seen = dashboard.next_of("message").await;
    assert_eq!(seen["room"], room.as_str());
    assert_eq!(seen["body"], "Hi! Do you ship to Korea?");
    assert_eq!(seen["sender"]["kind"], "visitor");
    let created = dashboard.next_of("room").await;
    assert_eq!(
        (created["event"].as_str(), created["room"].as_str()),
        (Some("created"), Some(room.as_str()))
    );

    dashboard
        .send(json!({ "type": "typing", "room": room, "active": true }))
        .await;
    let typing = visitor.socket.next_of("typing").await;
    assert_eq!(typing["sender"]["kind"], "owner");
    let reply = dashboard.post(&room, "Yes, we do!", "o-1").await;
    assert_eq!(reply["seq"], 2);
    let answer = visitor.socket.next_of("message").await;
    assert_eq!(
        (answer["seq"].as_i64(), answer["body"].as_str()),
        (Some(2), Some("Yes, we do!"))
    );
    assert_eq!(answer["sender"]["name"], "Test Owner");

    visitor
        .socket
        .send(json!({ "type": "read", "room": room, "seq": 2 }))
        .await;
    let read = dashboard.next_of("read").await;
    assert_eq!(
        (read["seq"].as_i64(), read["reader"]["kind"].as_str()),
        (Some(2), Some("visitor"))
    );

    // The visitor's read cursor is persisted: the owner's "seen" survives a reload.
    eventually(
        Duration::from_secs(5),
        "the visitor's read cursor to be stored",
        async || (app.room(&owner.access, &room).await.body["visitor_read_seq"] == 2).then_some(()),
    )
    .await;

    // History over HTTP equals what was delivered, for the owner and for the visitor.
    let history = app.history(&owner.access, &room, "").await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    let bodies: Vec<&str> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Hi! Do you ship to Korea?", "Yes, we do!"]);
    let mine = app.history(&visitor.token(), &room, "").await;
    assert_eq!(mine.body["messages"], history.body["messages"]);

    // The inbox lists the conversation with its last message and unread count.
    let site_id = site["id"].as_str().unwrap();
    let inbox = app.inbox(&owner.access, site_id, "").await;
    let rooms = inbox.body["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 1, "{:?}", inbox.body);
    assert_eq!(rooms[0]["visitor"]["online"], true);
    eventually(
        Duration::from_secs(5),
        "the inbox to show the last message",
        async || {
            let page = app.inbox(&owner.access, site_id, "").await;
            (page.body["rooms"][0]["last_message"]["body"] == "Yes, we do!").then_some(())
        },
    )
    .await;
}

/// The next room event of `kind`. A `created` may come first or in between: it is
/// announced when the persister stores the room's first message, whenever that is.
async fn room_event(socket: &mut crate::socket::Socket, kind: &str) -> serde_json::Value {
    for _ in 0..3 {
        let event = socket.next_of("room").await;
        if event["event"] == kind {
            return event;
        }
        assert_eq!(event["event"], "created", "{event}");
    }
    panic!("no {kind} room event");
}

#[actix_web::test]
async fn returning_visitor_gets_the_same_conversation_and_a_closed_one_reopens_on_a_message() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "back@example.com").await;
    let first = app.widget_session(key(&site), SHOP, None).await;
    assert!(first.body["visitor_secret"].is_string());
    let again = app
        .widget_session(key(&site), SHOP, Some(&first.body))
        .await;
    assert_eq!(again.body["room"]["id"], first.body["room"]["id"]);
    assert_eq!(again.body["visitor_id"], first.body["visitor_id"]);
    assert!(again.body.get("visitor_secret").is_none());
    // A wrong secret is a new visitor, not the old one's conversation.
    let mut forged = first.body.clone();
    forged["visitor_secret"] = json!("guess");
    let stranger = app.widget_session(key(&site), SHOP, Some(&forged)).await;
    assert_ne!(stranger.body["room"]["id"], first.body["room"]["id"]);

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "first", "a").await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    let closed = app
        .update_room(&owner.access, &room, json!({ "status": "closed" }))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(closed.body["status"], "closed");
    room_event(&mut dashboard, "closed").await;
    visitor.socket.post(&room, "one more thing", "b").await;
    room_event(&mut dashboard, "reopened").await;
    let detail = app.room(&owner.access, &room).await;
    assert_eq!(detail.body["status"], "open");
}

#[actix_web::test]
async fn transcript_downloads_as_text_and_json() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "tr@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "line one", "t1").await;
    visitor.socket.post(&room, "line <two>", "t2").await;
    let transcript = app.transcript(&owner.access, &room, "").await;
    assert_eq!(transcript.status, StatusCode::OK);
    assert!(
        transcript
            .header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let text = &transcript.text;
    assert!(
        text.contains("Visitor: line one\n") && text.contains("Visitor: line <two>\n"),
        "{text}"
    );
    let json = app.transcript(&owner.access, &room, "format=json").await;
    assert_eq!(json.body["messages"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn visitor_history_answers_cors_for_the_sessions_origin_only() {
    let app = TestApp::spawn().await;
    let (_, site) = owner_with_site(&app, "cors@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "hi", "c1").await;
    let path = format!("/api/v1/rooms/{room}/messages");
    let preflight = app
        .preflight(
            &path,
            SHOP,
            &[("access-control-request-headers", "authorization")],
        )
        .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    // content-type too: the visitor's email goes as JSON (PUT .../visitor/email).
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("authorization, content-type")
    );
    for (origin, allowed) in [(SHOP, Some(SHOP)), ("https://evil.example.com", None)] {
        let reply = app.history_from(origin, &visitor.token(), &room).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            allowed,
            "{origin}"
        );
    }
}

#[actix_web::test]
async fn identified_visitor_shows_with_name_and_email() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ident@example.com").await;
    let session = app
        .widget_session_with(
            key(&site),
            SHOP,
            json!({ "name": "  Bo Kim ", "email": "Bo@Example.com" }),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    let room = session.body["room"]["id"].as_str().unwrap().to_owned();
    let mut socket =
        crate::socket::Socket::open(session.body["gateway_url"].as_str().unwrap(), SHOP).await;
    let ready = socket
        .auth(session.body["token"].as_str().unwrap(), json!({}))
        .await;
    assert_eq!(ready["you"]["name"], "Bo Kim");
    socket.post(&room, "hello", "i1").await;
    let detail = app.room(&owner.access, &room).await;
    assert_eq!(detail.body["visitor"]["name"], "Bo Kim");
    assert_eq!(detail.body["visitor"]["email"], "bo@example.com");
    let bad = app
        .widget_session_with(key(&site), SHOP, json!({ "email": "not an email" }))
        .await;
    assert_eq!(bad.code(), "invalid_email");
}

#[actix_web::test]
async fn with_a_lowered_heartbeat_a_live_sockets_presence_outlasts_its_lease() {
    // Pings every second: the presence lease is three heartbeats, 3 s.
    let app = TestApp::spawn_with(|s| s.gateway.heartbeat_secs = 1).await;
    let (owner, site) = owner_with_site(&app, "beat@example.com").await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    // Stay connected for two leases, answering the gateway's pings as browsers do.
    let until = tokio::time::Instant::now() + Duration::from_secs(6);
    while tokio::time::Instant::now() < until {
        let _ = dashboard.try_next(Duration::from_millis(100)).await;
    }
    let config = app
        .client
        .get(app.url(&format!("/api/v1/widget/config?site_key={}", key(&site))))
        .insert_header(("origin", SHOP))
        .send()
        .await
        .unwrap();
    assert_eq!(
        TestApp::reply(config).await.body["owner_online"],
        true,
        "renewed every heartbeat, the owner's presence outlived its 3 s lease"
    );
}
