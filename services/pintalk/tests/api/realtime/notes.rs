//! Internal notes: the same append path as any message, and never a way to the visitor —
//! live, typing, replay, history, transcripts, mails and the visitor's export are each
//! checked (docs/api.md, "Internal notes").

use std::time::Duration;

use awc::http::StatusCode;
use serde_json::{Value, json};

use super::{SHOP, key, owner_with_site};
use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::socket::Socket;

const NOTE: &str = "Refund approved, ship Monday (internal)";

/// Sends a note from an owner's socket and returns the answer (`ack` or `error`).
async fn post_note(socket: &mut Socket, room: &str, body: &str, cid: &str) -> Value {
    socket
        .send(json!({ "type": "send", "room": room, "body": body, "cid": cid, "note": true }))
        .await;
    socket.post_answer(cid).await
}

/// The bodies of a history page, with whether each is a note.
fn bodies(page: &Value) -> Vec<(i64, String, bool)> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["seq"].as_i64().unwrap(),
                m["body"].as_str().unwrap().to_owned(),
                m["note"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_note_reaches_every_member_socket_and_never_the_visitors() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "notes@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Where is my order?", "v1").await;
    let mut ann = app.owner_socket(&owner.access).await;
    let mut other_tab = app.owner_socket(&owner.access).await;

    // Typing a note is heard by members only.
    ann.send(json!({ "type": "typing", "room": room, "active": true, "note": true }))
        .await;
    let typing = other_tab.next_of("typing").await;
    assert_eq!(typing["note"], true, "{typing}");

    let ack = post_note(&mut ann, &room, NOTE, "n1").await;
    assert_eq!(
        (ack["type"].as_str(), ack["seq"].as_i64()),
        (Some("ack"), Some(2))
    );
    let seen = other_tab.next_of("message").await;
    assert_eq!(
        (
            seen["seq"].as_i64(),
            seen["body"].as_str(),
            seen["note"].as_bool()
        ),
        (Some(2), Some(NOTE), Some(true))
    );
    // A resend of the note is the same note, as for any message.
    let again = post_note(&mut ann, &room, NOTE, "n1").await;
    assert_eq!(again["seq"], 2);

    // The reply after it is the visitor's next frame of either kind: the note's typing
    // and the note itself never came (a socket's frames arrive in order).
    ann.send(json!({ "type": "typing", "room": room, "active": true }))
        .await;
    let reply = ann.post(&room, "It ships Monday.", "o1").await;
    assert_eq!(reply["seq"], 3);
    let typing = visitor.socket.next_of("typing").await;
    assert_eq!(typing["note"], Value::Null, "the reply's typing: {typing}");
    let message = visitor.socket.next_of("message").await;
    assert_eq!(
        (message["seq"].as_i64(), message["body"].as_str()),
        (Some(3), Some("It ships Monday."))
    );

    // A visitor cannot write a note, nor pretend to type one.
    visitor
        .socket
        .send(json!({ "type": "send", "room": room, "body": "x", "cid": "v2", "note": true }))
        .await;
    let refused = visitor.socket.post_answer("v2").await;
    assert_eq!(
        (refused["code"].as_str(), refused["retriable"].as_bool()),
        (Some("note_not_allowed"), Some(false))
    );
    visitor
        .socket
        .send(json!({ "type": "typing", "room": room, "active": true, "note": true }))
        .await;
    assert_eq!(
        visitor.socket.next_of("error").await["code"],
        "note_not_allowed"
    );

    // Resuming from before the note replays the reply, not the note.
    drop(visitor.socket);
    let session = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    let mut socket = Socket::open(session.body["gateway_url"].as_str().unwrap(), SHOP).await;
    socket
        .auth(
            session.body["token"].as_str().unwrap(),
            json!({ room.clone(): 1 }),
        )
        .await;
    let replayed = socket.next_of("message").await;
    assert_eq!(replayed["seq"], 3, "{replayed}");
    // An owner resuming from before it gets the note back.
    let ticket = app.owner_ticket(&owner.access).await;
    let mut resumed = Socket::open(
        ticket["gateway_url"].as_str().unwrap(),
        &app.dashboard_origin(),
    )
    .await;
    resumed
        .auth(
            ticket["token"].as_str().unwrap(),
            json!({ room.clone(): 1 }),
        )
        .await;
    let first = resumed.next_of("message").await;
    assert_eq!(
        (first["seq"].as_i64(), first["note"].as_bool()),
        (Some(2), Some(true))
    );
}

