//! Retention and a visitor's data: a site's `retention_days` and the sweeper that deletes
//! idle conversations from SQL and the bus when the app's clock passes them (one sweeper
//! of two replicas, in batches, counted in `/metrics`); a visitor's export and erasure,
//! which closes their socket.

use std::time::Duration;

use awc::http::StatusCode;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};
use serde_json::{Value, json};

use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::realtime::{SHOP, key, owner_with_site};
use crate::socket::Closed;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// The app with a sweeper that looks every second, in batches of `batch`.
async fn app_sweeping_in(batch: i64) -> TestApp {
    TestApp::spawn_with(|s| {
        s.retention.poll_secs = 1;
        s.retention.batch = batch;
    })
    .await
}

fn id<T: std::str::FromStr>(v: &Value) -> T
where
    T::Err: std::fmt::Debug,
{
    v.as_str().unwrap().parse().unwrap()
}

/// Whether SQL still holds the room, and the visitor.
fn in_sql(app: &TestApp, site: SiteId, room: RoomId, visitor: VisitorId) -> (bool, bool) {
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    (
        pintalk_db::rooms::find(&mut conn, room).unwrap().is_some(),
        pintalk_db::visitors::find(&mut conn, site, visitor)
            .unwrap()
            .is_some(),
    )
}

/// Whether the bus still holds the room (only a Redis bus can be asked from outside).
async fn in_redis(app: &TestApp, room: RoomId) -> Option<bool> {
    if !app.settings.redis.is_set() {
        return None;
    }
    let bus = pintalk_bus::connect(&app.settings.redis).await.unwrap();
    Some(
        bus.last_seq(room).await.unwrap().is_some() || bus.room_site(room).await.unwrap().is_some(),
    )
}

/// A visitor's conversation with one message, stored in SQL.
async fn conversation(app: &TestApp, site: &Value, body: &str) -> crate::socket::Visitor {
    let mut visitor = app.visitor(key(site), SHOP).await;
    let room = visitor.room();
    let seq = visitor.socket.post(&room, body, "r-1").await["seq"]
        .as_i64()
        .unwrap();
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let room_id: RoomId = room.parse().unwrap();
    eventually(Duration::from_secs(5), "the message stored", async || {
        let stored = pintalk_db::messages::max_seq(&mut pool.get().unwrap(), room_id).unwrap();
        (stored >= seq).then_some(())
    })
    .await;
    visitor
}

#[actix_web::test]
async fn retention_is_off_by_default_bounded_and_only_the_owners() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ret-set@example.com").await;
    let other = app.owner("ret-other@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let shown = app.retention(&owner.access, site_id).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["retention_days"], Value::Null);
    for bad in [json!(0), json!(3651), json!(-1), json!("30")] {
        let refused = app.set_retention(&owner.access, site_id, bad.clone()).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        app.set_retention(&owner.access, site_id, json!(0))
            .await
            .code(),
        "invalid_field"
    );
    let set = app.set_retention(&owner.access, site_id, json!(30)).await;
    assert_eq!(set.body["retention_days"], 30);
    assert_eq!(
        app.retention(&owner.access, site_id).await.body["retention_days"],
        30
    );
    assert_eq!(
        app.set_retention(&other.access, site_id, json!(1))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.retention(&other.access, site_id).await.status,
        StatusCode::NOT_FOUND
    );
    app.set_retention(&owner.access, site_id, Value::Null).await;
    assert_eq!(
        app.retention(&owner.access, site_id).await.body["retention_days"],
        Value::Null
    );
}

