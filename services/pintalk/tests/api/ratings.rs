//! CSAT: the visitor rates a closed conversation; the owner sees it live, on the room and
//! in the site's averages, overall and per assignee.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};

impl TestApp {
    pub async fn rate(&self, token: &str, room: &str, rating: Value) -> Reply {
        let path = format!("/api/v1/rooms/{room}/rating");
        self.call("PUT", &path, Some(token), Some(rating)).await
    }

    pub async fn site_ratings(&self, token: &str, site: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/ratings");
        self.call("GET", &path, Some(token), None).await
    }

    async fn close(&self, access: &str, room: &str) {
        let closed = self
            .update_room(access, room, json!({ "status": "closed" }))
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    }
}

#[actix_web::test]
async fn a_closed_conversation_is_rated_by_its_visitor_and_averaged_per_site_and_assignee() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "csat@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let me = app.me(&owner.access).await.body["id"].clone();
    let mut helped = app.visitor(key(&site), SHOP).await;
    let mut other = app.visitor(key(&site), SHOP).await;
    let (room, unassigned) = (helped.room(), other.room());
    helped.socket.post(&room, "help", "a").await;
    other.socket.post(&unassigned, "hi", "b").await;
    let mut dashboard = app.owner_socket(&owner.access).await;

    // Open: not yet.
    let early = app
        .rate(&helped.token(), &room, json!({ "score": 5 }))
        .await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "conversation_open")
    );
    let assigned = app.assign_room(&owner.access, &room, me.clone()).await;
    assert_eq!(assigned.status, StatusCode::OK);
    app.close(&owner.access, &room).await;
    // The visitor's socket hears the close: the widget asks for its rating then.
    let closed = helped.socket.next_of("room").await;
    assert_eq!(
        (&closed["room"], &closed["status"]),
        (&json!(room), &json!("closed"))
    );

    let rated = app
        .rate(
            &helped.token(),
            &room,
            json!({ "score": 4, "comment": "  Quick, thanks!\nBye " }),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{:?}", rated.body);
    assert_eq!(
        (&rated.body["score"], &rated.body["comment"]),
        (&json!(4), &json!("Quick, thanks!\nBye"))
    );
    let frame = dashboard.next_of("rated").await;
    assert_eq!(
        (&frame["room"], &frame["site"], &frame["score"]),
        (&json!(room), &json!(site_id), &json!(4))
    );
    let view = app.room(&owner.access, &room).await.body;
    assert_eq!(view["rating"]["score"], 4);
    assert_eq!(view["rating"]["comment"], "Quick, thanks!\nBye");
    // The visitor changes their mind: the later rating replaces the earlier.
    let again = app
        .rate(&helped.token(), &room, json!({ "score": 5 }))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["comment"], Value::Null);
    // Their next page knows the conversation is rated.
    let back = app
        .widget_session(key(&site), SHOP, Some(&helped.session))
        .await;
    assert_eq!(back.body["room"]["rated"], true);
    assert_eq!(back.body["room"]["status"], "closed");

    app.close(&owner.access, &unassigned).await;
    let low = app
        .rate(&other.token(), &unassigned, json!({ "score": 2 }))
        .await;
    assert_eq!(low.status, StatusCode::OK, "{:?}", low.body);
    let fresh = app.widget_session(key(&site), SHOP, None).await;
    assert_eq!(fresh.body["room"]["rated"], false);

    let reader = app.api_token(&owner.access, "read").await;
    let summary = app.site_ratings(&reader, site_id).await;
    assert_eq!(summary.status, StatusCode::OK, "{:?}", summary.body);
    assert_eq!(summary.body["site"], json!({ "count": 2, "average": 3.5 }));
    let by: Vec<Value> = summary.body["by_assignee"].as_array().unwrap().clone();
    assert_eq!(by.len(), 2, "{by:?}");
    assert!(
        by.contains(&json!({ "assignee": me, "count": 1, "average": 5.0 })),
        "{by:?}"
    );
    assert!(
        by.contains(&json!({ "assignee": null, "count": 1, "average": 2.0 })),
        "{by:?}"
    );
}

#[actix_web::test]
async fn a_rating_is_the_visitors_own_checked_and_bounded() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "csat-bad@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "hello", "a").await;
    app.close(&owner.access, &room).await;
    let token = visitor.token();

    for bad in [
        json!({ "score": 0 }),
        json!({ "score": 6 }),
        json!({ "score": 4294967300_i64 }),
        json!({ "score": 3, "comment": "x".repeat(1001) }),
        json!({ "score": 3, "comment": "bell\u{7}" }),
    ] {
        let refused = app.rate(&token, &room, bad.clone()).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "invalid_field"),
            "{bad}"
        );
    }
    for malformed in [json!({ "score": 3.5 }), json!({ "score": "5" }), json!({})] {
        let refused = app.rate(&token, &room, malformed.clone()).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{malformed}");
    }
    let longest = app
        .rate(
            &token,
            &room,
            json!({ "score": 3, "comment": "가".repeat(1000) }),
        )
        .await;
    assert_eq!(longest.status, StatusCode::OK, "{:?}", longest.body);

    // Only the visitor rates, and only their own conversation.
    let by_owner = app.rate(&owner.access, &room, json!({ "score": 5 })).await;
    assert_eq!(
        (by_owner.status, by_owner.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let mut stranger = app.visitor(key(&site), SHOP).await;
    let theirs = stranger.room();
    stranger.socket.post(&theirs, "me too", "b").await;
    let elsewhere = app
        .rate(&stranger.token(), &room, json!({ "score": 1 }))
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let other = app.owner("csat-other@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    assert_eq!(
        app.site_ratings(&other.access, site_id).await.status,
        StatusCode::NOT_FOUND
    );
    let summary = app.site_ratings(&owner.access, site_id).await;
    assert_eq!(summary.body["site"], json!({ "count": 1, "average": 3.0 }));
}
