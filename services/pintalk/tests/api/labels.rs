//! Labels on conversations: set as a whole, checked, heard live by the dashboard, listed
//! per site and filtered on in the inbox.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::assignment::ids;
use crate::eventually::eventually;
use crate::helpers::{Reply, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};

impl TestApp {
    pub async fn set_labels(&self, token: &str, room: &str, labels: Value) -> Reply {
        let path = format!("/api/v1/rooms/{room}/labels");
        self.call("PUT", &path, Some(token), Some(json!({ "labels": labels })))
            .await
    }

    pub async fn site_labels(&self, token: &str, site: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/labels");
        self.call("GET", &path, Some(token), None).await
    }
}

#[actix_web::test]
async fn labels_are_set_whole_heard_live_listed_and_filtered_on() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "labels@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let mut first = app.visitor(key(&site), SHOP).await;
    let mut second = app.visitor(key(&site), SHOP).await;
    let (billing, bug) = (first.room(), second.room());
    first.socket.post(&billing, "my invoice", "a").await;
    second.socket.post(&bug, "it crashed", "b").await;
    eventually(
        std::time::Duration::from_secs(5),
        "both conversations in the inbox",
        async || (ids(&app.inbox(&owner.access, site_id, "").await.body).len() == 2).then_some(()),
    )
    .await;
    let mut dashboard = app.owner_socket(&owner.access).await;

    // Trimmed, lower-cased, repeats once, sorted.
    let set = app
        .set_labels(
            &owner.access,
            &billing,
            json!(["Billing", " refund ", "billing", "환불"]),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(set.body["labels"], json!(["billing", "refund", "환불"]));
    let frame = dashboard.next_of("labels").await;
    assert_eq!(
        (&frame["room"], &frame["site"], &frame["labels"]),
        (
            &json!(billing),
            &json!(site_id),
            &json!(["billing", "refund", "환불"])
        )
    );
    // The same set again changes nothing and sends nothing: the next frame is the next
    // change's.
    let again = app
        .set_labels(
            &owner.access,
            &billing,
            json!(["refund", "환불", "BILLING"]),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let writer = app.api_token(&owner.access, "write").await;
    let by_token = app
        .set_labels(&writer, &bug, json!(["bug", "refund"]))
        .await;
    assert_eq!(by_token.status, StatusCode::OK, "{:?}", by_token.body);
    let frame = dashboard.next_of("labels").await;
    assert_eq!(frame["room"], json!(bug));
    assert_eq!(
        app.room(&writer, &bug).await.body["labels"],
        json!(["bug", "refund"])
    );

    // The inbox filters by one, compared as stored, combined with the other filters.
    let filtered = |query: &'static str| {
        let (app, access) = (&app, owner.access.clone());
        async move { app.inbox(&access, site_id, query).await }
    };
    assert_eq!(
        ids(&filtered("label=billing").await.body),
        [billing.as_str()]
    );
    assert_eq!(ids(&filtered("label=BUG").await.body), [bug.as_str()]);
    assert_eq!(ids(&filtered("label=refund").await.body).len(), 2);
    assert_eq!(
        ids(&filtered("label=%ED%99%98%EB%B6%88").await.body),
        [billing.as_str()]
    );
    assert!(ids(&filtered("label=refund&status=closed").await.body).is_empty());
    assert!(ids(&filtered("label=nothing").await.body).is_empty());
    for bad in ["label=", "label=a%20%20b", "label=%3Cb%3E"] {
        let refused = filtered(bad).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{bad}"
        );
    }

    // The site's labels in use: most used first, then by name.
    let reader = app.api_token(&owner.access, "read").await;
    let listed = app.site_labels(&reader, site_id).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(
        listed.body["labels"],
        json!([
            {"name": "refund", "rooms": 2},
            {"name": "billing", "rooms": 1},
            {"name": "bug", "rooms": 1},
            {"name": "환불", "rooms": 1},
        ])
    );

    // In the account export, with the conversation.
    let export = app.export_workspace(&owner.access).await;
    let conversations = export.body["sites"][0]["conversations"].as_array().unwrap();
    let exported = conversations
        .iter()
        .find(|c| c["id"] == json!(bug))
        .unwrap();
    assert_eq!(exported["labels"], json!(["bug", "refund"]));

    // An empty set clears them; a label no conversation carries leaves the list.
    let cleared = app.set_labels(&owner.access, &bug, json!([])).await;
    assert_eq!(cleared.body["labels"], json!([]));
    assert_eq!(dashboard.next_of("labels").await["labels"], json!([]));
    let names: Vec<Value> = app.site_labels(&owner.access, site_id).await.body["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].clone())
        .collect();
    assert_eq!(names, [json!("billing"), json!("refund"), json!("환불")]);
}

#[actix_web::test]
async fn a_bad_label_set_is_refused_whole_and_another_owner_cannot_label() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "bad-labels@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "hello", "a").await;
    let kept = app.set_labels(&owner.access, &room, json!(["vip"])).await;
    assert_eq!(kept.status, StatusCode::OK, "{:?}", kept.body);

    let eleven: Vec<String> = (0..11).map(|i| format!("l{i}")).collect();
    let too_long = "x".repeat(33);
    for bad in [
        json!(eleven),
        json!(["ok", "<b>"]),
        json!(["a  b"]),
        json!([""]),
        json!([too_long]),
        json!(["new\nline"]),
    ] {
        let refused = app.set_labels(&owner.access, &room, bad.clone()).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "invalid_field"),
            "{bad}"
        );
    }
    let not_a_list = app
        .call(
            "PUT",
            &format!("/api/v1/rooms/{room}/labels"),
            Some(&owner.access),
            Some(json!({ "labels": "vip" })),
        )
        .await;
    assert_eq!(not_a_list.status, StatusCode::BAD_REQUEST);
    // Ten distinct ones are allowed; repeats do not count towards the ten.
    let mut ten: Vec<String> = (0..10).map(|i| format!("l{i}")).collect();
    ten.push("L0".into());
    let full = app.set_labels(&owner.access, &room, json!(ten)).await;
    assert_eq!(full.status, StatusCode::OK, "{:?}", full.body);
    assert_eq!(full.body["labels"].as_array().unwrap().len(), 10);

    let reader = app.api_token(&owner.access, "read").await;
    let refused = app.set_labels(&reader, &room, json!(["x"])).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    let stranger = app.owner("not-theirs@example.com").await;
    let hidden = app.set_labels(&stranger.access, &room, json!(["x"])).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let site_id = site["id"].as_str().unwrap();
    let listed = app.site_labels(&stranger.access, site_id).await;
    assert_eq!(listed.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.room(&owner.access, &room).await.body["labels"]
            .as_array()
            .unwrap()
            .len(),
        10,
        "refused sets changed nothing"
    );
}