#[actix_web::test]
async fn conversations_idle_past_retention_are_deleted_from_sql_and_the_bus_in_batches() {
    let app = app_sweeping_in(2).await;
    let (owner, site) = owner_with_site(&app, "ret-sweep@example.com").await;
    let (kept_owner, kept_site) = owner_with_site(&app, "ret-kept@example.com").await;
    let site_id: SiteId = id(&site["id"]);
    let mut old = Vec::new();
    for i in 0..5 {
        old.push(conversation(&app, &site, &format!("old {i}")).await);
    }
    let untouched = conversation(&app, &kept_site, "no retention here").await;
    app.set_retention(&owner.access, site["id"].as_str().unwrap(), json!(1))
        .await;
    let before = app
        .metric("pintalk_account_retention_rooms_deleted_total")
        .await;
    // Nothing is a day old yet.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        app.metric("pintalk_account_retention_rooms_deleted_total")
            .await,
        before
    );
    app.clock.advance(DAY + Duration::from_secs(60));
    let mut last = old.pop().unwrap();
    eventually(Duration::from_secs(10), "five rooms swept", async || {
        let n = app
            .metric("pintalk_account_retention_rooms_deleted_total")
            .await;
        (n - before >= 5).then_some(())
    })
    .await;
    for visitor in old.iter().chain([&last]) {
        let room: RoomId = visitor.room().parse().unwrap();
        let who: VisitorId = id(&visitor.session["visitor_id"]);
        assert_eq!(in_sql(&app, site_id, room, who), (false, false));
        assert_eq!(
            app.room(&owner.access, &visitor.room()).await.status,
            StatusCode::NOT_FOUND
        );
        if let Some(held) = in_redis(&app, room).await {
            assert!(!held, "the bus still holds {room}");
        }
    }
    assert_eq!(
        app.metric("pintalk_account_retention_visitors_deleted_total")
            .await,
        5
    );
    // The socket of a swept conversation is told and closed.
    assert_eq!(
        last.socket.next_of("error").await["code"],
        "conversation_expired"
    );
    assert_eq!(
        last.socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4003)
    );
    // The site without retention keeps its conversation.
    assert_eq!(
        app.room(&kept_owner.access, &untouched.room()).await.status,
        StatusCode::OK
    );
    // A second pass (and a third) finds nothing more.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        app.metric("pintalk_account_retention_rooms_deleted_total")
            .await,
        before + 5
    );
}

