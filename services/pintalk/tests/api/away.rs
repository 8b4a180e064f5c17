//! When nobody answers: a site's business hours and the widget's away state, the email a
//! visitor leaves, the mail's link that reopens their chat, and mail that waits out a
//! mail server that is down. Delays pass on the app's clock (`app.clock.advance`), not
//! in sleeps.

use std::time::Duration;

use awc::http::StatusCode;
use pintalk_core::ids::{OwnerId, RoomId};
use serde_json::{Value, json};

use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::realtime::{SHOP, key, owner_with_site};

/// Open every day from midnight to noon, UTC: whatever the time, the next change is at
/// most twelve hours away, and the config says when.
fn mornings() -> Value {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    json!({
        "time_zone": "UTC",
        "weekly": days.map(|day| json!({ "day": day, "open": "00:00", "close": "12:00" })),
    })
}

fn now_ms() -> i64 {
    pintalk_core::clock::now_ms()
}

#[actix_web::test]
async fn business_hours_decide_the_away_state_and_turn_with_the_clock() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "hours@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let always = app.widget_config(key(&site), Some(SHOP)).await.body;
    assert_eq!(
        always["availability"],
        json!({ "in_hours": true }),
        "no hours"
    );
    assert_eq!(always["email_field"], "optional", "the default");
    assert_eq!(always["reply_time"], "minutes", "the default");

    let saved = app
        .update_site(
            &owner.access,
            site_id,
            json!({ "widget": { "business_hours": mornings(), "email_field": "required", "reply_time": "hours" } }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["widget"]["business_hours"], mornings());

    let before = app.widget_config(key(&site), Some(SHOP)).await.body;
    let in_hours = before["availability"]["in_hours"].as_bool().unwrap();
    let changes_at = before["availability"]["changes_at"].as_i64().unwrap();
    assert!(changes_at > now_ms() && changes_at <= now_ms() + 12 * 3600 * 1000);
    assert_eq!(before["email_field"], "required");
    assert_eq!(before["reply_time"], "hours");

    // Past the change, the config and a visitor's start both say the other thing.
    app.clock.advance(Duration::from_millis(
        u64::try_from(changes_at - now_ms()).unwrap() + 1000,
    ));
    let after = app.widget_config(key(&site), Some(SHOP)).await.body;
    assert_eq!(after["availability"]["in_hours"], !in_hours);
    let start = app.widget_session(key(&site), SHOP, None).await.body;
    assert_eq!(start["availability"], after["availability"]);

    // Without hours again: always within them.
    let cleared = app
        .update_site(
            &owner.access,
            site_id,
            json!({ "widget": { "business_hours": null } }),
        )
        .await;
    assert_eq!(cleared.body["widget"]["business_hours"], Value::Null);
    let always = app.widget_config(key(&site), Some(SHOP)).await.body;
    assert_eq!(always["availability"], json!({ "in_hours": true }));
}

#[actix_web::test]
async fn open_widgets_learn_new_hours_from_the_settings_frame() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "frame@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    app.update_site(
        &owner.access,
        site["id"].as_str().unwrap(),
        json!({ "widget": { "business_hours": mornings() } }),
    )
    .await;
    let frame = visitor.socket.next_of("settings").await;
    assert_eq!(frame["widget"]["business_hours"], mornings());
    let config = app.widget_config(key(&site), Some(SHOP)).await.body;
    assert_eq!(frame["availability"], config["availability"]);
}

