use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::{Reply, TestApp};
use crate::realtime::SHOP;

async fn preflight(app: &TestApp, key: &str, origin: &str) -> Reply {
    let path = format!("/api/v1/widget/config?site_key={key}");
    app.preflight(&path, origin, &[("access-control-request-method", "GET")])
        .await
}

#[actix_web::test]
async fn allowed_origin_gets_the_config_with_cors_for_exactly_that_origin() {
    let app = TestApp::spawn().await;
    let owner = app.owner("w@example.com").await;
    let site = app
        .new_site(&owner, &["https://a.example.com", "https://b.example.com"])
        .await;
    let key = site["site_key"].as_str().unwrap();
    let reply = app.widget_config(key, Some("https://b.example.com")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://b.example.com")
    );
    assert_eq!(reply.header("vary"), Some("Origin"));
    assert_eq!(reply.body["site_id"], site["id"]);
    assert_eq!(reply.body["title"], "Chat with us");
    assert_eq!(reply.body["owner_online"], false);
}

#[actix_web::test]
async fn other_or_missing_origins_get_no_config_and_no_cors() {
    let app = TestApp::spawn().await;
    let owner = app.owner("w2@example.com").await;
    let site = app.new_site(&owner, &["https://a.example.com"]).await;
    let key = site["site_key"].as_str().unwrap();
    for origin in [
        Some("https://evil.example.com"),
        Some("https://a.example.com:444"),
        Some("http://a.example.com"),
        None,
    ] {
        let reply = app.widget_config(key, origin).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin:?}");
        assert_eq!(reply.code(), "origin_not_allowed");
        assert_eq!(reply.header("access-control-allow-origin"), None);
    }
    let unknown = app
        .widget_config("pk_unknown", Some("https://a.example.com"))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn widget_is_not_live_until_the_owner_verifies() {
    let app = TestApp::spawn().await;
    let token = app
        .verification_token("unverified@example.com", "correct horse")
        .await;
    let login = app.login("unverified@example.com", "correct horse").await;
    let access = login.body["access_token"].as_str().unwrap();
    let site = app
        .create_site(
            access,
            json!({ "name": "S", "allowed_origins": ["https://u.example.com"] }),
        )
        .await;
    assert_eq!(
        site.status,
        StatusCode::CREATED,
        "the dashboard works before verifying"
    );
    let key = site.body["site_key"].as_str().unwrap();
    let before = app.widget_config(key, Some("https://u.example.com")).await;
    assert_eq!(before.status, StatusCode::FORBIDDEN);
    assert_eq!(before.code(), "site_not_live");
    app.verify_email(&token).await;
    assert_eq!(
        app.widget_config(key, Some("https://u.example.com"))
            .await
            .status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn preflight_answers_only_for_an_allowed_origin() {
    let app = TestApp::spawn().await;
    let owner = app.owner("pf@example.com").await;
    let site = app.new_site(&owner, &["https://a.example.com"]).await;
    let key = site["site_key"].as_str().unwrap();
    let ok = preflight(&app, key, "https://a.example.com").await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://a.example.com")
    );
    assert!(
        ok.header("access-control-allow-methods")
            .unwrap()
            .contains("GET")
    );
    let refused = preflight(&app, key, "https://evil.example.com").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn a_wrong_visitor_secret_gets_a_new_visitor_never_the_conversation() {
    let app = TestApp::spawn().await;
    let owner = app.owner("secret@example.com").await;
    let site = app.new_site(&owner, &[SHOP]).await;
    let key = site["site_key"].as_str().unwrap();
    let first = app.widget_session(key, SHOP, None).await.body;
    let mut forged = first.clone();
    forged["visitor_secret"] = json!("not-the-secret");
    let other = app.widget_session(key, SHOP, Some(&forged)).await;
    assert_eq!(other.status, StatusCode::OK, "{:?}", other.body);
    assert_ne!(other.body["visitor_id"], first["visitor_id"]);
    assert_ne!(other.body["room"]["id"], first["room"]["id"]);
    // A new secret to keep, so the widget replaces the stale pair.
    assert!(
        other.body["visitor_secret"]
            .as_str()
            .is_some_and(|s| s.len() >= 43)
    );
    // The right secret still finds the first conversation.
    let back = app.widget_session(key, SHOP, Some(&first)).await.body;
    assert_eq!(back["room"]["id"], first["room"]["id"]);
    assert!(back.get("visitor_secret").is_none());
}