#[actix_web::test]
async fn of_two_replicas_one_holds_the_lease_and_sweeps_each_room_once() {
    let app = app_sweeping_in(100).await;
    let beside = app
        .spawn_beside(|s| {
            s.retention.poll_secs = 1;
        })
        .await;
    let (owner, site) = owner_with_site(&app, "ret-lease@example.com").await;
    for i in 0..3 {
        conversation(&app, &site, &format!("long ago {i}")).await;
    }
    app.set_retention(&owner.access, site["id"].as_str().unwrap(), json!(1))
        .await;
    app.clock.advance(DAY + Duration::from_secs(60));
    beside.clock.advance(DAY + Duration::from_secs(60));
    let metric = "pintalk_account_retention_rooms_deleted_total";
    eventually(Duration::from_secs(10), "three rooms swept", async || {
        (app.metric(metric).await + beside.metric(metric).await >= 3).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut counts = [app.metric(metric).await, beside.metric(metric).await];
    counts.sort();
    assert_eq!(counts, [0, 3], "one sweeper, each room deleted once");
}

#[actix_web::test]
async fn an_exported_visitor_file_holds_their_messages_and_an_erased_visitor_is_gone() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ret-erase@example.com").await;
    let other = app.owner("ret-nosy@example.com").await;
    let site_id: SiteId = id(&site["id"]);
    let mut visitor = conversation(&app, &site, "my order 1042").await;
    let room = visitor.room();
    let exported = app.export_visitor(&owner.access, &room).await;
    assert_eq!(exported.status, StatusCode::OK, "{:?}", exported.body);
    assert!(
        exported
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        exported.body["visitor"]["id"],
        visitor.session["visitor_id"]
    );
    let conversations = exported.body["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0]["id"], room.as_str());
    assert_eq!(conversations[0]["messages"][0]["body"], "my order 1042");
    assert_eq!(exported.body["read_cursors"][0]["seq"], 1);
    assert!(exported.body["scheduled_notifications"].is_array());

    assert_eq!(
        app.export_visitor(&other.access, &room).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.erase_visitor(&other.access, &room).await.status,
        StatusCode::NOT_FOUND
    );

    let erased = app.erase_visitor(&owner.access, &room).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    assert_eq!(
        visitor.socket.next_of("error").await["code"],
        "visitor_erased"
    );
    assert_eq!(
        visitor.socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4003)
    );
    let room_id: RoomId = room.parse().unwrap();
    let who: VisitorId = id(&visitor.session["visitor_id"]);
    assert_eq!(in_sql(&app, site_id, room_id, who), (false, false));
    if let Some(held) = in_redis(&app, room_id).await {
        assert!(!held, "the bus still holds the erased visitor's room");
    }
    assert_eq!(
        app.export_visitor(&owner.access, &room).await.status,
        StatusCode::NOT_FOUND
    );
    // Their browser comes back as a new visitor, in a new conversation.
    let again = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_ne!(again.body["visitor_id"], visitor.session["visitor_id"]);
    assert_ne!(again.body["room"]["id"], room.as_str());
}

#[actix_web::test]
async fn the_workspace_export_streams_every_site_visitor_conversation_and_message() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ret-export@example.com").await;
    let second = app.new_site(&owner, &[SHOP]).await;
    let other = app.owner("ret-export-other@example.com").await;
    app.new_site(&other, &[SHOP]).await;
    let a = conversation(&app, &site, "first site's words").await;
    let b = conversation(&app, &second, "second site's words").await;
    app.set_retention(&owner.access, second["id"].as_str().unwrap(), json!(90))
        .await;
    let export = app.export_workspace(&owner.access).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    assert!(
        export
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(export.body["owner"]["email"], "ret-export@example.com");
    let sites = export.body["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2, "only the owner's own sites");
    let by_id = |id: &Value| sites.iter().find(|s| s["id"] == *id).unwrap().clone();
    let (one, two) = (by_id(&site["id"]), by_id(&second["id"]));
    assert_eq!(one["retention_days"], Value::Null);
    assert_eq!(two["retention_days"], 90);
    for (dump, visitor, words) in [
        (&one, &a, "first site's words"),
        (&two, &b, "second site's words"),
    ] {
        assert_eq!(dump["visitors"][0]["id"], visitor.session["visitor_id"]);
        assert_eq!(dump["conversations"][0]["id"], visitor.room().as_str());
        assert_eq!(dump["conversations"][0]["messages"][0]["body"], words);
    }
}

/// The window between the sweeper's steps: a room the bus forgot, not yet deleted from
/// SQL. Nothing seeds it again there — not a send (even once the persister was asked to
/// seed it), not a visitor's start — so nothing is acked that the delete would take with
/// it.
#[actix_web::test]
async fn a_room_being_deleted_is_not_seeded_again_and_acks_nothing() {
    let app = app_sweeping_in(100).await;
    if !app.settings.redis.is_set() {
        return; // the bus must be reached from outside the app: a Redis one
    }
    let bus = pintalk_bus::connect(&app.settings.redis).await.unwrap();
    let (_owner, site) = owner_with_site(&app, "ret-window@example.com").await;
    let mut visitor = conversation(&app, &site, "before").await;
    let room: RoomId = visitor.room().parse().unwrap();
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let last_seq = pintalk_db::rooms::find(&mut pool.get().unwrap(), room)
        .unwrap()
        .unwrap()
        .last_seq;
    // The sweeper's first step; its SQL delete has not come yet.
    assert!(bus.forget(room, last_seq).await.unwrap());

    let refused = visitor
        .socket
        .post(&visitor.room(), "in the gap", "r-gap")
        .await;
    assert_eq!(refused["code"], "room_not_ready", "{refused}");
    assert_eq!(refused["retriable"], true);
    // Long enough for the persister to have taken the seed request the send made.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = visitor
        .socket
        .post(&visitor.room(), "in the gap", "r-gap")
        .await;
    assert_eq!(again["code"], "room_not_ready", "{again}");
    let start = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(start.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(start.code(), "room_not_ready");
    assert!(bus.last_seq(room).await.unwrap().is_none(), "seeded again");
    assert_eq!(
        pintalk_db::messages::max_seq(&mut pool.get().unwrap(), room).unwrap(),
        last_seq,
        "nothing stored in the gap"
    );
}
