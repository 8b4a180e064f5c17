use std::time::Duration;

use awc::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pintalk_core::clock::now_secs;
use pintalk_core::ids::SessionId;
use pintalk_core::token::{AccessGrant, Audience, Grant, Signer, generate_private_pem};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::helpers::{Owner, TestApp};

/// Claims of the owner's access token, for re-signing them in variations.
fn access_claims(app: &TestApp, token: &str) -> serde_json::Value {
    let signer = Signer::new(&app.settings.auth.issuer, &app.signing_pem, &[]).unwrap();
    let claims = signer.verifier().verify::<AccessGrant>(token).unwrap();
    json!({ "iss": claims.iss, "aud": claims.aud, "sub": claims.sub, "iat": claims.iat,
            "exp": claims.exp, "sid": claims.grant.sid })
}

/// Signs arbitrary claims with the app's own key and kid.
fn sign_raw(app: &TestApp, token_for_kid: &str, claims: &serde_json::Value) -> String {
    let kid = jsonwebtoken::decode_header(token_for_kid).unwrap().kid;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = kid;
    let key = jsonwebtoken::EncodingKey::from_ed_pem(app.signing_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

async fn refused(app: &TestApp, token: &str) {
    let reply = app.me(token).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token}");
    assert_eq!(reply.code(), "invalid_token");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

async fn owner(app: &TestApp) -> Owner {
    app.owner("tokens@example.com").await
}

#[actix_web::test]
async fn missing_token_is_refused() {
    let app = TestApp::spawn().await;
    let reply = app.call("GET", "/api/v1/me", None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "missing_token");
    refused(&app, "not.a.jwt").await;
}

#[actix_web::test]
async fn expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let owner = owner(&app).await;
    let mut claims = access_claims(&app, &owner.access);
    claims["iat"] = json!(now_secs() - 7200);
    claims["exp"] = json!(now_secs() - 3600);
    refused(&app, &sign_raw(&app, &owner.access, &claims)).await;
    // The same claims, unexpired, pass: the test refuses for the right reason.
    claims["exp"] = json!(now_secs() + 600);
    let ok = app.me(&sign_raw(&app, &owner.access, &claims)).await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[actix_web::test]
async fn token_signed_by_another_key_is_refused() {
    let app = TestApp::spawn().await;
    let owner = owner(&app).await;
    let claims = access_claims(&app, &owner.access);
    let other = Signer::new(
        &app.settings.auth.issuer,
        &generate_private_pem().unwrap(),
        &[],
    )
    .unwrap();
    let sid: SessionId = serde_json::from_value(claims["sid"].clone()).unwrap();
    let forged = other
        .sign(
            claims["sub"].as_str().unwrap(),
            Duration::from_secs(600),
            AccessGrant { sid },
        )
        .unwrap();
    refused(&app, &forged).await;
    // Even carrying the app's own kid, the signature does not verify.
    let mut parts: Vec<String> = forged.split('.').map(str::to_owned).collect();
    parts[0] = owner.access.split('.').next().unwrap().to_owned();
    refused(&app, &parts.join(".")).await;
}

#[derive(Serialize, Deserialize)]
struct GatewayGrant {
    sid: SessionId,
}
impl Grant for GatewayGrant {
    const AUDIENCE: Audience = Audience::Gateway;
}

#[actix_web::test]
async fn token_of_another_audience_is_refused() {
    let app = TestApp::spawn().await;
    let owner = owner(&app).await;
    let claims = access_claims(&app, &owner.access);
    let signer = Signer::new(&app.settings.auth.issuer, &app.signing_pem, &[]).unwrap();
    let sid: SessionId = serde_json::from_value(claims["sid"].clone()).unwrap();
    let gateway = signer
        .sign(
            claims["sub"].as_str().unwrap(),
            Duration::from_secs(600),
            GatewayGrant { sid },
        )
        .unwrap();
    refused(&app, &gateway).await;
}

#[actix_web::test]
async fn alg_none_token_is_refused() {
    let app = TestApp::spawn().await;
    let owner = owner(&app).await;
    let claims = access_claims(&app, &owner.access);
    let kid = jsonwebtoken::decode_header(&owner.access)
        .unwrap()
        .kid
        .unwrap();
    let header = json!({ "alg": "none", "typ": "JWT", "kid": kid });
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    refused(&app, &none).await;
}

#[actix_web::test]
async fn refresh_rotates_and_a_reused_refresh_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    let owner = owner(&app).await;
    let first = app.refresh(&owner.refresh).await;
    assert_eq!(first.status, StatusCode::OK);
    let new_refresh = first.body["refresh_token"].as_str().unwrap().to_owned();
    let new_access = first.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, owner.refresh);
    assert_eq!(app.me(&new_access).await.status, StatusCode::OK);

    // The old token again: theft detected, the whole family dies.
    let reused = app.refresh(&owner.refresh).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reused.code(), "refresh_token_reused");
    let after = app.refresh(&new_refresh).await;
    assert_eq!(after.code(), "invalid_refresh_token");
    refused(&app, &new_access).await;
}

#[actix_web::test]
async fn unknown_refresh_token_is_refused() {
    let app = TestApp::spawn().await;
    let reply = app.refresh("nope").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "invalid_refresh_token");
}

#[actix_web::test]
async fn logout_ends_this_session_only_and_logout_all_ends_every_one() {
    let app = TestApp::spawn().await;
    let owner = owner(&app).await;
    let second = app.login(&owner.email, &owner.password).await;
    let second_access = second.body["access_token"].as_str().unwrap().to_owned();
    let third = app.login(&owner.email, &owner.password).await;
    let third_access = third.body["access_token"].as_str().unwrap().to_owned();

    let out = app.logout(&owner.access).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    refused(&app, &owner.access).await;
    let refresh = app.refresh(&owner.refresh).await;
    assert_eq!(refresh.code(), "invalid_refresh_token");
    assert_eq!(app.me(&second_access).await.status, StatusCode::OK);

    let all = app.logout_all(&second_access).await;
    assert_eq!(all.status, StatusCode::NO_CONTENT);
    refused(&app, &second_access).await;
    refused(&app, &third_access).await;
}
