//! Tokens, origins and grants at the gateway.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::token::{Signer, VisitorSocketGrant, generate_private_pem};
use serde_json::json;

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;
use crate::socket::{Closed, Socket};

async fn refused(url: &str, origin: &str, token: &str) {
    let mut socket = Socket::open(url, origin).await;
    socket.send(json!({ "type": "auth", "token": token })).await;
    let error = socket.next().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4001)
    );
}

#[actix_web::test]
async fn tokens_of_another_audience_expired_forged_or_alg_none_are_refused() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "sec@example.com").await;
    let session = app.widget_session(key(&site), SHOP, None).await.body;
    let url = session["gateway_url"].as_str().unwrap().to_owned();
    let room: RoomId = session["room"]["id"].as_str().unwrap().parse().unwrap();
    let site_id: SiteId = site["id"].as_str().unwrap().parse().unwrap();

    // An HTTP access token is not a socket token.
    refused(&url, &app.dashboard_origin(), &owner.access).await;
    // Signed by another key.
    let grant = VisitorSocketGrant {
        site: site_id,
        room,
        origin: SHOP.into(),
        name: None,
        messages_per_minute: None,
    };
    let other = Signer::new(
        &app.settings.auth.issuer,
        &generate_private_pem().unwrap(),
        &[],
    )
    .unwrap();
    refused(
        &url,
        SHOP,
        &other
            .sign("v", Duration::from_secs(60), grant.clone())
            .unwrap(),
    )
    .await;
    // Expired: the right key, claims an hour old.
    let key_pem = jsonwebtoken::EncodingKey::from_ed_pem(app.signing_pem.as_bytes()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = jsonwebtoken::decode_header(session["token"].as_str().unwrap())
        .unwrap()
        .kid;
    let now = pintalk_core::clock::now_secs();
    let expired = json!({ "iss": app.settings.auth.issuer, "aud": "pintalk:visitor", "sub": "v",
        "iat": now - 7200, "exp": now - 3600, "site": site_id, "room": room, "origin": SHOP });
    refused(
        &url,
        SHOP,
        &jsonwebtoken::encode(&header, &expired, &key_pem).unwrap(),
    )
    .await;
    // alg: none, with the claims of a valid token.
    let payload = session["token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let none_header = URL_SAFE_NO_PAD
        .encode(json!({ "alg": "none", "typ": "JWT", "kid": header.kid }).to_string());
    refused(&url, SHOP, &format!("{none_header}.{payload}.")).await;
    // And the valid one passes: the refusals above were for their own reasons.
    let mut socket = Socket::open(&url, SHOP).await;
    socket
        .auth(session["token"].as_str().unwrap(), json!({}))
        .await;
}

#[actix_web::test]
async fn socket_from_another_origin_than_the_tokens_is_refused() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "origin@example.com").await;
    let session = app.widget_session(key(&site), SHOP, None).await.body;
    let url = session["gateway_url"].as_str().unwrap();
    refused(
        url,
        "https://evil.example.com",
        session["token"].as_str().unwrap(),
    )
    .await;
    let ticket = app.realtime_token(&owner.access).await;
    refused(url, SHOP, ticket.body["token"].as_str().unwrap()).await;
}

#[actix_web::test]
async fn visitor_cannot_reach_another_room_and_owner_cannot_reach_another_owners_site() {
    let app = TestApp::spawn().await;
    let (alice, alice_site) = owner_with_site(&app, "alice@example.com").await;
    let (mallory, _) = owner_with_site(&app, "mallory@example.com").await;
    let mut victim = app.visitor(key(&alice_site), SHOP).await;
    let room = victim.room();
    victim.socket.post(&room, "private", "p-1").await;

    // Another visitor of the same site: neither write nor read nor resume the room.
    let mut other = app.visitor(key(&alice_site), SHOP).await;
    assert_eq!(
        other.socket.post(&room, "intrude", "x-1").await["code"],
        "room_not_granted"
    );
    let read = app.history(&other.token(), &room, "").await;
    assert_eq!(read.status, awc::http::StatusCode::NOT_FOUND);
    let again = app
        .widget_session(key(&alice_site), SHOP, Some(&other.session))
        .await
        .body;
    let mut resumed = Socket::open(again["gateway_url"].as_str().unwrap(), SHOP).await;
    resumed
        .auth(again["token"].as_str().unwrap(), json!({ room.clone(): 0 }))
        .await;
    let error = resumed.next_of("error").await;
    assert_eq!(error["code"], "room_not_granted");

    // Another owner: not over the socket, not over HTTP.
    let mut intruder = app.owner_socket(&mallory.access).await;
    assert_eq!(
        intruder.post(&room, "mine now", "m-1").await["code"],
        "room_not_granted"
    );
    intruder
        .send(json!({ "type": "typing", "room": room }))
        .await;
    assert_eq!(intruder.next_of("error").await["code"], "room_not_granted");
    for (operation, reply) in [
        ("room", app.room(&mallory.access, &room).await),
        ("history", app.history(&mallory.access, &room, "").await),
    ] {
        assert_eq!(
            reply.status,
            awc::http::StatusCode::NOT_FOUND,
            "{operation}"
        );
    }
    let alices = app.history(&alice.access, &room, "").await;
    assert_eq!(alices.body["messages"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn blocked_visitor_is_disconnected_and_refused_new_sessions() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "block@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "spam", "s-1").await;
    let blocked = app.block_visitor(&owner.access, &room).await;
    assert_eq!(blocked.status, awc::http::StatusCode::NO_CONTENT);
    let error = visitor.socket.next_of("error").await;
    assert_eq!(error["code"], "visitor_blocked");
    assert_eq!(
        visitor.socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4003)
    );
    let again = app
        .widget_session(key(&site), SHOP, Some(&visitor.session))
        .await;
    assert_eq!(again.status, awc::http::StatusCode::FORBIDDEN);
    assert_eq!(again.code(), "visitor_blocked");
}

#[actix_web::test]
async fn changing_the_password_closes_the_owners_sockets() {
    let app = TestApp::spawn().await;
    let (owner, _) = owner_with_site(&app, "pw@example.com").await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    let changed = app
        .change_password(&owner.access, &owner.password, "a new password")
        .await;
    assert_eq!(changed.status, awc::http::StatusCode::OK);
    assert_eq!(dashboard.next_of("error").await["code"], "session_revoked");
    assert_eq!(
        dashboard.closed(Duration::from_secs(2)).await,
        Closed::Code(4003)
    );
}

#[actix_web::test]
async fn widget_sessions_are_refused_for_disallowed_origins() {
    let app = TestApp::spawn().await;
    let (_, site) = owner_with_site(&app, "wso@example.com").await;
    let reply = app
        .widget_session(key(&site), "https://evil.example.com", None)
        .await;
    assert_eq!(reply.status, awc::http::StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "origin_not_allowed");
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let ok = app.widget_session(key(&site), SHOP, None).await;
    assert_eq!(ok.header("access-control-allow-origin"), Some(SHOP));
}
