//! A transcript downloads under a name that says whose conversation it is.

use awc::http::StatusCode;
use pintalk_core::clock::{now_ms, rfc3339};
use serde_json::json;

use super::{SHOP, key, owner_with_site};
use crate::helpers::{Reply, TestApp};

fn today() -> String {
    rfc3339(now_ms())[..10].to_owned()
}

fn disposition(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.header("content-disposition").unwrap().to_owned()
}

#[actix_web::test]
async fn a_transcript_is_named_after_the_site_the_visitor_and_the_day() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "names@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    app.update_site(&owner.access, site_id, json!({ "name": "Corner Shop" }))
        .await;
    let start = app
        .widget_session_with(key(&site), SHOP, json!({ "name": "Ann O'Neil" }))
        .await;
    let room = start.body["room"]["id"].as_str().unwrap();

    let day = today();
    let text = disposition(&app.transcript(&owner.access, room, "").await);
    assert_eq!(
        text,
        format!(
            "attachment; filename=\"pintalk-corner-shop-ann-o-neil-{day}.txt\"; \
             filename*=UTF-8''pintalk-corner-shop-ann-o-neil-{day}.txt"
        )
    );
    let json = disposition(&app.transcript(&owner.access, room, "format=json").await);
    assert!(
        json.contains(&format!(
            "filename=\"pintalk-corner-shop-ann-o-neil-{day}.json\""
        )),
        "{json}"
    );
}

#[actix_web::test]
async fn korean_names_are_kept_in_the_utf8_name_and_an_ascii_name_stands_beside_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner("ko@example.com").await;
    let site = app
        .create_site(
            &owner.access,
            json!({ "name": "동네 가게", "allowed_origins": [SHOP] }),
        )
        .await
        .body;
    let start = app
        .widget_session_with(key(&site), SHOP, json!({ "name": "김민수" }))
        .await;
    let room = start.body["room"]["id"].as_str().unwrap();
    let visitor = start.body["visitor_id"].as_str().unwrap().replace('-', "");
    let tag = &visitor[visitor.len() - 4..];

    let day = today();
    let header = disposition(&app.transcript(&owner.access, room, "").await);
    assert!(
        header.starts_with(&format!(
            "attachment; filename=\"pintalk-site-visitor-{tag}-{day}.txt\"; filename*=UTF-8''"
        )),
        "{header}"
    );
    let encoded = header.split("UTF-8''").nth(1).unwrap();
    assert_eq!(
        encoded,
        format!(
            "pintalk-%EB%8F%99%EB%84%A4-%EA%B0%80%EA%B2%8C-%EA%B9%80%EB%AF%BC%EC%88%98-{day}.txt"
        )
    );
}

#[actix_web::test]
async fn a_visitor_without_a_name_is_named_by_the_end_of_their_id_and_long_names_are_cut() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "anon@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    app.update_site(&owner.access, site_id, json!({ "name": "x".repeat(100) }))
        .await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let id = visitor.session["visitor_id"]
        .as_str()
        .unwrap()
        .replace('-', "");
    let tag = &id[id.len() - 4..];

    let header = disposition(&app.transcript(&owner.access, &room, "").await);
    let name = format!("pintalk-{}-visitor-{tag}-{}.txt", "x".repeat(40), today());
    assert!(header.contains(&format!("filename=\"{name}\"")), "{header}");
}
