//! Webhooks, delivered to a real HTTP receiver on 127.0.0.1: retried until it answers,
//! signed as documented, redelivered on request, never to an internal address without
//! `webhooks.allow_private_targets`, and never twice by two replicas.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use awc::http::StatusCode;
use hmac::{Hmac, KeyInit, Mac};
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{SiteId, WebhookId};
use pintalk_core::settings::Settings;
use pintalk_core::webhook::{WebhookEvent, WebhookEvents};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::eventually::eventually;
use crate::helpers::{Owner, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};

/// Deliveries looked for twenty times a second, retried 50 ms after a failure; the
/// receiver runs on 127.0.0.1, so private targets are allowed.
pub(crate) fn quick(settings: &mut Settings) {
    settings.webhooks.allow_private_targets = true;
    settings.webhooks.poll_ms = 50;
    settings.webhooks.retry_first_ms = 50;
    settings.webhooks.retry_max_secs = 1;
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) signature: String,
    pub(crate) event: String,
    pub(crate) event_id: String,
    pub(crate) body: String,
    /// The status it answered.
    answered: u16,
}

/// A webhook receiver on an ephemeral port of 127.0.0.1 that answers 500 to its first
/// `failures` requests and 204 to the rest, keeping every request.
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) async fn start(failures: usize) -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let kept = got.clone();
        let server = HttpServer::new(move || {
            let kept = kept.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let kept = kept.clone();
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let mut got = kept.lock().unwrap();
                    let answered = if got.len() < failures { 500 } else { 204 };
                    got.push(Received {
                        signature: header("pintalk-signature"),
                        event: header("pintalk-event"),
                        event_id: header("pintalk-event-id"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                        answered,
                    });
                    HttpResponse::build(StatusCode::from_u16(answered).unwrap()).finish()
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/pintalk"),
            got,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests came, and returns them.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(
            Duration::from_secs(15),
            &format!("{n} requests at the receiver"),
            async || {
                let got = self.received();
                (got.len() >= n).then_some(got)
            },
        )
        .await
    }
}

/// Checks a `PinTalk-Signature` header as a receiver does (the docs' recipe): the HMAC of
/// "<t>.<body>" with the endpoint's secret, in constant time.
pub(crate) fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Ok(expected) = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(v1.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&expected).is_ok()
}

fn site_id(site: &Value) -> String {
    site["id"].as_str().unwrap().to_owned()
}

