use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn site_lifecycle_create_list_get_update_delete() {
    let app = TestApp::spawn().await;
    let owner = app.owner("sites@example.com").await;
    let site = app
        .site(
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

    let list = app.get_auth("/api/v1/sites", &owner.access).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    let updated = app
        .call(
            "PATCH",
            &format!("/api/v1/sites/{id}"),
            Some(&owner.access),
            Some(json!({
                "name": "Shop 2",
                "allowed_origins": ["https://new.example.com"],
                "widget": { "title": "Talk to us", "accent_color": "#FF0000", "position": "left",
                            "language": "ko", "show_owner_status": false }
            })),
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

    let fetched = app
        .get_auth(&format!("/api/v1/sites/{id}"), &owner.access)
        .await;
    assert_eq!(fetched.body, updated.body);

    let deleted = app
        .call(
            "DELETE",
            &format!("/api/v1/sites/{id}"),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app
        .get_auth(&format!("/api/v1/sites/{id}"), &owner.access)
        .await;
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
            .call(
                "POST",
                "/api/v1/sites",
                Some(&owner.access),
                Some(json!({ "name": "S", "allowed_origins": [bad] })),
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
            .call(
                "POST",
                "/api/v1/sites",
                Some(&owner.access),
                Some(json!({ "name": "S", "widget": widget })),
            )
            .await;
        assert_eq!(reply.code(), "invalid_field", "{widget}");
    }
    let reply = app
        .call(
            "POST",
            "/api/v1/sites",
            Some(&owner.access),
            Some(json!({ "name": "S", "widget": { "position": "top" } })),
        )
        .await;
    assert_eq!(reply.code(), "invalid_json");
}

#[actix_web::test]
async fn another_owners_site_is_not_found_for_every_operation() {
    let app = TestApp::spawn().await;
    let alice = app.owner("alice@example.com").await;
    let mallory = app.owner("mallory@example.com").await;
    let site = app.site(&alice, &["https://alice.example.com"]).await;
    let path = format!("/api/v1/sites/{}", site["id"].as_str().unwrap());
    for (method, path, body) in [
        ("GET", path.clone(), None),
        ("PATCH", path.clone(), Some(json!({ "name": "mine now" }))),
        ("POST", format!("{path}/key"), None),
        ("DELETE", path.clone(), None),
    ] {
        let reply = app.call(method, &path, Some(&mallory.access), body).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(reply.code(), "not_found");
    }
    assert!(
        app.get_auth("/api/v1/sites", &mallory.access)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    let still = app.get_auth(&path, &alice.access).await;
    assert_eq!(still.body["name"], "Shop");
    assert_eq!(still.body["site_key"], site["site_key"]);
}

#[actix_web::test]
async fn rotating_the_key_retires_the_old_one() {
    let app = TestApp::spawn().await;
    let owner = app.owner("rotate@example.com").await;
    let site = app.site(&owner, &["https://r.example.com"]).await;
    let rotated = app
        .call(
            "POST",
            &format!("/api/v1/sites/{}/key", site["id"].as_str().unwrap()),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert_ne!(rotated.body["site_key"], site["site_key"]);
    let config = |key: String| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(app.url(&format!("/api/v1/widget/config?site_key={key}")))
                .insert_header(("origin", "https://r.example.com"))
                .send()
                .await
                .unwrap();
            TestApp::reply(res).await.status
        }
    };
    assert_eq!(
        config(site["site_key"].as_str().unwrap().to_owned()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        config(rotated.body["site_key"].as_str().unwrap().to_owned()).await,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn sites_per_owner_are_bounded() {
    let app = TestApp::spawn_with(|s| s.limits.sites_per_owner = 1).await;
    let owner = app.owner("many@example.com").await;
    app.site(&owner, &[]).await;
    let reply = app
        .call(
            "POST",
            "/api/v1/sites",
            Some(&owner.access),
            Some(json!({ "name": "Second" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}
