//! Blocking and unblocking a visitor, and a site's list of blocked visitors.

use awc::http::StatusCode;
use serde_json::{Value, json};

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;

#[actix_web::test]
async fn an_unblocked_visitor_can_start_a_widget_session_again_in_their_conversation() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "unblock@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "sorry", "u-1").await;
    app.block_visitor(&owner.access, &room).await;
    let refused = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(refused.code(), "visitor_blocked");

    let unblocked = app.unblock_visitor(&owner.access, &room).await;
    assert_eq!(unblocked.status, StatusCode::NO_CONTENT);
    let back = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(back.status, StatusCode::OK, "{:?}", back.body);
    assert_eq!(back.body["visitor_id"], visitor.session["visitor_id"]);
    assert_eq!(back.body["room"]["id"], room.as_str());
    assert_eq!(
        app.room(&owner.access, &room).await.body["visitor"]["blocked"],
        false
    );
    // Unblocking again changes nothing.
    assert_eq!(
        app.unblock_visitor(&owner.access, &room).await.status,
        StatusCode::NO_CONTENT
    );
}

#[actix_web::test]
async fn only_the_rooms_owner_can_unblock() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "mine@example.com").await;
    let other = app.owner("other@example.com").await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    app.block_visitor(&owner.access, &room).await;
    let reply = app.unblock_visitor(&other.access, &room).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let still = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(still.code(), "visitor_blocked");
}

/// Starts `n` visitors on `site`, each named and with a conversation; blocks them in
/// order and returns their rooms.
async fn block_visitors(app: &TestApp, access: &str, site: &Value, n: usize) -> Vec<String> {
    let mut rooms = Vec::new();
    for i in 0..n {
        let start = app
            .widget_session_with(key(site), SHOP, json!({ "name": format!("Visitor {i}") }))
            .await;
        let room = start.body["room"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            app.block_visitor(access, &room).await.status,
            StatusCode::NO_CONTENT
        );
        rooms.push(room);
    }
    rooms
}

#[actix_web::test]
async fn the_blocked_list_shows_whom_when_and_their_conversation_newest_first_in_pages() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "list@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    // One visitor who is not blocked, who must not appear.
    app.visitor(key(&site), SHOP).await;
    let rooms = block_visitors(&app, &owner.access, &site, 3).await;

    let first = app
        .blocked_visitors(&owner.access, site_id, "limit=2")
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let listed = first.body["visitors"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["name"], "Visitor 2");
    assert_eq!(listed[0]["room_id"], rooms[2].as_str());
    assert_eq!(listed[1]["room_id"], rooms[1].as_str());
    assert!(listed[0]["blocked_at"].as_str().unwrap().ends_with('Z'));
    let cursor = first.body["next_cursor"].as_str().unwrap();

    let second = app
        .blocked_visitors(&owner.access, site_id, &format!("limit=2&cursor={cursor}"))
        .await;
    let listed = second.body["visitors"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["room_id"], rooms[0].as_str());
    assert_eq!(second.body["next_cursor"], Value::Null);

    // Unblocked, they leave the list.
    app.unblock_visitor(&owner.access, &rooms[2]).await;
    let now = app.blocked_visitors(&owner.access, site_id, "").await;
    let ids: Vec<&str> = now.body["visitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["room_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [rooms[1].as_str(), rooms[0].as_str()]);
}

#[actix_web::test]
async fn the_blocked_list_is_bounded_and_only_the_sites_owner_sees_it() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "bounds@example.com").await;
    let other = app.owner("nosy@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    for query in [
        "limit=0",
        "limit=101",
        "cursor=nonsense",
        "cursor=1.not-an-id",
    ] {
        let reply = app.blocked_visitors(&owner.access, site_id, query).await;
        assert_eq!(reply.code(), "invalid_query", "{query}");
    }
    let reply = app.blocked_visitors(&other.access, site_id, "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}
