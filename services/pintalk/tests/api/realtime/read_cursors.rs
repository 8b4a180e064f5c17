//! Read cursors the server keeps: a sender's own moves with each message they send
//! (durably, in SQL), and a returning visitor's start says what they have not read.

use std::time::Duration;

use serde_json::{Value, json};

use super::{SHOP, key, owner_with_site};
use crate::eventually::eventually;
use crate::helpers::TestApp;

/// Waits until the owner's view of `room` (read from SQL) shows `field` at `seq`; for
/// `last_seq`, the batch that stored that message (and the cursors it moved) is in.
async fn room_shows(app: &TestApp, access: &str, room: &str, field: &str, seq: i64) -> Value {
    eventually(
        Duration::from_secs(10),
        &format!("{field} to reach {seq}"),
        async || {
            let view = app.room(access, room).await.body;
            (view[field] == seq).then_some(view)
        },
    )
    .await
}

#[actix_web::test]
async fn sending_moves_the_senders_own_read_cursor_without_a_read_frame() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ann@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let mut dashboard = app.owner_socket(&owner.access).await;

    let question = visitor.socket.post(&room, "Do you ship?", "v-1").await;
    assert_eq!(question["seq"], 1);
    // The owner answers from a socket that never sends `read`: answering is reading.
    let answer = dashboard.post(&room, "We do.", "o-1").await;
    assert_eq!(answer["seq"], 2);
    let view = room_shows(&app, &owner.access, &room, "last_seq", 2).await;
    assert_eq!(
        view["unread"], 0,
        "the owner read the question they answered, and their own reply is not unread"
    );
    // The visitor answers the reply: they have read it, so it shows as seen.
    let follow_up = visitor.socket.post(&room, "Great, thanks", "v-2").await;
    assert_eq!(follow_up["seq"], 3);
    let view = room_shows(&app, &owner.access, &room, "visitor_read_seq", 3).await;
    assert_eq!(
        view["unread"], 1,
        "the owner has not read the visitor's thanks"
    );

    // A cursor only moves forward: an older `read` leaves it where it is.
    visitor
        .socket
        .send(json!({ "type": "read", "room": room, "seq": 1 }))
        .await;
    dashboard.post(&room, "Anything else?", "o-2").await;
    let view = room_shows(&app, &owner.access, &room, "last_seq", 4).await;
    assert_eq!(view["unread"], 0);
    assert_eq!(
        app.room(&owner.access, &room).await.body["visitor_read_seq"],
        3
    );
}

#[actix_web::test]
async fn a_returning_visitor_starts_with_the_owners_messages_they_have_not_read() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ann@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    assert_eq!(visitor.session["room"]["unread"], 0);
    assert_eq!(visitor.session["room"]["owner_read_seq"], 0);
    visitor.socket.post(&room, "Hello?", "v-1").await;

    let mut dashboard = app.owner_socket(&owner.access).await;
    dashboard.post(&room, "Hi! One moment.", "o-1").await;
    dashboard.post(&room, "Here is your answer.", "o-2").await;
    room_shows(&app, &owner.access, &room, "last_seq", 3).await;

    // A later visit, in a new tab: two replies unread, and the visitor's message seen.
    let again = || app.widget_session(key(&site), SHOP, Some(&visitor.session));
    let later = again().await.body;
    assert_eq!(later["room"]["id"], room.as_str());
    assert_eq!(later["room"]["unread"], 2, "{later}");
    assert_eq!(later["room"]["owner_read_seq"], 3);

    // Reading one of them leaves one unread; writing back reads them all.
    visitor
        .socket
        .send(json!({ "type": "read", "room": room, "seq": 2 }))
        .await;
    room_shows(&app, &owner.access, &room, "visitor_read_seq", 2).await;
    assert_eq!(again().await.body["room"]["unread"], 1);
    visitor.socket.post(&room, "Thanks!", "v-2").await;
    room_shows(&app, &owner.access, &room, "visitor_read_seq", 4).await;
    assert_eq!(again().await.body["room"]["unread"], 0);

    // A new visitor's start counts nothing of anyone else's conversation.
    let stranger = app.widget_session(key(&site), SHOP, None).await.body;
    assert_ne!(stranger["room"]["id"], room.as_str());
    assert_eq!(stranger["room"]["unread"], 0);
}
