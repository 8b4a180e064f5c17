//! Who the visitor is: the widget's reports of page, referrer, language, time zone and
//! screen, the parsed user agent and the visit count, live to the dashboard and on the
//! room, checked and bounded.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::realtime::{SHOP, key, owner_with_site};

const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                      (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

fn page(path: &str, title: &str) -> Value {
    json!({
        "url": format!("{SHOP}{path}"),
        "title": title,
        "referrer": "https://www.google.com/search?q=shoes",
        "language": "ko-KR",
        "time_zone": "Asia/Seoul",
        "screen": { "width": 1440, "height": 900 },
    })
}

#[actix_web::test]
async fn the_widget_reports_where_the_visitor_is_and_the_dashboard_hears_it_live() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "context@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "hello", "a").await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    assert_eq!(
        app.room(&owner.access, &room).await.body["visitor"]["context"],
        Value::Null
    );

    let reported = app
        .report_context(&visitor.token(), &room, CHROME, page("/cart", "Your cart"))
        .await;
    assert_eq!(reported.status, StatusCode::OK, "{:?}", reported.body);
    assert_eq!(
        reported
            .headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(SHOP)
    );
    let context = &reported.body;
    assert_eq!(context["url"], format!("{SHOP}/cart"));
    assert_eq!(context["title"], "Your cart");
    assert_eq!(context["referrer"], "https://www.google.com/search?q=shoes");
    assert_eq!(
        (&context["language"], &context["time_zone"]),
        (&json!("ko-KR"), &json!("Asia/Seoul"))
    );
    assert_eq!(context["screen"], json!({ "width": 1440, "height": 900 }));
    assert_eq!(
        (&context["browser"], &context["browser_version"]),
        (&json!("Chrome"), &json!("120.0.0.0"))
    );
    assert_eq!(
        (&context["os"], &context["device"]),
        (&json!("Mac OSX"), &json!("pc"))
    );
    assert_eq!(context["visits"], 1);
    let frame = dashboard.next_of("visitor").await;
    assert_eq!(
        (&frame["room"], &frame["site"]),
        (&json!(room), &site["id"])
    );
    assert_eq!(frame["context"]["url"], format!("{SHOP}/cart"));

    // A navigation (an SPA's pushState): the new page replaces the old, same visit.
    let moved = app
        .report_context(
            &visitor.token(),
            &room,
            CHROME,
            json!({ "url": format!("{SHOP}/checkout#pay") }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["visits"], 1);
    assert_eq!(moved.body["title"], Value::Null);
    assert_eq!(
        dashboard.next_of("visitor").await["context"]["url"],
        format!("{SHOP}/checkout#pay")
    );
    let view = app.room(&owner.access, &room).await.body;
    assert_eq!(
        view["visitor"]["context"]["url"],
        format!("{SHOP}/checkout#pay")
    );
    assert_eq!(view["visitor"]["context"]["browser"], "Chrome");
    // An unknown user agent is no browser, not a guess.
    let odd = app
        .report_context(&visitor.token(), &room, "curl-ish/1", page("/", "Home"))
        .await;
    assert_eq!(odd.body["browser"], Value::Null);
    // It is in the visitor's export.
    let export = app.export_visitor(&owner.access, &room).await;
    assert_eq!(export.body["visitor"]["context"]["url"], format!("{SHOP}/"));
}

#[actix_web::test]
async fn a_report_out_of_bounds_or_not_the_visitors_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "context-bad@example.com").await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let token = visitor.token();
    let long_path = format!("/{}", "a".repeat(2048));
    for (bad, field) in [
        (json!({ "url": "https://elsewhere.example.com/" }), "url"),
        (json!({ "url": "javascript:alert(1)" }), "url"),
        (json!({ "url": format!("{SHOP}{long_path}") }), "url"),
        (json!({ "url": SHOP, "title": "x".repeat(301) }), "title"),
        (json!({ "url": SHOP, "title": "tab\u{7}" }), "title"),
        (
            json!({ "url": SHOP, "referrer": "ftp://files.example.com/" }),
            "referrer",
        ),
        (json!({ "url": SHOP, "language": "ko KR" }), "language"),
        (
            json!({ "url": SHOP, "time_zone": "Asia/Seoul<script>" }),
            "time_zone",
        ),
        (
            json!({ "url": SHOP, "screen": { "width": 0, "height": 10 } }),
            "screen",
        ),
        (
            json!({ "url": SHOP, "screen": { "width": 10, "height": 100_001 } }),
            "screen",
        ),
    ] {
        let refused = app.report_context(&token, &room, CHROME, bad.clone()).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "invalid_field"),
            "{bad}"
        );
        assert!(
            refused.body["message"].as_str().unwrap().starts_with(field),
            "{bad}: {:?}",
            refused.body
        );
    }
    let unknown = app
        .report_context(
            &token,
            &room,
            CHROME,
            json!({ "url": SHOP, "ip": "1.2.3.4" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let longest = app
        .report_context(
            &token,
            &room,
            CHROME,
            json!({ "url": SHOP, "title": "가".repeat(300) }),
        )
        .await;
    assert_eq!(longest.status, StatusCode::OK, "{:?}", longest.body);

    let by_owner = app
        .report_context(&owner.access, &room, CHROME, json!({ "url": SHOP }))
        .await;
    assert_eq!(
        (by_owner.status, by_owner.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let other = app.visitor(key(&site), SHOP).await;
    let elsewhere = app
        .report_context(&other.token(), &room, CHROME, json!({ "url": SHOP }))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}
