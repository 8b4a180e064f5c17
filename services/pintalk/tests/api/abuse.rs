//! Abuse controls from outside: a site's IP and network bans (the widget gets nothing, no
//! session is issued, expiry by the clock, deletion lifts them) and its own limits on
//! sessions and new conversations per IP and messages per visitor per minute.

use std::time::Duration;

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Owner, TestApp};
use crate::realtime::{SHOP, key};

/// An app that takes the client's address from `X-Forwarded-For`, as behind nginx.
async fn behind_proxy() -> TestApp {
    TestApp::spawn_with(|s| s.server.trust_forwarded_for = true).await
}

async fn owner_with_site(app: &TestApp, email: &str) -> (Owner, Value, String) {
    let owner = app.owner(email).await;
    let site = app.new_site(&owner, &[SHOP]).await;
    let id = site["id"].as_str().unwrap().to_owned();
    (owner, site, id)
}

/// The `Retry-After` of a 429, checked to be within the window.
fn retry_after(reply: &crate::helpers::Reply, window_secs: u64) -> u64 {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.code(), "too_many_requests");
    let secs: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=window_secs).contains(&secs), "Retry-After {secs}");
    secs
}

#[actix_web::test]
async fn bans_are_added_listed_and_deleted_by_the_sites_owner_only() {
    let app = TestApp::spawn().await;
    let (owner, _, site) = owner_with_site(&app, "bans@example.com").await;
    let v4 = app
        .create_ban(
            &owner.access,
            &site,
            json!({"network": "203.0.113.77/24", "note": "spam", "expires_in_secs": 3600}),
        )
        .await;
    assert_eq!(v4.status, StatusCode::CREATED, "{:?}", v4.body);
    assert_eq!(v4.body["network"], "203.0.113.0/24");
    assert_eq!(v4.body["note"], "spam");
    assert!(v4.body["expires_at"].is_string());
    let v6 = app
        .create_ban(
            &owner.access,
            &site,
            json!({"network": "2001:db8:1:2:3::9/64"}),
        )
        .await;
    assert_eq!(v6.body["network"], "2001:db8:1:2::/64");
    assert!(v6.body["expires_at"].is_null());
    let one = app
        .create_ban(&owner.access, &site, json!({"network": "198.51.100.7"}))
        .await;
    assert_eq!(one.body["network"], "198.51.100.7/32");

    let list = app.bans(&owner.access, &site).await;
    let networks: Vec<&str> = list.body["bans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["network"].as_str().unwrap())
        .collect();
    assert_eq!(
        networks,
        ["198.51.100.7/32", "2001:db8:1:2::/64", "203.0.113.0/24"]
    );

    let other = app.owner("other-bans@example.com").await;
    assert_eq!(
        app.bans(&other.access, &site).await.status,
        StatusCode::NOT_FOUND
    );
    let ban = v6.body["id"].as_str().unwrap();
    assert_eq!(
        app.delete_ban(&other.access, &site, ban).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.create_ban(&other.access, &site, json!({"network": "1.2.3.4"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete_ban(&owner.access, &site, ban).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete_ban(&owner.access, &site, ban).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.bans(&owner.access, &site).await.body["bans"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn bad_bans_are_refused_with_a_field_error() {
    let app = TestApp::spawn().await;
    let (owner, _, site) = owner_with_site(&app, "bad-bans@example.com").await;
    for fields in [
        json!({"network": "203.0.113.0/33"}),
        json!({"network": "2001:db8::/129"}),
        json!({"network": "example.com"}),
        json!({"network": ""}),
        json!({"network": "1".repeat(100)}),
        json!({"network": "1.2.3.4", "expires_in_secs": 0}),
        json!({"network": "1.2.3.4", "expires_in_secs": 999_999_999_999u64}),
        json!({"network": "1.2.3.4", "note": "x".repeat(501)}),
    ] {
        let reply = app.create_ban(&owner.access, &site, fields.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{fields}: {:?}",
            reply.body
        );
        assert_eq!(reply.code(), "invalid_field", "{fields}");
    }
    let unknown = app
        .create_ban(
            &owner.access,
            &site,
            json!({"network": "1.2.3.4", "why": "x"}),
        )
        .await;
    assert_eq!(unknown.code(), "invalid_json");
}

#[actix_web::test]
async fn a_site_holds_a_bounded_number_of_bans() {
    let app = TestApp::spawn_with(|s| s.limits.bans_per_site = 2).await;
    let (owner, _, site) = owner_with_site(&app, "full@example.com").await;
    for n in 1..=2 {
        let reply = app
            .create_ban(
                &owner.access,
                &site,
                json!({"network": format!("10.0.0.{n}")}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let full = app
        .create_ban(&owner.access, &site, json!({"network": "10.0.0.3"}))
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert_eq!(full.code(), "bans_full");
}

#[actix_web::test]
async fn a_banned_network_gets_no_widget_and_no_session_until_the_ban_is_deleted() {
    let app = behind_proxy().await;
    let (owner, site_json, site) = owner_with_site(&app, "banned@example.com").await;
    let key = key(&site_json);
    let v4 = app
        .create_ban(&owner.access, &site, json!({"network": "203.0.113.0/24"}))
        .await;
    app.create_ban(
        &owner.access,
        &site,
        json!({"network": "2001:db8:1:2::/64"}),
    )
    .await;
    for banned in [
        "203.0.113.0",
        "203.0.113.255",
        "2001:db8:1:2::5",
        "::ffff:203.0.113.9",
    ] {
        let config = app.widget_config_from(key, SHOP, banned).await;
        assert_eq!(config.status, StatusCode::FORBIDDEN, "{banned}");
        assert_eq!(config.code(), "ip_banned", "{banned}");
        // The page's script may read why (CORS for its origin), and shows nothing.
        assert_eq!(config.header("access-control-allow-origin"), Some(SHOP));
        let session = app.widget_session_from(key, SHOP, banned, json!({})).await;
        assert_eq!(session.status, StatusCode::FORBIDDEN, "{banned}");
        assert_eq!(session.code(), "ip_banned", "{banned}");
        assert!(session.body.get("token").is_none());
    }
    for free in [
        "203.0.112.255",
        "203.0.114.0",
        "2001:db8:1:3::1",
        "127.0.0.1",
    ] {
        assert_eq!(
            app.widget_config_from(key, SHOP, free).await.status,
            StatusCode::OK,
            "{free}"
        );
        let session = app.widget_session_from(key, SHOP, free, json!({})).await;
        assert_eq!(session.status, StatusCode::OK, "{free}: {:?}", session.body);
    }
    // Another site's bans are its own.
    let other = app.new_site(&owner, &[SHOP]).await;
    assert_eq!(
        app.widget_config_from(crate::realtime::key(&other), SHOP, "203.0.113.9")
            .await
            .status,
        StatusCode::OK
    );

    let ban = v4.body["id"].as_str().unwrap();
    app.delete_ban(&owner.access, &site, ban).await;
    assert_eq!(
        app.widget_config_from(key, SHOP, "203.0.113.9")
            .await
            .status,
        StatusCode::OK
    );
    let back = app
        .widget_session_from(key, SHOP, "203.0.113.9", json!({}))
        .await;
    assert_eq!(back.status, StatusCode::OK, "{:?}", back.body);
}

#[actix_web::test]
async fn a_ban_stops_applying_when_it_expires() {
    let app = behind_proxy().await;
    let (owner, site_json, site) = owner_with_site(&app, "expiry@example.com").await;
    let key = key(&site_json);
    app.create_ban(
        &owner.access,
        &site,
        json!({"network": "198.51.100.0/24", "expires_in_secs": 60}),
    )
    .await;
    assert_eq!(
        app.widget_config_from(key, SHOP, "198.51.100.1")
            .await
            .code(),
        "ip_banned"
    );
    app.clock.advance(Duration::from_secs(61));
    assert_eq!(
        app.widget_config_from(key, SHOP, "198.51.100.1")
            .await
            .status,
        StatusCode::OK
    );
    let session = app
        .widget_session_from(key, SHOP, "198.51.100.1", json!({}))
        .await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    assert!(
        app.bans(&owner.access, &site).await.body["bans"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[actix_web::test]
async fn limits_default_to_the_servers_and_are_bounded() {
    let app = TestApp::spawn().await;
    let (owner, _, site) = owner_with_site(&app, "limits@example.com").await;
    let limits = app.site_limits(&owner.access, &site).await;
    assert_eq!(limits.status, StatusCode::OK);
    assert!(limits.body["sessions_per_ip"].is_null());
    let defaults = &app.settings.limits;
    assert_eq!(
        limits.body["effective"]["sessions_per_ip"],
        defaults.sessions_per_ip
    );
    assert_eq!(
        limits.body["effective"]["conversations_per_ip"],
        defaults.conversations_per_ip
    );
    assert_eq!(
        limits.body["effective"]["messages_per_minute"],
        defaults.visitor_messages_per_minute
    );

    let set = app
        .set_site_limits(&owner.access, &site, json!({"messages_per_minute": 5}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(set.body["messages_per_minute"], 5);
    assert_eq!(set.body["effective"]["messages_per_minute"], 5);
    assert_eq!(
        app.site_limits(&owner.access, &site).await.body["messages_per_minute"],
        5
    );
    for bad in [
        json!({"messages_per_minute": 0}),
        json!({"messages_per_minute": 1001}),
        json!({"sessions_per_ip": -1}),
        json!({"conversations_per_ip": 100_001}),
    ] {
        let reply = app.set_site_limits(&owner.access, &site, bad.clone()).await;
        assert_eq!(reply.code(), "invalid_field", "{bad}");
    }
    // PUT replaces: what is left out goes back to the default.
    let reset = app.set_site_limits(&owner.access, &site, json!({})).await;
    assert!(reset.body["messages_per_minute"].is_null());
    let other = app.owner("other-limits@example.com").await;
    assert_eq!(
        app.site_limits(&other.access, &site).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.set_site_limits(&other.access, &site, json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn sessions_past_the_sites_limit_per_ip_get_429_with_retry_after() {
    let app = behind_proxy().await;
    let (owner, site_json, site) = owner_with_site(&app, "sessions@example.com").await;
    let key = key(&site_json);
    app.set_site_limits(&owner.access, &site, json!({"sessions_per_ip": 3}))
        .await;
    let first = app
        .widget_session_from(key, SHOP, "192.0.2.1", json!({}))
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let returning = json!({
        "visitor_id": first.body["visitor_id"],
        "visitor_secret": first.body["visitor_secret"],
    });
    // A returning visitor's sessions count too: 3 in all are allowed.
    for _ in 0..2 {
        let again = app
            .widget_session_from(key, SHOP, "192.0.2.1", returning.clone())
            .await;
        assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    }
    let refused = app
        .widget_session_from(key, SHOP, "192.0.2.1", returning.clone())
        .await;
    retry_after(&refused, app.settings.limits.sessions_window_secs);
    // Other addresses, and the same address on another site, are counted apart.
    assert_eq!(
        app.widget_session_from(key, SHOP, "192.0.2.2", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let other = app.new_site(&owner, &[SHOP]).await;
    assert_eq!(
        app.widget_session_from(crate::realtime::key(&other), SHOP, "192.0.2.1", json!({}))
            .await
            .status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn new_conversations_past_the_sites_limit_per_ip_get_429_but_returning_visitors_do_not() {
    let app = behind_proxy().await;
    let (owner, site_json, site) = owner_with_site(&app, "conversations@example.com").await;
    let key = key(&site_json);
    app.set_site_limits(&owner.access, &site, json!({"conversations_per_ip": 2}))
        .await;
    let first = app
        .widget_session_from(key, SHOP, "192.0.2.7", json!({}))
        .await;
    let second = app
        .widget_session_from(key, SHOP, "192.0.2.7", json!({}))
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_ne!(first.body["room"]["id"], second.body["room"]["id"]);
    let third = app
        .widget_session_from(key, SHOP, "192.0.2.7", json!({}))
        .await;
    retry_after(&third, app.settings.limits.conversations_window_secs);
    // A stale secret would start a new conversation: refused as well.
    let stale = app
        .widget_session_from(
            key,
            SHOP,
            "192.0.2.7",
            json!({"visitor_id": first.body["visitor_id"], "visitor_secret": "wrong"}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::TOO_MANY_REQUESTS);
    // The first visitor comes back to their conversation: not a new one, not refused.
    let back = app
        .widget_session_from(
            key,
            SHOP,
            "192.0.2.7",
            json!({
                "visitor_id": first.body["visitor_id"],
                "visitor_secret": first.body["visitor_secret"],
            }),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{:?}", back.body);
    assert_eq!(back.body["room"]["id"], first.body["room"]["id"]);
}

#[actix_web::test]
async fn a_visitor_past_the_sites_messages_a_minute_is_refused_retriably_on_every_socket() {
    let app = TestApp::spawn().await;
    let (owner, site_json, site) = owner_with_site(&app, "messages@example.com").await;
    let key = key(&site_json);
    app.set_site_limits(&owner.access, &site, json!({"messages_per_minute": 3}))
        .await;
    let mut visitor = app.visitor(key, SHOP).await;
    let room = visitor.room();
    for n in 1..=3 {
        let ack = visitor.socket.post(&room, "hello", &format!("m-{n}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let refused = visitor.socket.post(&room, "one too many", "m-4").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "rate_limited");
    assert_eq!(refused["retriable"], true);
    assert_eq!(refused["room"], room.as_str());

    // The same visitor on a second socket (another tab) shares the count.
    let again = app.widget_session(key, SHOP, Some(&visitor.session)).await;
    assert_eq!(again.status, StatusCode::OK);
    let mut tab =
        crate::socket::Socket::open(again.body["gateway_url"].as_str().unwrap(), SHOP).await;
    tab.auth(again.body["token"].as_str().unwrap(), json!({}))
        .await;
    let from_tab = tab.post(&room, "from the other tab", "t-1").await;
    assert_eq!(from_tab["code"], "rate_limited", "{from_tab}");

    // The site's owner is not counted.
    let mut dashboard = app.owner_socket(&owner.access).await;
    let answer = dashboard.post(&room, "we hear you", "o-1").await;
    assert_eq!(answer["type"], "ack", "{answer}");
    // Nothing refused was stored: the room holds the three messages and the answer.
    let history = app.history(&owner.access, &room, "").await;
    let bodies: Vec<&str> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["hello", "hello", "hello", "we hear you"]);
    assert_eq!(
        app.metric("pintalk_gateway_sends_rate_limited_total").await,
        2
    );
}

#[actix_web::test]
async fn a_visitors_replies_by_mail_count_against_the_same_limit_and_are_deferred_past_it() {
    let port = crate::redis::free_port();
    let app = TestApp::spawn_with(|s| {
        s.notify.poll_ms = 100;
        s.notify.visitor_offline_secs = 1;
        s.gateway.presence_grace_ms = 100;
        s.mail.inbound_listen = format!("127.0.0.1:{port}");
        s.mail.inbound_domain = "in.example".into();
    })
    .await;
    let (owner, site_json, site) = owner_with_site(&app, "mail-limit@example.com").await;
    app.set_site_limits(&owner.access, &site, json!({"messages_per_minute": 1}))
        .await;
    let mut bo = app
        .identified_visitor(key(&site_json), SHOP, json!({"email": "bo@example.com"}))
        .await;
    let room = bo.room();
    let ack = bo.socket.post(&room, "Do you ship to Busan?", "q").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    drop(bo);
    let mut dashboard = app.owner_socket(&owner.access).await;
    dashboard.post(&room, "We do.", "a").await;
    let mail = app.mail.wait_for("bo@example.com", "answered you", 1).await;
    let reply_to = crate::notifications::header(&mail, "Reply-To");
    let answer = format!(
        "From: <bo@example.com>\nTo: {reply_to}\nSubject: Re\nMessage-ID: <bo-2@mail.example>\n\nThanks!\n"
    );
    let mut smtp = crate::notifications::Delivery::connect(port).await;
    let (_, data) = smtp.send(&reply_to, &answer).await;
    // A temporary refusal: the visitor's mail server tries again later.
    assert!(
        data.as_deref().is_some_and(|s| s.starts_with("451")),
        "{data:?}"
    );
    let history = app.history(&owner.access, &room, "").await;
    assert_eq!(history.body["messages"].as_array().unwrap().len(), 2);
}
