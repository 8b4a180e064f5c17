//! Workspace API tokens: their lifecycle, their scopes, and a bot that reads and writes
//! conversations with one through the same paths as the dashboard.

use std::time::Duration;

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};

impl TestApp {
    pub async fn create_api_token(&self, access: &str, name: &str, scope: &str) -> Reply {
        let body = json!({ "name": name, "scope": scope });
        self.call("POST", "/api/v1/api-tokens", Some(access), Some(body))
            .await
    }

    pub async fn api_tokens(&self, access: &str) -> Reply {
        self.call("GET", "/api/v1/api-tokens", Some(access), None)
            .await
    }

    pub async fn revoke_api_token(&self, access: &str, id: &str) -> Reply {
        let path = format!("/api/v1/api-tokens/{id}");
        self.call("DELETE", &path, Some(access), None).await
    }

    /// `POST /rooms/{room}/messages`, as a bot does.
    pub async fn post_message(&self, token: &str, room: &str, body: &str, cid: &str) -> Reply {
        let path = format!("/api/v1/rooms/{room}/messages");
        let fields = json!({ "body": body, "cid": cid });
        self.call("POST", &path, Some(token), Some(fields)).await
    }

    /// A new API token of `scope` for the owner with access token `access`: the token.
    pub async fn api_token(&self, access: &str, scope: &str) -> String {
        let created = self.create_api_token(access, "bot", scope).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        created.body["token"].as_str().unwrap().to_owned()
    }
}

/// The one token of the owner's list.
async fn listed(app: &TestApp, access: &str) -> Value {
    let list = app.api_tokens(access).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{:?}", list.body);
    list.body[0].clone()
}

#[actix_web::test]
async fn an_api_token_is_shown_once_listed_without_its_secret_and_revoked() {
    let app = TestApp::spawn().await;
    let owner = app.owner("tok@example.com").await;
    let created = app
        .create_api_token(&owner.access, "Support bot", "read")
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let token = created.body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("pt_"), "{token}");
    assert_eq!(created.body["scope"], "read");
    assert_eq!(created.body["last_used_at"], Value::Null);

    let listed_token = listed(&app, &owner.access).await;
    assert_eq!(listed_token["id"], created.body["id"]);
    assert_eq!(listed_token["name"], "Support bot");
    assert!(listed_token.get("token").is_none(), "{listed_token}");
    assert!(!app.api_tokens(&owner.access).await.text.contains(&token));

    assert_eq!(app.sites(&token).await.status, StatusCode::OK);
    let used = listed(&app, &owner.access).await;
    assert!(used["last_used_at"].is_string(), "{used}");

    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        app.revoke_api_token(&owner.access, id).await.status,
        StatusCode::NO_CONTENT
    );
    let refused = app.sites(&token).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let again = app.revoke_api_token(&owner.access, id).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let list = app.api_tokens(&owner.access).await;
    assert_eq!(list.body, json!([]));
}

#[actix_web::test]
async fn last_used_is_written_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let owner = app.owner("minute@example.com").await;
    let token = app.api_token(&owner.access, "read").await;
    app.sites(&token).await;
    let first = listed(&app, &owner.access).await["last_used_at"].clone();
    assert!(first.is_string(), "{first}");
    app.clock.advance(Duration::from_secs(30));
    app.sites(&token).await;
    assert_eq!(listed(&app, &owner.access).await["last_used_at"], first);
    app.clock.advance(Duration::from_secs(31));
    app.sites(&token).await;
    let later = listed(&app, &owner.access).await["last_used_at"].clone();
    assert!(
        later.as_str().unwrap() > first.as_str().unwrap(),
        "{first} then {later}"
    );
}

