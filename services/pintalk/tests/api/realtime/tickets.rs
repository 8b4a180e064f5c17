//! Socket tickets and the sessions they come from: a ticket opens one socket, none once
//! its session has ended, and ending a session closes exactly that session's sockets.

use std::time::Duration;

use awc::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pintalk_core::clock::now_secs;
use pintalk_core::token::LEEWAY_SECS;
use serde_json::{Value, json};

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;
use crate::socket::{Closed, Socket};

/// `ticket` refused at `auth` the way a stale ticket is: `invalid_token`, then 4001.
async fn stale(app: &TestApp, ticket: &Value) {
    let mut socket = app.dashboard_socket(ticket).await;
    assert_eq!(
        socket.auth_refused(ticket["token"].as_str().unwrap()).await,
        ("invalid_token".to_owned(), Closed::Code(4001))
    );
}

/// The socket is still open and served: a `ping` is answered.
async fn still_open(socket: &mut Socket) {
    socket.send(json!({ "type": "ping" })).await;
    assert_eq!(socket.next_of("pong").await["type"], "pong");
}

async fn revoked(socket: &mut Socket) {
    assert_eq!(socket.next_of("error").await["code"], "session_revoked");
    assert_eq!(
        socket.closed(Duration::from_secs(2)).await,
        Closed::Code(4003)
    );
}

fn access(login: &crate::helpers::Reply) -> String {
    login.body["access_token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn logout_closes_that_sessions_sockets_and_refuses_its_tickets_only() {
    let app = TestApp::spawn().await;
    let (a, _) = owner_with_site(&app, "two@example.com").await;
    let b = access(&app.login(&a.email, &a.password).await);
    let mut a_socket = app.owner_socket(&a.access).await;
    let mut b_socket = app.owner_socket(&b).await;
    let a_ticket = app.owner_ticket(&a.access).await;
    let b_ticket = app.owner_ticket(&b).await;

    let out = app.logout(&a.access).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    revoked(&mut a_socket).await;
    stale(&app, &a_ticket).await;
    // Session B is untouched: its socket stays, its ticket opens one.
    still_open(&mut b_socket).await;
    app.dashboard_socket(&b_ticket)
        .await
        .auth(b_ticket["token"].as_str().unwrap(), json!({}))
        .await;
}

#[actix_web::test]
async fn reused_refresh_token_closes_the_sessions_sockets() {
    let app = TestApp::spawn().await;
    let (owner, _) = owner_with_site(&app, "reuse@example.com").await;
    let other = access(&app.login(&owner.email, &owner.password).await);
    let mut first = app.owner_socket(&owner.access).await;
    let rotated = app.refresh(&owner.refresh).await;
    assert_eq!(rotated.status, StatusCode::OK);
    // The same session after its rotation: a second socket of the family.
    let mut second = app.owner_socket(&access(&rotated)).await;
    let mut elsewhere = app.owner_socket(&other).await;

    let reused = app.refresh(&owner.refresh).await;
    assert_eq!(reused.code(), "refresh_token_reused");
    revoked(&mut first).await;
    revoked(&mut second).await;
    still_open(&mut elsewhere).await;
}

#[actix_web::test]
async fn ticket_minted_before_logout_all_is_refused() {
    let app = TestApp::spawn().await;
    let (owner, _) = owner_with_site(&app, "all@example.com").await;
    let other = access(&app.login(&owner.email, &owner.password).await);
    let tickets = [
        app.owner_ticket(&owner.access).await,
        app.owner_ticket(&other).await,
    ];
    let all = app.logout_all(&other).await;
    assert_eq!(all.status, StatusCode::NO_CONTENT);
    for ticket in &tickets {
        stale(&app, ticket).await;
    }
}

#[actix_web::test]
async fn ticket_minted_before_a_password_change_is_refused_one_after_is_not() {
    let app = TestApp::spawn().await;
    let (owner, _) = owner_with_site(&app, "pwt@example.com").await;
    let before = app.owner_ticket(&owner.access).await;
    let changed = app
        .change_password(&owner.access, &owner.password, "a new password")
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    stale(&app, &before).await;
    // The fresh pair's session is a new one: its tickets work.
    app.owner_socket(&access(&changed)).await;
}

#[actix_web::test]
async fn ticket_minted_before_a_password_reset_is_refused() {
    let app = TestApp::spawn().await;
    let (owner, _) = owner_with_site(&app, "rst@example.com").await;
    let before = app.owner_ticket(&owner.access).await;
    app.forgot_password(&owner.email).await;
    let token = crate::smtp::link_token(
        &app.mail
            .wait_for(&owner.email, "Reset your PinTalk password", 1)
            .await,
    );
    let reset = app.reset_password(&token, "brand new secret").await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    stale(&app, &before).await;
}

#[actix_web::test]
async fn a_ticket_opens_one_socket_owner_and_visitor_alike() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "once@example.com").await;
    let ticket = app.owner_ticket(&owner.access).await;
    let token = ticket["token"].as_str().unwrap();
    let mut first = app.dashboard_socket(&ticket).await;
    first.auth(token, json!({})).await;
    stale(&app, &ticket).await;
    still_open(&mut first).await;

    let session = app.widget_session(key(&site), SHOP, None).await.body;
    let url = session["gateway_url"].as_str().unwrap();
    let token = session["token"].as_str().unwrap();
    Socket::open(url, SHOP).await.auth(token, json!({})).await;
    assert_eq!(
        Socket::open(url, SHOP).await.auth_refused(token).await,
        ("invalid_token".to_owned(), Closed::Code(4001))
    );
}

