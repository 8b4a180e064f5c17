//! Canned replies: the owner's saved answers, their bounds, and that one owner never sees
//! or changes another's.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

impl TestApp {
    pub async fn create_canned_reply(&self, access: &str, body: Value) -> Reply {
        self.call("POST", "/api/v1/canned-replies", Some(access), Some(body))
            .await
    }

    pub async fn canned_replies(&self, access: &str) -> Reply {
        self.call("GET", "/api/v1/canned-replies", Some(access), None)
            .await
    }

    pub async fn update_canned_reply(&self, access: &str, id: &str, body: Value) -> Reply {
        let path = format!("/api/v1/canned-replies/{id}");
        self.call("PATCH", &path, Some(access), Some(body)).await
    }

    pub async fn delete_canned_reply(&self, access: &str, id: &str) -> Reply {
        let path = format!("/api/v1/canned-replies/{id}");
        self.call("DELETE", &path, Some(access), None).await
    }
}

#[actix_web::test]
async fn a_canned_reply_is_created_listed_edited_and_deleted() {
    let app = TestApp::spawn().await;
    let owner = app.owner("canned@example.com").await;
    let body = "Hi {visitor.name}, {agent.name} here.\nHow can I help?";
    let created = app
        .create_canned_reply(
            &owner.access,
            json!({ "shortcut": "hello", "title": "Greeting", "body": body }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["shortcut"], "hello");
    assert_eq!(created.body["title"], "Greeting");
    assert_eq!(created.body["body"], body, "variables are stored as typed");
    let id = created.body["id"].as_str().unwrap().to_owned();

    let other = app
        .create_canned_reply(&owner.access, json!({ "shortcut": "bye", "body": "Bye!" }))
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.body);
    assert_eq!(other.body["title"], Value::Null);

    let list = app.canned_replies(&owner.access).await;
    assert_eq!(list.status, StatusCode::OK);
    let shortcuts: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["shortcut"].as_str().unwrap())
        .collect();
    assert_eq!(shortcuts, ["bye", "hello"], "by shortcut");

    let edited = app
        .update_canned_reply(
            &owner.access,
            &id,
            json!({ "shortcut": "hi", "title": null }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["shortcut"], "hi");
    assert_eq!(edited.body["title"], Value::Null);
    assert_eq!(edited.body["body"], body, "unsent fields stay");

    let deleted = app.delete_canned_reply(&owner.access, &id).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let again = app.delete_canned_reply(&owner.access, &id).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let list = app.canned_replies(&owner.access).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_shortcut_is_unique_per_owner_only() {
    let app = TestApp::spawn().await;
    let ann = app.owner("ann-canned@example.com").await;
    let bob = app.owner("bob-canned@example.com").await;
    let reply = json!({ "shortcut": "price", "body": "It costs 5." });
    assert_eq!(
        app.create_canned_reply(&ann.access, reply.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    let twice = app.create_canned_reply(&ann.access, reply.clone()).await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::CONFLICT, "canned_reply_shortcut_taken")
    );
    let bobs = app.create_canned_reply(&bob.access, reply).await;
    assert_eq!(bobs.status, StatusCode::CREATED, "another owner may use it");

    // Renaming onto a taken shortcut is refused too.
    let other = app
        .create_canned_reply(&ann.access, json!({ "shortcut": "cost", "body": "5." }))
        .await;
    let id = other.body["id"].as_str().unwrap();
    let renamed = app
        .update_canned_reply(&ann.access, id, json!({ "shortcut": "price" }))
        .await;
    assert_eq!(
        (renamed.status, renamed.code()),
        (StatusCode::CONFLICT, "canned_reply_shortcut_taken")
    );
}

#[actix_web::test]
async fn another_owners_canned_reply_is_not_found() {
    let app = TestApp::spawn().await;
    let ann = app.owner("ann-own@example.com").await;
    let bob = app.owner("bob-own@example.com").await;
    let created = app
        .create_canned_reply(&ann.access, json!({ "shortcut": "x", "body": "Ann's" }))
        .await;
    let id = created.body["id"].as_str().unwrap();
    let list = app.canned_replies(&bob.access).await;
    assert_eq!(list.body, json!([]));
    let edit = app
        .update_canned_reply(&bob.access, id, json!({ "body": "Bob's" }))
        .await;
    assert_eq!(
        (edit.status, edit.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let delete = app.delete_canned_reply(&bob.access, id).await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    let list = app.canned_replies(&ann.access).await;
    assert_eq!(list.body[0]["body"], "Ann's", "untouched");
    let anonymous = app.call("GET", "/api/v1/canned-replies", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn canned_reply_input_is_bounded() {
    let app = TestApp::spawn().await;
    let owner = app.owner("bounds-canned@example.com").await;
    for bad in [
        json!({ "shortcut": "", "body": "x" }),
        json!({ "shortcut": "Hello", "body": "x" }),
        json!({ "shortcut": "has space", "body": "x" }),
        json!({ "shortcut": "a".repeat(33), "body": "x" }),
        json!({ "shortcut": "ok", "body": "" }),
        json!({ "shortcut": "ok", "body": "x".repeat(4001) }),
        json!({ "shortcut": "ok", "body": "x", "title": "t".repeat(101) }),
        json!({ "shortcut": "ok", "body": "x", "extra": 1 }),
    ] {
        let reply = app.create_canned_reply(&owner.access, bad.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {:?}",
            reply.body
        );
    }
    let longest = app
        .create_canned_reply(
            &owner.access,
            json!({ "shortcut": "a".repeat(32), "body": "é".repeat(4000) }),
        )
        .await;
    assert_eq!(longest.status, StatusCode::CREATED, "{:?}", longest.body);
    let id = longest.body["id"].as_str().unwrap();
    let bad_edit = app
        .update_canned_reply(&owner.access, id, json!({ "body": "x".repeat(4001) }))
        .await;
    assert_eq!(bad_edit.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn an_owner_keeps_at_most_200_canned_replies() {
    let app = TestApp::spawn().await;
    let owner = app.owner("full-canned@example.com").await;
    for i in 0..200 {
        let reply = app
            .create_canned_reply(
                &owner.access,
                json!({ "shortcut": format!("r{i}"), "body": "x" }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{i}: {:?}", reply.body);
    }
    let full = app
        .create_canned_reply(
            &owner.access,
            json!({ "shortcut": "one-more", "body": "x" }),
        )
        .await;
    assert_eq!(
        (full.status, full.code()),
        (StatusCode::CONFLICT, "canned_replies_full")
    );
    let list = app.canned_replies(&owner.access).await;
    assert_eq!(list.body.as_array().unwrap().len(), 200);
}

#[actix_web::test]
async fn an_api_token_reads_with_read_and_writes_with_write() {
    let app = TestApp::spawn().await;
    let owner = app.owner("bot-canned@example.com").await;
    let read = app.api_token(&owner.access, "read").await;
    let write = app.api_token(&owner.access, "write").await;
    let reply = json!({ "shortcut": "bot", "body": "From a bot" });
    let refused = app.create_canned_reply(&read, reply.clone()).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    let created = app.create_canned_reply(&write, reply).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let list = app.canned_replies(&read).await;
    assert_eq!(list.body[0]["shortcut"], "bot");
}
