//! Verified visitors: a page identifies its signed-in user with `user_id` and
//! `user_hash` = hex HMAC-SHA256(site identity secret, user_id). A forged hash is refused,
//! a real one makes the user one visitor on every browser, the site's settings decide what
//! unverified visitors may do, and the secret is shown once and never to a browser.

use awc::http::StatusCode;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Owner, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};
use crate::webhooks::{Receiver, endpoint, quick, verify};

/// What the site's server computes: hex HMAC-SHA256(secret, user_id).
fn user_hash(secret: &str, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user_id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn site_id(site: &Value) -> &str {
    site["id"].as_str().unwrap()
}

/// Generates the site's identity secret; returns it.
async fn secret_of(app: &TestApp, owner: &Owner, site: &Value) -> String {
    let made = app
        .rotate_identity_secret(&owner.access, site_id(site))
        .await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    assert_eq!(made.body["identity"]["configured"], true);
    made.body["secret"].as_str().unwrap().to_owned()
}

/// The session fields of `PinTalk('identify', {user_id, user_hash, name})`.
fn identify(user_id: &str, hash: &str) -> Value {
    json!({ "user_id": user_id, "user_hash": hash, "name": "Mina" })
}

#[actix_web::test]
async fn a_forged_hash_is_refused_and_a_real_one_verifies_the_visitor() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "idy@example.com").await;
    let secret = secret_of(&app, &owner, &site).await;
    assert!(secret.starts_with("idsec_"));

    let forged = user_hash("not-the-secret", "user-42");
    let refused = app
        .widget_session_with(key(&site), SHOP, identify("user-42", &forged))
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "invalid_user_hash")
    );
    let other_user = app
        .widget_session_with(
            key(&site),
            SHOP,
            identify("user-43", &user_hash(&secret, "user-42")),
        )
        .await;
    assert_eq!(other_user.code(), "invalid_user_hash");
    let garbage = app
        .widget_session_with(key(&site), SHOP, identify("user-42", &"z".repeat(5000)))
        .await;
    assert_eq!(garbage.code(), "invalid_user_hash");

    let real = app
        .widget_session_with(
            key(&site),
            SHOP,
            identify("user-42", &user_hash(&secret, "user-42")),
        )
        .await;
    assert_eq!(real.status, StatusCode::OK, "{:?}", real.body);
    assert_eq!(real.body["verified"], true);
    assert!(
        real.body.get("visitor_secret").is_none(),
        "a verified visitor is reached by their hash, not a secret to keep"
    );
    let room = real.body["room"]["id"].as_str().unwrap();
    let view = app.room(&owner.access, room).await;
    assert_eq!(view.status, StatusCode::OK, "{:?}", view.body);
    assert_eq!(view.body["visitor"]["verified"], true);
    assert_eq!(view.body["visitor"]["user_id"], "user-42");
    assert_eq!(view.body["visitor"]["name"], "Mina");
    // Their export says whom the site's server vouched for.
    let export = app
        .call(
            "GET",
            &format!("/api/v1/rooms/{room}/visitor/export"),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.body["visitor"]["user_id"], "user-42");
    assert!(export.body["visitor"]["verified_at"].is_string());

    let anonymous = app.widget_session(key(&site), SHOP, None).await;
    assert_eq!(anonymous.body["verified"], false);
    let room = anonymous.body["room"]["id"].as_str().unwrap();
    let view = app.room(&owner.access, room).await;
    assert_eq!(view.body["visitor"]["verified"], false);
    assert!(view.body["visitor"].get("user_id").is_none());
}

/// The body of the message with `seq` a socket receives (skipping earlier ones, such as
/// the echo of its own).
async fn body_of(socket: &mut crate::socket::Socket, seq: i64) -> String {
    loop {
        let frame = socket.next_of("message").await;
        if frame["seq"] == seq {
            return frame["body"].as_str().unwrap().to_owned();
        }
    }
}