#[actix_web::test]
async fn a_note_is_in_the_members_history_and_in_no_copy_the_visitor_gets() {
    let app = TestApp::spawn_with(|s| {
        s.notify.visitor_offline_secs = 1;
        s.notify.poll_ms = 100;
        s.gateway.presence_grace_ms = 100;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "copies@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor
        .socket
        .post(&room, "Is the blue one in stock?", "v1")
        .await;
    let left = app
        .leave_email(
            &visitor.token(),
            &room,
            json!({ "email": "bo@example.com" }),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{:?}", left.body);
    let token = visitor.token();
    drop(visitor.socket);

    let mut ann = app.owner_socket(&owner.access).await;
    assert_eq!(post_note(&mut ann, &room, NOTE, "n1").await["seq"], 2);
    // A note over HTTP (a bot's) takes the same path.
    let posted = app
        .call(
            "POST",
            &format!("/api/v1/rooms/{room}/messages"),
            Some(&owner.access),
            Some(json!({ "body": "Second note, by the bot", "cid": "bot-1", "note": true })),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{:?}", posted.body);
    assert_eq!(ann.post(&room, "It is: two left.", "o1").await["seq"], 4);

    // The unread-conversation mail to the away visitor tells of the reply alone, once.
    let mail = app.mail.wait_for("bo@example.com", "answered you", 1).await;
    assert!(mail.contains("two left"), "{mail}");
    assert!(
        !mail.contains("internal") && !mail.contains("bot"),
        "{mail}"
    );

    let members = app.history(&owner.access, &room, "").await;
    assert_eq!(
        bodies(&members.body),
        [
            (1, "Is the blue one in stock?".to_owned(), false),
            (2, NOTE.to_owned(), true),
            (3, "Second note, by the bot".to_owned(), true),
            (4, "It is: two left.".to_owned(), false),
        ]
    );
    let theirs = app.history(&token, &room, "").await;
    assert_eq!(
        bodies(&theirs.body),
        [
            (1, "Is the blue one in stock?".to_owned(), false),
            (4, "It is: two left.".to_owned(), false),
        ]
    );
    // Paging below the reply skips the notes too.
    let older = app.history(&token, &room, "before_seq=4&limit=1").await;
    assert_eq!(bodies(&older.body)[0].0, 1);

    // Once persisted, the same holds from SQL, and every other copy leaves the notes out.
    eventually(
        Duration::from_secs(5),
        "the messages to be persisted",
        async || (app.room(&owner.access, &room).await.body["last_seq"] == 4).then_some(()),
    )
    .await;
    assert_eq!(bodies(&app.history(&token, &room, "").await.body).len(), 2);
    let back = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(
        back.body["room"]["unread"], 1,
        "the reply, not the notes: {:?}",
        back.body
    );
    for format in ["", "format=json"] {
        let transcript = app.transcript(&owner.access, &room, format).await;
        assert_eq!(transcript.status, StatusCode::OK);
        assert!(transcript.text.contains("two left"), "{}", transcript.text);
        assert!(!transcript.text.contains("internal"), "{}", transcript.text);
        assert!(!transcript.text.contains("bot"), "{}", transcript.text);
    }
    let mailed = app.mail_transcript(&token, Some(SHOP), &room).await;
    assert!(mailed.status.is_success(), "{:?}", mailed.body);
    let transcript = app
        .mail
        .wait_for("bo@example.com", "Your conversation with", 1)
        .await;
    assert!(transcript.contains("two left"), "{transcript}");
    assert!(!transcript.contains("internal"), "{transcript}");
    let export = app.export_visitor(&owner.access, &room).await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.text.contains("two left"), "{}", export.text);
    assert!(!export.text.contains("internal"), "{}", export.text);

    // The team's own copies keep them, marked.
    let workspace = app.export_workspace(&owner.access).await;
    assert!(workspace.text.contains(NOTE), "{}", workspace.text);
    assert_eq!(
        app.mail.sent_to("bo@example.com").len(),
        2,
        "one unread mail, one transcript"
    );
    let site_id = site["id"].as_str().unwrap();
    ann.post(&room, "x", "o2").await;
    post_note(&mut ann, &room, "last word, internal", "n3").await;
    eventually(
        Duration::from_secs(5),
        "the inbox to preview the note as a note",
        async || {
            let page = app.inbox(&owner.access, site_id, "").await;
            let last = &page.body["rooms"][0]["last_message"];
            (last["note"] == true).then_some(())
        },
    )
    .await;
}
