use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[actix_web::test]
async fn site_lifecycle_create_list_get_update_delete() {
    let app = TestApp::spawn().await;
    let owner = app.owner("sites@example.com").await;
    let site = app
        .new_site(
            &owner,
            &["https://shop.example.com", "http://localhost:3000"],
        )
        .await;
    let id = site["id"].as_str().unwrap();
    assert!(site["site_key"].as_str().unwrap().starts_with("pk_"));
    assert_eq!(
        site["allowed_origins"],
        json!(["https://shop.example.com", "http://localhost:3000"])
    );
    assert_eq!(site["widget"]["position"], "right");
    assert!(
        site["snippet"]
            .as_str()
            .unwrap()
            .contains(site["site_key"].as_str().unwrap())
    );

    let list = app.sites(&owner.access).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    let updated = app
        .update_site(
            &owner.access,
            id,
            json!({
                "name": "Shop 2",
                "allowed_origins": ["https://new.example.com"],
                "widget": { "title": "Talk to us", "accent_color": "#FF0000", "position": "left",
                            "language": "ko", "show_owner_status": false }
            }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(updated.body["name"], "Shop 2");
    assert_eq!(
        updated.body["allowed_origins"],
        json!(["https://new.example.com"])
    );
    assert_eq!(updated.body["widget"]["accent_color"], "#ff0000");
    assert_eq!(updated.body["widget"]["language"], "ko");
    assert_eq!(
        updated.body["widget"]["greeting"], site["widget"]["greeting"],
        "absent fields stay"
    );

    let fetched = app.site(&owner.access, id).await;
    assert_eq!(fetched.body, updated.body);

    let deleted = app.delete_site(&owner.access, id).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.site(&owner.access, id).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn origins_must_be_exact_scheme_host_port() {
    let app = TestApp::spawn().await;
    let owner = app.owner("origins@example.com").await;
    for bad in [
        "shop.example.com",
        "https://shop.example.com/",
        "https://shop.example.com/x",
        "*",
    ] {
        let reply = app
            .create_site(
                &owner.access,
                json!({ "name": "S", "allowed_origins": [bad] }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.code(), "invalid_origin", "{bad}");
    }
}

#[actix_web::test]
async fn widget_settings_are_validated() {
    let app = TestApp::spawn().await;
    let owner = app.owner("widgetset@example.com").await;
    for widget in [
        json!({ "accent_color": "red" }),
        json!({ "title": "" }),
        json!({ "title": "x".repeat(61) }),
        json!({ "greeting": "x".repeat(501) }),
    ] {
        let reply = app
            .create_site(&owner.access, json!({ "name": "S", "widget": widget }))
            .await;
        assert_eq!(reply.code(), "invalid_field", "{widget}");
    }
    let reply = app
        .create_site(
            &owner.access,
            json!({ "name": "S", "widget": { "position": "top" } }),
        )
        .await;
    assert_eq!(reply.code(), "invalid_json");
}

#[actix_web::test]
async fn another_owners_site_is_not_found_for_every_operation() {
    let app = TestApp::spawn().await;
    let alice = app.owner("alice@example.com").await;
    let mallory = app.owner("mallory@example.com").await;
    let site = app.new_site(&alice, &["https://alice.example.com"]).await;
    let id = site["id"].as_str().unwrap();
    let access = &mallory.access;
    for (operation, reply) in [
        ("site", app.site(access, id).await),
        (
            "update_site",
            app.update_site(access, id, json!({ "name": "mine now" }))
                .await,
        ),
        ("rotate_site_key", app.rotate_site_key(access, id).await),
        ("delete_site", app.delete_site(access, id).await),
    ] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{operation}");
        assert_eq!(reply.code(), "not_found");
    }
    assert!(
        app.sites(&mallory.access)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    let still = app.site(&alice.access, id).await;
    assert_eq!(still.body["name"], "Shop");
    assert_eq!(still.body["site_key"], site["site_key"]);
}

#[actix_web::test]
async fn rotating_the_key_retires_the_old_one() {
    let app = TestApp::spawn().await;
    let owner = app.owner("rotate@example.com").await;
    let site = app.new_site(&owner, &["https://r.example.com"]).await;
    let rotated = app
        .rotate_site_key(&owner.access, site["id"].as_str().unwrap())
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert_ne!(rotated.body["site_key"], site["site_key"]);
    let config = async |key: &Value| {
        app.widget_config(key.as_str().unwrap(), Some("https://r.example.com"))
            .await
            .status
    };
    assert_eq!(config(&site["site_key"]).await, StatusCode::NOT_FOUND);
    assert_eq!(config(&rotated.body["site_key"]).await, StatusCode::OK);
}

#[actix_web::test]
async fn sites_per_owner_are_bounded() {
    let app = TestApp::spawn_with(|s| s.limits.sites_per_owner = 1).await;
    let owner = app.owner("many@example.com").await;
    app.new_site(&owner, &[]).await;
    let reply = app
        .create_site(&owner.access, json!({ "name": "Second" }))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}
