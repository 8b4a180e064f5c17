//! Widget settings reach open widgets: one `settings` frame per save, to every visitor
//! socket of the site and no other.

use awc::http::StatusCode;
use serde_json::{Value, json};

use super::{SHOP, key, owner_with_site};
use crate::helpers::TestApp;
use crate::socket::Socket;

/// The next `settings` frame, skipping presence and the like.
async fn next_settings(socket: &mut Socket) -> Value {
    socket.next_of("settings").await
}

#[actix_web::test]
async fn saving_widget_settings_redraws_every_open_widget_of_the_site_once() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ann@example.com").await;
    let (other_owner, other_site) = owner_with_site(&app, "bob@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let mut first = app.visitor(key(&site), SHOP).await;
    let mut second = app.visitor(key(&site), SHOP).await;
    let mut elsewhere = app.visitor(key(&other_site), SHOP).await;

    // A save that names no widget setting redraws nothing: the next frame the widgets
    // get is the later save's.
    let renamed = app
        .update_site(&owner.access, site_id, json!({ "name": "Renamed shop" }))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let saved = app
        .update_site(
            &owner.access,
            site_id,
            json!({ "widget": { "title": "Ask Ann", "accent_color": "#0F766E", "position": "left" } }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);

    let config = app.widget_config(key(&site), Some(SHOP)).await.body;
    for visitor in [&mut first, &mut second] {
        let frame = next_settings(&mut visitor.socket).await;
        assert_eq!(frame["site"], site_id);
        assert_eq!(frame["widget"], saved.body["widget"], "the whole new set");
        assert_eq!(frame["widget"]["title"], "Ask Ann");
        assert_eq!(frame["widget"]["accent_color"], "#0f766e");
        assert_eq!(frame["widget"]["position"], "left");
        for (field, value) in frame["widget"].as_object().unwrap() {
            assert_eq!(
                &config[field], value,
                "what /widget/config answers now: {field}"
            );
        }
    }

    // One frame per save: the next one the widgets get is the next save's.
    app.update_site(
        &owner.access,
        site_id,
        json!({ "widget": { "greeting": "Hello again" } }),
    )
    .await;
    let next = next_settings(&mut first.socket).await;
    assert_eq!(
        (
            next["widget"]["greeting"].as_str(),
            next["widget"]["title"].as_str()
        ),
        (Some("Hello again"), Some("Ask Ann"))
    );

    // Another site's widget hears only its own site's saves.
    app.update_site(
        &other_owner.access,
        other_site["id"].as_str().unwrap(),
        json!({ "widget": { "title": "Bob's" } }),
    )
    .await;
    let theirs = next_settings(&mut elsewhere.socket).await;
    assert_eq!(
        (theirs["site"].as_str(), theirs["widget"]["title"].as_str()),
        (other_site["id"].as_str(), Some("Bob's"))
    );
}

#[actix_web::test]
async fn a_refused_settings_change_redraws_nothing() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "ann@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let mut visitor = app.visitor(key(&site), SHOP).await;

    let refused = app
        .update_site(
            &owner.access,
            site_id,
            json!({ "widget": { "title": "Fine", "accent_color": "teal" } }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.code(), "invalid_field");
    app.update_site(
        &owner.access,
        site_id,
        json!({ "widget": { "title": "Later" } }),
    )
    .await;
    let frame = next_settings(&mut visitor.socket).await;
    assert_eq!(frame["widget"]["title"], "Later", "{frame}");
    assert_eq!(frame["widget"]["accent_color"], "#4f46e5");
}