/// `token`'s claims re-signed with the app's key, `exp` `offset` seconds from now and a
/// fresh `jti`.
fn expiring(app: &TestApp, token: &str, offset: i64) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let now = now_secs();
    claims["iat"] = json!(now - 600);
    claims["exp"] = json!(now + offset);
    claims["jti"] = json!(format!("{}-late{offset}", claims["jti"].as_str().unwrap()));
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = jsonwebtoken::decode_header(token).unwrap().kid;
    let key = jsonwebtoken::EncodingKey::from_ed_pem(app.signing_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

#[actix_web::test]
async fn tickets_and_history_tokens_are_accepted_within_the_leeway_and_not_after() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "leeway@example.com").await;
    let session = app.widget_session(key(&site), SHOP, None).await.body;
    let token = session["token"].as_str().unwrap();
    let url = session["gateway_url"].as_str().unwrap();
    let room = session["room"]["id"].as_str().unwrap();
    let ticket = app.owner_ticket(&owner.access).await;
    let owner_token = ticket["token"].as_str().unwrap();
    let leeway = i64::try_from(LEEWAY_SECS).unwrap();

    // exp + leeway + 1 s ago: refused, at the gateway and over HTTP.
    let late = expiring(&app, token, -leeway - 1);
    assert_eq!(
        Socket::open(url, SHOP).await.auth_refused(&late).await,
        ("invalid_token".to_owned(), Closed::Code(4001))
    );
    let reply = app.history(&late, room, "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let late = expiring(&app, owner_token, -leeway - 1);
    assert_eq!(
        app.dashboard_socket(&ticket)
            .await
            .auth_refused(&late)
            .await,
        ("invalid_token".to_owned(), Closed::Code(4001))
    );

    // Expired, but two seconds inside the leeway: accepted by both.
    let lenient = expiring(&app, token, -leeway + 2);
    Socket::open(url, SHOP)
        .await
        .auth(&lenient, json!({}))
        .await;
    let reply = app.history(&lenient, room, "").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let lenient = expiring(&app, owner_token, -leeway + 2);
    app.dashboard_socket(&ticket)
        .await
        .auth(&lenient, json!({}))
        .await;
}
