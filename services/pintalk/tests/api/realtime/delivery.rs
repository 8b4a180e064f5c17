use serde_json::json;

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;
use crate::socket::Socket;

#[actix_web::test]
async fn resend_with_same_cid_returns_original_ack_and_is_stored_once() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "cid@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let first = visitor.socket.post(&room, "only once", "same-cid").await;
    let again = visitor.socket.post(&room, "only once", "same-cid").await;
    assert_eq!(first, again, "the original ack, seq and time included");
    let next = visitor.socket.post(&room, "then this", "other-cid").await;
    assert_eq!(next["seq"], 2);
    let history = app.history(&owner.access, &room, "").await;
    let seqs: Vec<i64> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2]);
}

#[actix_web::test]
async fn reconnect_with_last_seq_receives_exactly_the_gap_in_order() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "gap@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    for i in 1..=3 {
        visitor
            .socket
            .post(&room, &format!("v{i}"), &format!("v{i}"))
            .await;
    }
    drop(visitor.socket);
    let mut dashboard = app.owner_socket(&owner.access).await;
    for i in 4..=6 {
        dashboard
            .post(&room, &format!("o{i}"), &format!("o{i}"))
            .await;
    }
    // Back with a fresh ticket, holding up to seq 3.
    let session = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    let mut socket = Socket::open(session.body["gateway_url"].as_str().unwrap(), SHOP).await;
    socket
        .auth(
            session.body["token"].as_str().unwrap(),
            json!({ room.clone(): 3 }),
        )
        .await;
    let mut replayed = Vec::new();
    while replayed.len() < 3 {
        let frame = socket.next().await;
        if frame["type"] == "message" {
            replayed.push((
                frame["seq"].as_i64().unwrap(),
                frame["body"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert_eq!(
        replayed,
        [
            (4, "o4".to_owned()),
            (5, "o5".to_owned()),
            (6, "o6".to_owned())
        ]
    );
    // Then live, with nothing replayed twice.
    dashboard.post(&room, "o7", "o7").await;
    let live = socket.next_of("message").await;
    assert_eq!(live["seq"], 7);
}

#[actix_web::test]
async fn owner_resuming_sees_the_gap_of_a_room_of_their_site() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ownergap@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    for i in 1..=2 {
        visitor
            .socket
            .post(&room, &format!("m{i}"), &format!("m{i}"))
            .await;
    }
    let ticket = app.realtime_token(&owner.access).await;
    let mut socket = Socket::open(
        ticket.body["gateway_url"].as_str().unwrap(),
        &app.dashboard_origin(),
    )
    .await;
    socket
        .auth(
            ticket.body["token"].as_str().unwrap(),
            json!({ room.clone(): 1 }),
        )
        .await;
    let replayed = socket.next_of("message").await;
    assert_eq!(
        (replayed["seq"].as_i64(), replayed["body"].as_str()),
        (Some(2), Some("m2"))
    );
}

#[actix_web::test]
async fn a_resumed_socket_still_gets_read_receipts_and_later_messages() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "seen@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "one", "s1").await;
    visitor.socket.post(&room, "two", "s2").await;
    drop(visitor.socket);
    let session = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    let mut socket = Socket::open(session.body["gateway_url"].as_str().unwrap(), SHOP).await;
    socket
        .auth(
            session.body["token"].as_str().unwrap(),
            json!({ room.clone(): 2 }),
        )
        .await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    // A read receipt carries a seq the socket has already seen: it is no message, so it
    // must not be taken for a duplicate.
    dashboard
        .send(json!({ "type": "read", "room": room, "seq": 2 }))
        .await;
    let read = socket.next_of("read").await;
    assert_eq!(
        (read["seq"].as_i64(), read["reader"]["kind"].as_str()),
        (Some(2), Some("owner"))
    );
    dashboard.post(&room, "three", "o3").await;
    assert_eq!(socket.next_of("message").await["seq"], 3);
}