#[actix_web::test]
async fn bad_business_hours_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "badhours@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let span = |open: &str, close: &str| json!([{ "day": "mon", "open": open, "close": close }]);
    for (hours, why) in [
        (
            json!({ "time_zone": "Mars/Olympus", "weekly": [] }),
            "time_zone",
        ),
        (
            json!({ "time_zone": "UTC", "weekly": span("18:00", "09:00") }),
            "weekly",
        ),
        (
            json!({ "time_zone": "UTC", "weekly": span("9:00", "18:00") }),
            "weekly",
        ),
        (
            json!({ "time_zone": "UTC", "weekly": span("09:00", "24:01") }),
            "weekly",
        ),
        (
            json!({ "time_zone": "UTC", "weekly": [ { "day": "someday", "open": "09:00", "close": "10:00" } ] }),
            "",
        ),
    ] {
        let reply = app
            .update_site(
                &owner.access,
                site_id,
                json!({ "widget": { "business_hours": hours } }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{hours}");
        assert!(
            ["invalid_field", "invalid_json"].contains(&reply.code()),
            "{:?}",
            reply.body
        );
        assert!(
            reply.body["message"].as_str().unwrap().contains(why),
            "{:?}",
            reply.body
        );
    }
    let many: Vec<Value> = (0..22)
        .map(|_| json!({ "day": "mon", "open": "09:00", "close": "10:00" }))
        .collect();
    let reply = app
        .update_site(
            &owner.access,
            site_id,
            json!({ "widget": { "business_hours": { "time_zone": "UTC", "weekly": many } } }),
        )
        .await;
    assert_eq!(reply.code(), "invalid_field");
}

#[actix_web::test]
async fn the_visitor_leaves_an_email_and_can_change_it() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "leave@example.com").await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let (room, token) = (visitor.room(), visitor.token());

    let left = app
        .leave_email(
            &token,
            &room,
            json!({ "email": " Bo@Example.com ", "page_url": "https://shop.example.com/cart?x=1" }),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{:?}", left.body);
    assert_eq!(left.body["email"], "bo@example.com");
    assert_eq!(left.header("access-control-allow-origin"), Some(SHOP));
    let seen = app.room(&owner.access, &room).await;
    assert_eq!(seen.body["visitor"]["email"], "bo@example.com");

    let changed = app
        .leave_email(&token, &room, json!({ "email": "bo@busan.example" }))
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let seen = app.room(&owner.access, &room).await;
    assert_eq!(seen.body["visitor"]["email"], "bo@busan.example");

    for (fields, code) in [
        (json!({ "email": "not an address" }), "invalid_email"),
        (
            json!({ "email": "bo@example.com\r\nBcc: x@evil.example" }),
            "invalid_email",
        ),
        (
            json!({ "email": "bo@example.com", "page_url": "https://evil.example/" }),
            "invalid_field",
        ),
        (
            json!({ "email": "bo@example.com", "page_url": "javascript:alert(1)" }),
            "invalid_field",
        ),
        (
            json!({ "email": "bo@example.com", "page_url": format!("{SHOP}/{}", "a".repeat(2100)) }),
            "invalid_field",
        ),
    ] {
        let reply = app.leave_email(&token, &room, fields.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{fields}");
        assert_eq!(reply.code(), code, "{fields}");
    }
    let seen = app.room(&owner.access, &room).await;
    assert_eq!(
        seen.body["visitor"]["email"], "bo@busan.example",
        "unchanged"
    );

    let by_owner = app
        .leave_email(&owner.access, &room, json!({ "email": "x@example.com" }))
        .await;
    assert_eq!(by_owner.code(), "invalid_token", "only the visitor");
    let other = app.visitor(key(&site), SHOP).await;
    let elsewhere = app
        .leave_email(&other.token(), &room, json!({ "email": "x@example.com" }))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "not their room");
}

