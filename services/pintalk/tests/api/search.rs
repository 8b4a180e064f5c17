//! Conversation search (`GET /sites/{id}/rooms?q=`): inside messages and the visitor's
//! name and email, every word a prefix, all words at once; and what was stored before the
//! search index, found after an upgrade.

use std::time::Duration;

use awc::http::StatusCode;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::eventually::eventually;
use crate::helpers::{Owner, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};

/// The ids of the rooms a search finds, answered 200.
async fn found(app: &TestApp, owner: &Owner, site: &str, q: &str) -> Vec<String> {
    let reply = app.search_rooms(&owner.access, site, q).await;
    assert_eq!(reply.status, StatusCode::OK, "{q}: {:?}", reply.body);
    reply.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|room| room["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A visitor (with `fields`: name, email) who wrote `bodies`; returns their room's id.
async fn conversation(app: &TestApp, site: &Value, fields: Value, bodies: &[&str]) -> String {
    let session = app.widget_session_with(key(site), SHOP, fields).await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    let mut socket =
        crate::socket::Socket::open(session.body["gateway_url"].as_str().unwrap(), SHOP).await;
    socket
        .auth(session.body["token"].as_str().unwrap(), json!({}))
        .await;
    let room = session.body["room"]["id"].as_str().unwrap().to_owned();
    for (i, body) in bodies.iter().enumerate() {
        let ack = socket.post(&room, body, &format!("c{i}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    room
}

#[actix_web::test]
async fn search_finds_words_inside_messages_and_the_visitors_name_and_email() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "search@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let order = conversation(
        &app,
        &site,
        json!({}),
        &["Hi, where is my order #1042?", "Thanks!"],
    )
    .await;
    let korean = conversation(
        &app,
        &site,
        json!({}),
        &["배송은 언제 되나요? 주문번호 1042"],
    )
    .await;
    let named = conversation(
        &app,
        &site,
        json!({ "name": "Minsu Kim", "email": "minsu@mail.example.com" }),
        &["hello"],
    )
    .await;
    eventually(
        Duration::from_secs(5),
        "the messages to be stored and searchable",
        async || (found(&app, &owner, site_id, "hello").await == [named.as_str()]).then_some(()),
    )
    .await;
    let stored = eventually(
        Duration::from_secs(5),
        "every message searchable",
        async || {
            let both = found(&app, &owner, site_id, "1042").await;
            let last = found(&app, &owner, site_id, "thanks").await;
            (both.len() == 2 && last == [order.as_str()]).then_some(both)
        },
    )
    .await;
    assert!(stored.contains(&order) && stored.contains(&korean));

    // The words of a message, whatever the punctuation and case; each a prefix.
    assert_eq!(
        found(&app, &owner, site_id, "order #1042").await,
        [order.as_str()]
    );
    assert_eq!(found(&app, &owner, site_id, "ORD").await, [order.as_str()]);
    assert_eq!(
        found(&app, &owner, site_id, "my ORDER?").await,
        [order.as_str()]
    );
    // Korean: a word and the start of one (particles follow the word they belong to).
    assert_eq!(
        found(&app, &owner, site_id, "배송").await,
        [korean.as_str()]
    );
    assert_eq!(
        found(&app, &owner, site_id, "주문번호 1042").await,
        [korean.as_str()]
    );
    // Every word must match, not just one.
    assert!(found(&app, &owner, site_id, "order 1043").await.is_empty());
    assert!(found(&app, &owner, site_id, "배송 order").await.is_empty());
    assert!(found(&app, &owner, site_id, "rder").await.is_empty());
    // The visitor's name and email, also together with a message's word.
    assert_eq!(
        found(&app, &owner, site_id, "minsu").await,
        [named.as_str()]
    );
    assert_eq!(
        found(&app, &owner, site_id, "kim hello").await,
        [named.as_str()]
    );
    assert_eq!(
        found(&app, &owner, site_id, "minsu@mail.example.com").await,
        [named.as_str()]
    );
    // A result shows the message that matched, when it is not the last one.
    let reply = app
        .search_rooms(&owner.access, site_id, "order #1042")
        .await;
    let room = &reply.body["rooms"][0];
    assert_eq!(room["matched"]["body"], "Hi, where is my order #1042?");
    assert_eq!(
        (
            room["matched"]["seq"].as_i64(),
            room["last_message"]["body"].as_str()
        ),
        (Some(1), Some("Thanks!"))
    );
    // Found by the visitor's name: no message matched.
    let reply = app.search_rooms(&owner.access, site_id, "minsu").await;
    assert!(
        reply.body["rooms"][0].get("matched").is_none(),
        "{:?}",
        reply.body
    );
    let plain = app.inbox(&owner.access, site_id, "").await;
    assert!(
        plain.body["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("matched").is_none())
    );

    // With the other filters: it is open, so not among the closed.
    let closed = app
        .inbox(&owner.access, site_id, "status=closed&q=order")
        .await;
    assert_eq!(closed.body["rooms"], json!([]), "{:?}", closed.body);
}

#[actix_web::test]
async fn a_search_is_bounded_and_another_owners_site_is_not_found() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "bounds@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    for q in ["", " ?!# ", &"a".repeat(101), "a b c d e f g h i"] {
        let reply = app.search_rooms(&owner.access, site_id, q).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{q:?}: {:?}",
            reply.body
        );
    }
    assert!(
        found(&app, &owner, site_id, &"가".repeat(100))
            .await
            .is_empty()
    );

    let (other, _) = owner_with_site(&app, "other-search@example.com").await;
    let reply = app.search_rooms(&other.access, site_id, "order").await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[actix_web::test]
async fn messages_stored_before_the_search_index_are_found_after_the_upgrade() {
    let before = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&before, "upgrade@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let room = conversation(
        &before,
        &site,
        json!({ "name": "Old Timer" }),
        &["order #1042"],
    )
    .await;
    eventually(
        Duration::from_secs(5),
        "the message to be stored",
        async || (found(&before, &owner, site_id, "1042").await == [room.as_str()]).then_some(()),
    )
    .await;
    // As the database was before the index: messages and visitors, no terms, the
    // backfill not done.
    let url = before.database_url();
    let pool = pintalk_db::pool(pintalk_db::Backend::from_url(&url).unwrap(), 1).unwrap();
    pool.get()
        .unwrap()
        .batch_execute(
            "DELETE FROM room_terms; DELETE FROM visitor_terms; \
             UPDATE search_backfill SET after_id = '', finished_at = NULL",
        )
        .unwrap();
    assert!(found(&before, &owner, site_id, "1042").await.is_empty());

    // The upgraded service, on the same database, indexes them in the background.
    let after = TestApp::spawn_with(|s| s.database.url = url.into()).await;
    let login = after.login(&owner.email, &owner.password).await;
    let owner = Owner {
        access: login.body["access_token"].as_str().unwrap().to_owned(),
        ..owner
    };
    eventually(
        Duration::from_secs(10),
        "the backfill to index the message",
        async || {
            (found(&after, &owner, site_id, "order 1042").await == [room.as_str()]).then_some(())
        },
    )
    .await;
    eventually(
        Duration::from_secs(10),
        "the backfill to index the visitor",
        async || (found(&after, &owner, site_id, "timer").await == [room.as_str()]).then_some(()),
    )
    .await;
}
