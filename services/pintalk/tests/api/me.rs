use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn profile_fields_update_and_null_clears_them() {
    let app = TestApp::spawn().await;
    let owner = app.owner("me@example.com").await;
    let set = app
        .update_me(&owner.access, json!({
            "name": "Ann Lee", "company": "Lee & Co", "avatar_url": "https://img.example.com/a.png"
        }))
        .await;
    assert_eq!(set.status, StatusCode::OK);
    assert_eq!(set.body["name"], "Ann Lee");
    assert_eq!(set.body["company"], "Lee & Co");
    assert_eq!(set.body["avatar_url"], "https://img.example.com/a.png");

    let cleared = app
        .update_me(&owner.access, json!({ "company": null }))
        .await;
    assert_eq!(cleared.body["company"], serde_json::Value::Null);
    assert_eq!(cleared.body["name"], "Ann Lee", "absent fields stay");

    let bad = app
        .update_me(
            &owner.access,
            json!({ "avatar_url": "javascript:alert(1)" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "invalid_field");
}

#[actix_web::test]
async fn deleting_the_account_removes_its_sites_and_ends_its_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.owner("gone@example.com").await;
    let site = app.new_site(&owner, &["https://gone.example.com"]).await;
    let deleted = app.delete_me(&owner.access).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me(&owner.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login(&owner.email, &owner.password).await.code(),
        "invalid_credentials"
    );
    let widget = app
        .widget_config(
            site["site_key"].as_str().unwrap(),
            Some("https://gone.example.com"),
        )
        .await;
    assert_eq!(widget.status, StatusCode::NOT_FOUND);
    // The address is free again.
    app.verification_token("gone@example.com", "correct horse")
        .await;
}

#[actix_web::test]
async fn the_dashboard_language_is_kept_per_owner_and_starts_as_english() {
    let app = TestApp::spawn().await;
    let owner = app.owner("lang@example.com").await;
    assert_eq!(app.me(&owner.access).await.body["language"], "en");

    let set = app
        .update_me(&owner.access, json!({ "language": "ko" }))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(set.body["language"], "ko");
    assert_eq!(set.body["name"], "Test Owner", "absent fields stay");
    // Another device: a new login reads the same choice.
    let login = app.login(&owner.email, &owner.password).await;
    let elsewhere = login.body["access_token"].as_str().unwrap();
    assert_eq!(app.me(elsewhere).await.body["language"], "ko");

    for bad in [json!("fr"), json!("KO"), json!(1)] {
        let refused = app
            .update_me(&owner.access, json!({ "language": bad }))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(refused.code(), "invalid_json", "{bad}");
    }
    assert_eq!(app.me(&owner.access).await.body["language"], "ko");
}

#[actix_web::test]
async fn a_sign_up_keeps_the_language_its_page_was_shown_in() {
    let app = TestApp::spawn().await;
    let fields = |email: &str, language: serde_json::Value| json!({ "email": email, "password": "correct horse battery", "name": "Min", "language": language });
    let korean = app
        .signup_with(fields("min@example.com", json!("ko")))
        .await;
    assert_eq!(korean.status, StatusCode::CREATED, "{:?}", korean.body);
    assert_eq!(korean.body["language"], "ko");
    let refused = app.signup_with(fields("jo@example.com", json!("xx"))).await;
    assert_eq!(refused.code(), "invalid_json");
}