#[actix_web::test]
async fn two_browsers_with_one_user_id_are_one_visitor_in_one_room_live_at_once() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "idy2@example.com").await;
    let secret = secret_of(&app, &owner, &site).await;
    let who = identify("user-7", &user_hash(&secret, "user-7"));

    let mut laptop = app.identified_visitor(key(&site), SHOP, who.clone()).await;
    let mut phone = app.identified_visitor(key(&site), SHOP, who.clone()).await;
    assert_eq!(laptop.session["visitor_id"], phone.session["visitor_id"]);
    assert_eq!(laptop.room(), phone.room());
    let room = laptop.room();

    let ack = laptop.socket.post(&room, "from the laptop", "l-1").await;
    assert_eq!(ack["type"], "ack", "{ack:?}");
    assert_eq!(body_of(&mut phone.socket, 1).await, "from the laptop");
    let ack = phone.socket.post(&room, "and from the phone", "p-1").await;
    assert_eq!(ack["type"], "ack", "{ack:?}");
    assert_eq!(body_of(&mut laptop.socket, 2).await, "and from the phone");

    // A third start (a reload) takes nothing away from the two open browsers.
    let again = app.widget_session_with(key(&site), SHOP, who).await;
    assert_eq!(again.body["room"]["id"], room.as_str());
    let mut dashboard = app.owner_socket(&owner.access).await;
    dashboard.post(&room, "hello to both", "o-1").await;
    assert_eq!(body_of(&mut laptop.socket, 3).await, "hello to both");
    assert_eq!(body_of(&mut phone.socket, 3).await, "hello to both");
}

#[actix_web::test]
async fn anonymous_visitors_are_allowed_or_refused_as_the_site_says() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "idy3@example.com").await;
    let id = site_id(&site);
    let before = app
        .update_identity(&owner.access, id, json!({ "verification_required": true }))
        .await;
    assert_eq!(
        (before.status, before.code()),
        (StatusCode::CONFLICT, "identity_not_set_up")
    );
    let secret = secret_of(&app, &owner, &site).await;
    let hash = user_hash(&secret, "u-1");

    // Off (the default): a user_id without a hash is an unverified visitor.
    let unhashed = app
        .widget_session_with(key(&site), SHOP, json!({ "user_id": "u-1" }))
        .await;
    assert_eq!(unhashed.status, StatusCode::OK, "{:?}", unhashed.body);
    assert_eq!(unhashed.body["verified"], false);

    // Required, anonymous allowed: no identify is fine; an unhashed user_id is not.
    let set = app
        .update_identity(&owner.access, id, json!({ "verification_required": true }))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(
        (
            set.body["verification_required"].as_bool(),
            set.body["anonymous_allowed"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let anonymous = app.widget_session(key(&site), SHOP, None).await;
    assert_eq!(anonymous.status, StatusCode::OK, "{:?}", anonymous.body);
    let unhashed = app
        .widget_session_with(key(&site), SHOP, json!({ "user_id": "u-1" }))
        .await;
    assert_eq!(
        (unhashed.status, unhashed.code()),
        (StatusCode::FORBIDDEN, "identity_required")
    );
    let config = app.widget_config(key(&site), Some(SHOP)).await;
    assert_eq!(config.body["anonymous_allowed"], true);

    // Required, anonymous refused: only verified users chat.
    app.update_identity(&owner.access, id, json!({ "anonymous_allowed": false }))
        .await;
    let anonymous = app.widget_session(key(&site), SHOP, None).await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (StatusCode::FORBIDDEN, "identity_required")
    );
    let named = app
        .widget_session_with(key(&site), SHOP, json!({ "name": "Anon" }))
        .await;
    assert_eq!(named.code(), "identity_required");
    let config = app.widget_config(key(&site), Some(SHOP)).await;
    assert_eq!(config.body["anonymous_allowed"], false);
    let verified = app
        .widget_session_with(key(&site), SHOP, identify("u-1", &hash))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    assert_eq!(verified.body["verified"], true);
    let shown = app.identity(&owner.access, id).await;
    assert_eq!(
        (
            shown.body["verification_required"].as_bool(),
            shown.body["anonymous_allowed"].as_bool()
        ),
        (Some(true), Some(false))
    );
}

#[actix_web::test]
async fn the_identity_secret_is_shown_once_and_never_reaches_a_browser() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "idy4@example.com").await;
    let id = site_id(&site);
    let unset = app.identity(&owner.access, id).await;
    assert_eq!(unset.body["configured"], false);
    let secret = secret_of(&app, &owner, &site).await;
    let hash = user_hash(&secret, "u-9");
    let bodies = [
        app.identity(&owner.access, id).await.body,
        app.site(&owner.access, id).await.body,
        app.sites(&owner.access).await.body,
        app.widget_config(key(&site), Some(SHOP)).await.body,
        app.widget_session_with(key(&site), SHOP, identify("u-9", &hash))
            .await
            .body,
    ];
    for body in bodies {
        assert!(!body.to_string().contains(&secret), "{body}");
    }
    // Another owner cannot read, change or rotate it.
    let stranger = app.owner("stranger@example.com").await;
    for reply in [
        app.identity(&stranger.access, id).await,
        app.rotate_identity_secret(&stranger.access, id).await,
        app.update_identity(&stranger.access, id, json!({ "anonymous_allowed": false }))
            .await,
    ] {
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "not_found")
        );
    }
    let long = "x".repeat(129);
    let too_long = app
        .widget_session_with(
            key(&site),
            SHOP,
            identify(&long, &user_hash(&secret, &long)),
        )
        .await;
    assert_eq!(
        (too_long.status, too_long.code()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );
}