#[actix_web::test]
async fn the_visitors_mail_links_back_to_the_same_conversation_until_the_link_expires() {
    let app = TestApp::spawn_with(|s| {
        s.notify.visitor_offline_secs = 1;
        s.notify.poll_ms = 100;
        s.gateway.presence_grace_ms = 100;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "reopen@example.com").await;
    let mut bo = app.visitor(key(&site), SHOP).await;
    let room = bo.room();
    bo.socket
        .post(&room, "Is the blue one in stock?", "q")
        .await;
    let left = app
        .leave_email(&bo.token(), &room, json!({ "email": "bo@example.com", "page_url": "https://shop.example.com/p/blue#reviews" }))
        .await;
    assert_eq!(left.status, StatusCode::OK, "{:?}", left.body);
    drop(bo);

    let mut dashboard = app.owner_socket(&owner.access).await;
    dashboard.post(&room, "It is: two left.", "a").await;
    let mail = app.mail.wait_for("bo@example.com", "answered you", 1).await;
    assert!(
        mail.contains("https://shop.example.com/p/blue#pintalk="),
        "{mail}"
    );
    let start = mail.find("#pintalk=").unwrap() + "#pintalk=".len();
    let token: String = mail[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();

    assert_eq!(token.len(), 54, "{mail}");
    // Another browser (no id, no secret) opens the link: the same conversation.
    let reopened = app
        .widget_session_with(key(&site), SHOP, json!({ "reopen": token }))
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{:?}", reopened.body);
    assert_eq!(reopened.body["room"]["id"], room.as_str());
    let secret = reopened.body["visitor_secret"].as_str().unwrap().to_owned();
    assert_ne!(reopened.body["visitor_secret"], Value::Null);
    // That browser now comes back with its own secret, to the same conversation.
    let again = app
        .widget_session(key(&site), SHOP, Some(&reopened.body))
        .await;
    assert_eq!(again.body["room"]["id"], room.as_str());
    assert!(!secret.is_empty());

    let forged = format!(
        "{}{}",
        &token[..token.len() - 2],
        if token.ends_with("00") { "11" } else { "00" }
    );
    for bad in [forged.as_str(), "zz", ""] {
        let reply = app
            .widget_session_with(key(&site), SHOP, json!({ "reopen": bad }))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.code(), "invalid_reopen_link");
    }
    app.clock.advance(Duration::from_secs(8 * 24 * 3600));
    let expired = app
        .widget_session_with(key(&site), SHOP, json!({ "reopen": token }))
        .await;
    assert_eq!(expired.code(), "invalid_reopen_link", "a week later");
}

#[actix_web::test]
async fn the_default_unread_delay_passes_on_the_clock_not_in_a_sleep() {
    let app = TestApp::spawn_with(|s| s.notify.poll_ms = 100).await;
    assert_eq!(app.settings.notify.unread_delay_secs, 120, "the default");
    let (owner, site) = owner_with_site(&app, "clock@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Hello?", "a").await;
    app.clock.advance(Duration::from_secs(121));
    let mail = app.mail.wait_for(&owner.email, "wrote on", 1).await;
    assert!(mail.contains("> Hello?"), "{mail}");
}

#[actix_web::test]
async fn mail_waits_for_a_mail_server_that_is_down_and_goes_once_it_is_back() {
    let app = TestApp::spawn_with(|s| {
        s.notify.unread_delay_secs = 1;
        s.notify.poll_ms = 100;
        s.notify.retry_first_secs = 60;
        s.notify.retry_max_secs = 600;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "outage@example.com").await;
    let owner_id: OwnerId = app.me(&owner.access).await.body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let port = app.mail.down().await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Anyone there?", "a").await;

    // The notifier tried, failed and backs off: the row waits, claimed by nobody, a
    // minute past the attempt (retry_first_secs).
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let room_id: RoomId = room.parse().unwrap();
    let waiting = eventually(Duration::from_secs(10), "a backed-off row", async || {
        let mut conn = pool.get().unwrap();
        pintalk_db::notifications::scheduled(&mut conn, owner_id)
            .unwrap()
            .into_iter()
            .find(|r| {
                r.room_id == room_id
                    && r.claimed_by.is_none()
                    && r.claimed_until >= r.due_at + 60_000
            })
    })
    .await;
    // Sends never wait for mail: the visitor's next message is acked as ever.
    let ack = visitor.socket.post(&room, "Hello?", "b").await;
    assert_eq!(ack["seq"], 2);

    app.mail.up(port).await;
    app.clock.advance(Duration::from_millis(
        u64::try_from(waiting.claimed_until - now_ms()).unwrap_or(0) + 1000,
    ));
    let mail = app.mail.wait_for(&owner.email, "wrote on", 1).await;
    assert!(
        mail.contains("> Anyone there?") && mail.contains("> Hello?"),
        "{mail}"
    );
    told_of_both(&app, owner_id, room_id).await;
    assert_eq!(
        app.mail
            .sent_to(&owner.email)
            .iter()
            .filter(|m| m.contains("wrote on"))
            .count(),
        1,
        "one mail, not one per attempt"
    );
}

/// The row of `room` is quiet after its mail (claimed by nobody, told of what it held).
async fn told_of_both(app: &TestApp, owner: OwnerId, room: RoomId) {
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    eventually(
        Duration::from_secs(10),
        "the row told of seq 2",
        async || {
            let mut conn = pool.get().unwrap();
            pintalk_db::notifications::scheduled(&mut conn, owner)
                .unwrap()
                .into_iter()
                .all(|r| r.room_id != room || (r.notified_seq == 2 && r.claimed_by.is_none()))
                .then_some(())
        },
    )
    .await;
}