#[actix_web::test]
async fn another_owners_token_and_a_forged_one_reach_nothing() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "mine@example.com").await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let other = app.owner("other@example.com").await;
    let theirs = app.api_token(&other.access, "write").await;
    let read = app.room(&theirs, &room).await;
    assert_eq!(
        (read.status, read.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let post = app.post_message(&theirs, &room, "hi", "x-1").await;
    assert_eq!(
        (post.status, post.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let site_id = site["id"].as_str().unwrap();
    let inbox = app.inbox(&theirs, site_id, "").await;
    assert_eq!(inbox.status, StatusCode::NOT_FOUND, "{:?}", inbox.body);

    let forged = format!("pt_{}", "A".repeat(43));
    let refused = app.room(&forged, &room).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    assert_eq!(app.room(&owner.access, &room).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn an_api_token_cannot_manage_tokens_the_account_or_open_a_dashboard_socket() {
    let app = TestApp::spawn().await;
    let owner = app.owner("manage@example.com").await;
    let token = app.api_token(&owner.access, "write").await;
    for (method, path, body) in [
        ("GET", "/api/v1/api-tokens", None),
        (
            "POST",
            "/api/v1/api-tokens",
            Some(json!({ "name": "more", "scope": "write" })),
        ),
        ("GET", "/api/v1/me", None),
        ("POST", "/api/v1/realtime/token", None),
        (
            "POST",
            "/api/v1/sites",
            Some(json!({ "name": "x", "allowed_origins": [SHOP] })),
        ),
    ] {
        let reply = app.call(method, path, Some(&token), body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "api_token_not_allowed"),
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn a_read_token_reads_conversations_and_is_refused_every_write() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "reader@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor
        .socket
        .post(&room, "Where is my order?", "v-1")
        .await;
    let token = app.api_token(&owner.access, "read").await;

    let sites = app.sites(&token).await;
    assert_eq!(sites.body[0]["id"], site["id"]);
    let site_id = site["id"].as_str().unwrap();
    crate::eventually::eventually(
        Duration::from_secs(5),
        "the conversation in the inbox",
        async || {
            let inbox = app.inbox(&token, site_id, "").await;
            (inbox.body["rooms"][0]["id"] == room.as_str()).then_some(())
        },
    )
    .await;
    assert_eq!(app.room(&token, &room).await.body["id"], room.as_str());
    let history = app.history(&token, &room, "").await;
    assert_eq!(history.body["messages"][0]["body"], "Where is my order?");

    let post = app.post_message(&token, &room, "On its way", "bot-1").await;
    assert_eq!(
        (post.status, post.code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    let close = app
        .update_room(&token, &room, json!({ "status": "closed" }))
        .await;
    assert_eq!(
        (close.status, close.code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    assert_eq!(app.room(&owner.access, &room).await.body["status"], "open");

    // Not even a write token reaches what only the owner's session may do with the room
    // and its site: mail, the visitor's data, the site's trust settings.
    let writer = app.api_token(&owner.access, "write").await;
    for (method, path) in [
        ("POST", format!("/api/v1/rooms/{room}/transcript/mail")),
        ("GET", format!("/api/v1/rooms/{room}/visitor/export")),
        ("DELETE", format!("/api/v1/rooms/{room}/visitor")),
        ("GET", format!("/api/v1/sites/{site_id}/retention")),
        ("GET", format!("/api/v1/sites/{site_id}/bans")),
        ("GET", format!("/api/v1/sites/{site_id}/limits")),
        ("GET", format!("/api/v1/sites/{site_id}/identity")),
        ("POST", format!("/api/v1/sites/{site_id}/identity/secret")),
        ("GET", "/api/v1/me/export".to_owned()),
    ] {
        for credential in [&token, &writer] {
            let reply = app.call(method, &path, Some(credential), None).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "api_token_not_allowed"),
                "{method} {path}"
            );
        }
    }
    assert_eq!(app.room(&owner.access, &room).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_bot_posts_with_a_token_and_the_visitor_sees_it_live_once_per_cid() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "bot@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let mut dashboard = app.owner_socket(&owner.access).await;
    visitor.socket.post(&room, "Hello?", "v-1").await;
    // A protocol 1 socket hears its own message back.
    assert_eq!(visitor.socket.next_of("message").await["seq"], 1);
    let token = app.api_token(&owner.access, "write").await;

    let posted = app
        .post_message(&token, &room, "Hi, I am the bot", "bot-1")
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{:?}", posted.body);
    assert_eq!(posted.body["seq"], 2);
    assert_eq!(posted.body["cid"], "bot-1");
    let live = visitor.socket.next_of("message").await;
    assert_eq!(
        (live["seq"].as_i64(), live["body"].as_str()),
        (Some(2), Some("Hi, I am the bot"))
    );
    assert_eq!(live["sender"]["kind"], "owner");
    assert_eq!(live["sender"]["name"], "Test Owner");
    let seen = dashboard.next_of("message").await;
    assert_eq!(seen["body"], "Hello?");
    assert_eq!(dashboard.next_of("message").await["seq"], 2);

    // The same cid again: the first answer, nothing new stored or delivered.
    let again = app
        .post_message(&token, &room, "Hi, I am the bot", "bot-1")
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(
        (again.body["seq"].clone(), again.body["epoch"].clone()),
        (posted.body["seq"].clone(), posted.body["epoch"].clone())
    );
    let next = app
        .post_message(&token, &room, "Anything else?", "bot-2")
        .await;
    assert_eq!(next.body["seq"], 3);
    let live = visitor.socket.next_of("message").await;
    assert_eq!(
        (live["seq"].as_i64(), live["body"].as_str()),
        (Some(3), Some("Anything else?")),
        "the repeated cid was not delivered twice"
    );
    crate::eventually::eventually(
        Duration::from_secs(5),
        "the bot's messages in SQL",
        async || {
            let history = app.history(&owner.access, &room, "").await;
            let seqs: Vec<i64> = history.body["messages"]
                .as_array()?
                .iter()
                .filter_map(|m| m["seq"].as_i64())
                .collect();
            (seqs == [1, 2, 3]).then_some(())
        },
    )
    .await;
}

#[actix_web::test]
async fn a_write_token_closes_and_reopens_a_conversation_live() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "closer@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Thanks, bye", "v-1").await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    let token = app.api_token(&owner.access, "write").await;

    let closed = app
        .update_room(&token, &room, json!({ "status": "closed" }))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(closed.body["status"], "closed");
    let event = room_event(&mut dashboard, "closed").await;
    assert_eq!(event["room"], room.as_str());

    let reopened = app
        .update_room(&token, &room, json!({ "status": "open" }))
        .await;
    assert_eq!(reopened.body["status"], "open");
    room_event(&mut dashboard, "reopened").await;
    assert_eq!(app.room(&owner.access, &room).await.body["status"], "open");
}

/// The next room event of `kind`, past a `created` the persister may announce first.
async fn room_event(socket: &mut crate::socket::Socket, kind: &str) -> Value {
    for _ in 0..3 {
        let event = socket.next_of("room").await;
        if event["event"] == kind {
            return event;
        }
    }
    panic!("no {kind} room event");
}

#[actix_web::test]
async fn bad_posts_and_bad_tokens_are_refused_with_their_codes() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "bad@example.com").await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let token = app.api_token(&owner.access, "write").await;
    let path = format!("/api/v1/rooms/{room}/messages");
    for (body, code) in [
        (json!({ "body": "hi", "cid": "no spaces" }), "invalid_cid"),
        (json!({ "body": "hi", "cid": "" }), "invalid_cid"),
        (
            json!({ "body": "hi", "cid": "x".repeat(65) }),
            "invalid_cid",
        ),
        (json!({ "body": "  ", "cid": "c-1" }), "body_too_long"),
        (
            json!({ "body": "a".repeat(4001), "cid": "c-2" }),
            "body_too_long",
        ),
        (json!({ "body": "hi" }), "invalid_json"),
        (
            json!({ "body": "hi", "cid": "c-3", "extra": 1 }),
            "invalid_json",
        ),
    ] {
        let reply = app.call("POST", &path, Some(&token), Some(body)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, code)
        );
    }
    for (body, code) in [
        (json!({ "name": "x", "scope": "admin" }), "invalid_json"),
        (json!({ "name": " ", "scope": "read" }), "invalid_field"),
        (
            json!({ "name": "a".repeat(101), "scope": "read" }),
            "invalid_field",
        ),
    ] {
        let reply = app
            .call(
                "POST",
                "/api/v1/api-tokens",
                Some(&owner.access),
                Some(body),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, code)
        );
    }
    // Bounded: 25 in all (one made above).
    for _ in 1..25 {
        app.api_token(&owner.access, "read").await;
    }
    let full = app
        .create_api_token(&owner.access, "one more", "read")
        .await;
    assert_eq!(
        (full.status, full.code()),
        (StatusCode::CONFLICT, "api_tokens_full")
    );
}

impl TestApp {
    /// `PUT /rooms/{room}/assignee {assignee}`.
    pub async fn assign_room(&self, token: &str, room: &str, assignee: Value) -> Reply {
        let path = format!("/api/v1/rooms/{room}/assignee");
        let body = json!({ "assignee": assignee });
        self.call("PUT", &path, Some(token), Some(body)).await
    }
}

#[actix_web::test]
async fn a_write_token_assigns_a_conversation_to_the_owner_and_the_dashboard_hears_it() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "assign@example.com").await;
    let visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let mut dashboard = app.owner_socket(&owner.access).await;
    let me = app
        .call("GET", "/api/v1/me", Some(&owner.access), None)
        .await;
    let owner_id = me.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.room(&owner.access, &room).await.body["assignee"],
        Value::Null
    );

    let reader = app.api_token(&owner.access, "read").await;
    let refused = app.assign_room(&reader, &room, json!(owner_id)).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    let writer = app.api_token(&owner.access, "write").await;
    let assigned = app.assign_room(&writer, &room, json!(owner_id)).await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);
    assert_eq!(assigned.body["assignee"], owner_id.as_str());
    let frame = dashboard.next_of("assigned").await;
    assert_eq!(
        (frame["room"].as_str(), frame["assignee"].as_str()),
        (Some(room.as_str()), Some(owner_id.as_str()))
    );
    assert_eq!(
        app.room(&reader, &room).await.body["assignee"],
        owner_id.as_str()
    );

    // Nobody else can be assigned yet: a workspace's one member is its owner.
    let other = app.owner("someone@example.com").await;
    let them = app
        .call("GET", "/api/v1/me", Some(&other.access), None)
        .await;
    let stranger = app
        .assign_room(&writer, &room, them.body["id"].clone())
        .await;
    assert_eq!(
        (stranger.status, stranger.code()),
        (StatusCode::BAD_REQUEST, "invalid_field")
    );

    // The owner's session unassigns it, as the dashboard would.
    let cleared = app.assign_room(&owner.access, &room, Value::Null).await;
    assert_eq!(cleared.body["assignee"], Value::Null);
    let frame = dashboard.next_of("assigned").await;
    assert_eq!(frame["assignee"], Value::Null);
}