/// An endpoint for `events` at `url`; returns its id and secret.
pub(crate) async fn endpoint(
    app: &TestApp,
    owner: &Owner,
    site: &Value,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let made = app
        .create_webhook(
            &owner.access,
            &site_id(site),
            json!({ "url": url, "events": events }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    (
        made.body["id"].as_str().unwrap().to_owned(),
        made.body["secret"].as_str().unwrap().to_owned(),
    )
}

/// The endpoint's delivery log once every entry is settled (delivered or failed) and
/// there are `n` of them.
async fn settled_log(
    app: &TestApp,
    owner: &Owner,
    site: &Value,
    hook: &str,
    n: usize,
) -> Vec<Value> {
    eventually(
        Duration::from_secs(15),
        &format!("{n} settled deliveries"),
        async || {
            let log = app
                .deliveries(&owner.access, &site_id(site), hook, "")
                .await;
            let rows = log.body["deliveries"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let settled = rows.len() == n && rows.iter().all(|d| d["status"] != "pending");
            settled.then_some(rows)
        },
    )
    .await
}

#[actix_web::test]
async fn a_receiver_that_fails_twice_gets_the_event_on_the_third_try_exactly_as_signed() {
    let app = TestApp::spawn_with(quick).await;
    let receiver = Receiver::start(2).await;
    let (owner, site) = owner_with_site(&app, "hooks@example.com").await;
    let (hook, secret) = endpoint(&app, &owner, &site, &receiver.url, &["message.created"]).await;
    assert!(secret.starts_with("whsec_"));
    let listed = app.webhooks(&owner.access, &site_id(&site)).await;
    assert_eq!(listed.body[0]["id"], hook.as_str());
    assert!(
        listed.body[0].get("secret").is_none(),
        "the secret is shown once"
    );

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor
        .socket
        .post(&room, "Is the blue one in stock?", "c1")
        .await;

    let got = receiver.wait_for(3).await;
    let answers: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(answers, [500, 500, 204]);
    for attempt in &got {
        assert!(
            verify(&secret, &attempt.signature, &attempt.body),
            "{attempt:?}"
        );
        assert!(!verify("whsec_other", &attempt.signature, &attempt.body));
        assert_eq!(attempt.event, "message.created");
        assert_eq!(
            attempt.event_id, got[0].event_id,
            "one event id on every try"
        );
        assert_eq!(attempt.body, got[0].body, "the same bytes on every try");
    }
    let event: Value = serde_json::from_str(&got[2].body).unwrap();
    assert_eq!(event["id"], got[2].event_id.as_str());
    assert_eq!(event["type"], "message.created");
    assert_eq!(event["site_id"], site["id"]);
    assert_eq!(event["data"]["conversation"]["id"], room.as_str());
    assert_eq!(
        event["data"]["message"]["body"],
        "Is the blue one in stock?"
    );
    assert_eq!(event["data"]["message"]["sender"]["kind"], "visitor");
    assert_eq!(event["data"]["message"]["note"], false);

    let log = settled_log(&app, &owner, &site, &hook, 1).await;
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["last_status"], 204);
    assert_eq!(log[0]["event_id"], got[0].event_id.as_str());
}

#[actix_web::test]
async fn conversation_events_are_told_and_a_delivery_can_be_sent_again() {
    let app = TestApp::spawn_with(quick).await;
    let receiver = Receiver::start(0).await;
    let (owner, site) = owner_with_site(&app, "redeliver@example.com").await;
    let events = [
        "conversation.created",
        "conversation.closed",
        "conversation.reopened",
    ];
    let (hook, secret) = endpoint(&app, &owner, &site, &receiver.url, &events).await;

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Hello", "c1").await;
    receiver.wait_for(1).await;
    let closed = app
        .update_room(&owner.access, &room, json!({ "status": "closed" }))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    receiver.wait_for(2).await;
    let reopened = app
        .update_room(&owner.access, &room, json!({ "status": "open" }))
        .await;
    assert_eq!(reopened.status, StatusCode::OK);
    let got = receiver.wait_for(3).await;
    let kinds: Vec<&str> = got.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(kinds, events, "message.created was not subscribed to");
    let ids: BTreeSet<&str> = got.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids.len(), 3, "each event has its own id");

    let log = settled_log(&app, &owner, &site, &hook, 3).await;
    let created = log
        .iter()
        .find(|d| d["event"] == "conversation.created")
        .unwrap();
    let again = app
        .redeliver(
            &owner.access,
            &site_id(&site),
            &hook,
            created["id"].as_str().unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{:?}", again.body);
    assert_eq!(again.body["status"], "pending");
    let got = receiver.wait_for(4).await;
    assert_eq!(got[3].event_id, got[0].event_id, "the same event, again");
    assert_eq!(got[3].body, got[0].body);
    assert!(verify(&secret, &got[3].signature, &got[3].body));

    let log = settled_log(&app, &owner, &site, &hook, 3).await;
    let created = log.iter().find(|d| d["event"] == "conversation.created");
    assert_eq!(created.unwrap()["attempts"], 2);
    let unknown = app
        .redeliver(&owner.access, &site_id(&site), &hook, &hook)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn internal_targets_are_refused_without_allow_private_targets() {
    let app = TestApp::spawn_with(|s| {
        s.webhooks.poll_ms = 50;
        s.webhooks.retry_first_ms = 60_000;
    })
    .await;
    assert!(!app.settings.webhooks.allow_private_targets);
    let receiver = Receiver::start(0).await;
    let (owner, site) = owner_with_site(&app, "ssrf@example.com").await;
    for url in [
        receiver.url.as_str(),
        "http://localhost:9/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/",
    ] {
        let refused = app
            .create_webhook(
                &owner.access,
                &site_id(&site),
                json!({ "url": url, "events": ["message.created"] }),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{url}");
        assert_eq!(refused.code(), "webhook_target_refused", "{url}");
    }
    let bad = app
        .create_webhook(
            &owner.access,
            &site_id(&site),
            json!({ "url": "ftp://hooks.example.com/", "events": ["message.created"] }),
        )
        .await;
    assert_eq!(bad.code(), "invalid_webhook_url");
    let none = app
        .create_webhook(
            &owner.access,
            &site_id(&site),
            json!({ "url": "https://hooks.example.com/", "events": [] }),
        )
        .await;
    assert_eq!(none.code(), "invalid_field");

    // A URL stored while its name was public (a DNS rebinding, say) is checked again at
    // delivery: the attempt is refused and the receiver hears nothing.
    let site_id_typed: SiteId = site_id(&site).parse().unwrap();
    let hook = WebhookId::new();
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let stored = pintalk_db::models::Webhook {
        id: hook,
        site_id: site_id_typed,
        url: receiver.url.clone(),
        events: WebhookEvents::new(vec![WebhookEvent::MessageCreated]).unwrap(),
        secret: "whsec_test".into(),
        enabled: true,
        created_at: now_ms(),
        updated_at: now_ms(),
    };
    assert!(pintalk_db::webhooks::insert(&mut pool.get().unwrap(), &stored, 10).unwrap());
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Hi", "c1").await;
    let attempt = eventually(Duration::from_secs(15), "a refused attempt", async || {
        let log = app
            .deliveries(&owner.access, &site_id(&site), &hook.to_string(), "")
            .await;
        let row = log.body["deliveries"][0].clone();
        (row["attempts"] == 1).then_some(row)
    })
    .await;
    assert_eq!(
        attempt["status"], "pending",
        "retried later, as any failure"
    );
    let error = attempt["last_error"].as_str().unwrap();
    assert!(error.contains("not a public address"), "{error}");
    assert!(receiver.received().is_empty());
}

#[actix_web::test]
async fn two_replicas_on_one_database_deliver_each_event_once() {
    let busy = |s: &mut Settings| {
        quick(s);
        s.webhooks.poll_ms = 10;
        s.webhooks.batch = 2;
    };
    let app = TestApp::spawn_with(busy).await;
    let replica = app.spawn_beside(busy).await;
    let receiver = Receiver::start(0).await;
    let (owner, site) = owner_with_site(&app, "replicas@example.com").await;
    let (hook, _) = endpoint(&app, &owner, &site, &receiver.url, &["message.created"]).await;

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    const MESSAGES: usize = 30;
    for n in 0..MESSAGES {
        visitor
            .socket
            .post(&room, &format!("message {n}"), &format!("c{n}"))
            .await;
    }
    let log = settled_log(&app, &owner, &site, &hook, MESSAGES).await;
    assert!(
        log.iter()
            .all(|d| d["status"] == "delivered" && d["attempts"] == 1)
    );
    let got = receiver.received();
    let ids: BTreeSet<&str> = got.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids.len(), MESSAGES);
    assert_eq!(got.len(), MESSAGES, "no event was sent twice");
    drop(replica);
}

#[actix_web::test]
async fn endpoints_are_bounded_per_site_changed_and_deleted() {
    let app = TestApp::spawn_with(|s| {
        quick(s);
        s.webhooks.max_per_site = 2;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "bounds@example.com").await;
    let url = "https://hooks.example.com/in";
    let (first, _) = endpoint(&app, &owner, &site, url, &["message.created"]).await;
    endpoint(&app, &owner, &site, url, &["conversation.closed"]).await;
    let third = app
        .create_webhook(
            &owner.access,
            &site_id(&site),
            json!({ "url": url, "events": ["message.created"] }),
        )
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);

    let changed = app
        .update_webhook(
            &owner.access,
            &site_id(&site),
            &first,
            json!({ "enabled": false, "events": ["conversation.created", "message.created"] }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["enabled"], false);
    assert_eq!(
        changed.body["events"],
        json!(["conversation.created", "message.created"])
    );
    let other = app.owner("other@example.com").await;
    let foreign = app.webhooks(&other.access, &site_id(&site)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let deleted = app
        .delete_webhook(&owner.access, &site_id(&site), &first)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let listed = app.webhooks(&owner.access, &site_id(&site)).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn an_assignment_by_a_bot_is_told_as_conversation_assigned() {
    let app = TestApp::spawn_with(quick).await;
    let receiver = Receiver::start(0).await;
    let (owner, site) = owner_with_site(&app, "assigned@example.com").await;
    let (_, secret) = endpoint(
        &app,
        &owner,
        &site,
        &receiver.url,
        &["conversation.assigned"],
    )
    .await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Hello", "c1").await;
    let me = app
        .call("GET", "/api/v1/me", Some(&owner.access), None)
        .await;
    let owner_id = me.body["id"].as_str().unwrap().to_owned();
    let token = app.api_token(&owner.access, "write").await;

    let assigned = app.assign_room(&token, &room, json!(owner_id)).await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].event, "conversation.assigned");
    assert!(verify(&secret, &got[0].signature, &got[0].body));
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["conversation"]["id"], room.as_str());
    assert_eq!(body["data"]["conversation"]["assignee"], owner_id.as_str());

    // The same assignment again changes nothing and tells nothing; unassigning does.
    app.assign_room(&token, &room, json!(owner_id)).await;
    app.assign_room(&token, &room, Value::Null).await;
    let got = receiver.wait_for(2).await;
    let body: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(body["data"]["conversation"]["assignee"], Value::Null);
    assert_eq!(receiver.received().len(), 2);
}