#[actix_web::test]
async fn rotating_the_secret_invalidates_old_hashes_and_keeps_the_visitor() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "idy5@example.com").await;
    let old = secret_of(&app, &owner, &site).await;
    let first = app
        .widget_session_with(key(&site), SHOP, identify("u-5", &user_hash(&old, "u-5")))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);

    let new = secret_of(&app, &owner, &site).await;
    assert_ne!(old, new);
    let stale = app
        .widget_session_with(key(&site), SHOP, identify("u-5", &user_hash(&old, "u-5")))
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::FORBIDDEN, "invalid_user_hash")
    );
    let fresh = app
        .widget_session_with(key(&site), SHOP, identify("u-5", &user_hash(&new, "u-5")))
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{:?}", fresh.body);
    assert_eq!(fresh.body["visitor_id"], first.body["visitor_id"]);
    assert_eq!(fresh.body["room"]["id"], first.body["room"]["id"]);
}

#[actix_web::test]
async fn an_anonymous_visitor_who_signs_in_keeps_their_conversation_and_signing_out_starts_afresh()
{
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "idy6@example.com").await;
    let secret = secret_of(&app, &owner, &site).await;
    let anonymous = app.widget_session(key(&site), SHOP, None).await;
    let mut signed_in = json!({
        "visitor_id": anonymous.body["visitor_id"],
        "visitor_secret": anonymous.body["visitor_secret"],
    });
    signed_in["user_id"] = json!("u-6");
    signed_in["user_hash"] = json!(user_hash(&secret, "u-6"));
    let verified = app.widget_session_with(key(&site), SHOP, signed_in).await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    assert_eq!(verified.body["visitor_id"], anonymous.body["visitor_id"]);
    assert_eq!(verified.body["room"]["id"], anonymous.body["room"]["id"]);
    assert_eq!(verified.body["verified"], true);

    // The browser's old id and secret no longer open the now verified conversation.
    let signed_out = app
        .widget_session(key(&site), SHOP, Some(&anonymous.body))
        .await;
    assert_eq!(signed_out.status, StatusCode::OK, "{:?}", signed_out.body);
    assert_ne!(signed_out.body["visitor_id"], anonymous.body["visitor_id"]);
    assert_eq!(signed_out.body["verified"], false);
}

#[actix_web::test]
async fn visitor_identified_is_sent_once_when_a_visitor_is_first_verified() {
    let app = TestApp::spawn_with(quick).await;
    let receiver = Receiver::start(0).await;
    let (owner, site) = owner_with_site(&app, "idy7@example.com").await;
    let (_, hook_secret) =
        endpoint(&app, &owner, &site, &receiver.url, &["visitor.identified"]).await;
    let secret = secret_of(&app, &owner, &site).await;

    let who = identify("u-a", &user_hash(&secret, "u-a"));
    let first = app.widget_session_with(key(&site), SHOP, who.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    // Seen again on another browser: not news. A second user is.
    app.widget_session_with(key(&site), SHOP, who).await;
    let second = app
        .widget_session_with(
            key(&site),
            SHOP,
            identify("u-b", &user_hash(&secret, "u-b")),
        )
        .await;

    let got = receiver.wait_for(2).await;
    let bodies: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    for (request, body) in got.iter().zip(&bodies) {
        assert_eq!(request.event, "visitor.identified");
        assert_eq!(body["type"], "visitor.identified");
        assert_eq!(request.event_id, body["id"].as_str().unwrap());
        assert!(verify(&hook_secret, &request.signature, &request.body));
    }
    let mut users: Vec<(&str, &str)> = bodies
        .iter()
        .map(|b| {
            (
                b["data"]["visitor"]["user_id"].as_str().unwrap(),
                b["data"]["visitor"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    // Deliveries go concurrently: in any order.
    users.sort();
    assert_eq!(
        users,
        [
            ("u-a", first.body["visitor_id"].as_str().unwrap()),
            ("u-b", second.body["visitor_id"].as_str().unwrap()),
        ]
    );
    let of_a = bodies
        .iter()
        .find(|b| b["data"]["visitor"]["user_id"] == "u-a")
        .unwrap();
    assert_eq!(of_a["data"]["visitor"]["name"], "Mina");
    assert_eq!(of_a["data"]["conversation"]["id"], first.body["room"]["id"]);
}
