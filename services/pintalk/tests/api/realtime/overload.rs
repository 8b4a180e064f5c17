//! Overload: past `gateway.max_inflight_appends` a send is refused at once with the
//! retriable `overloaded` instead of queueing behind Redis, and a client that resends the
//! same cid gets it stored exactly once. Redis is held still with `CLIENT PAUSE`, so
//! the bound is reached deterministically.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use pintalk_core::ids::RoomId;
use serde_json::json;

use super::{SHOP, key, owner_with_site};
use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::redis::{PrivateRedis, free_port};
use crate::socket::Visitor;

/// The all-in-one app on a private Redis, with room for one append at a time.
async fn app_with_one_append_slot(redis: &PrivateRedis) -> TestApp {
    let url = format!("redis://127.0.0.1:{}", redis.port);
    TestApp::spawn_with(|s| {
        s.redis.url = url.into();
        s.gateway.max_inflight_appends = 1;
    })
    .await
}

/// Redis answers no client for `ms` milliseconds: commands wait (the bus's commands
/// time out after 500 ms, so pauses stay shorter).
fn pause(redis: &PrivateRedis, ms: u64) {
    let status = Command::new("redis-cli")
        .args([
            "-p",
            &redis.port.to_string(),
            "CLIENT",
            "PAUSE",
            &ms.to_string(),
            "ALL",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("redis-cli on PATH");
    assert!(status.success());
}

#[actix_web::test]
async fn a_send_past_the_inflight_bound_is_refused_at_once_with_overloaded() {
    let redis = PrivateRedis::start(free_port()).await;
    let app = app_with_one_append_slot(&redis).await;
    let (_, site) = owner_with_site(&app, "bound@example.com").await;
    let mut first = app.visitor(key(&site), SHOP).await;
    let mut second = app.visitor(key(&site), SHOP).await;
    let (room, other) = (first.room(), second.room());

    // Redis is paused for less than the bus's command timeout, so the window in which
    // the first send holds the one slot is short: a machine too busy to get the second
    // send in within it tries again (with new cids), a few times at most.
    let mut refused = None;
    for attempt in 0..5 {
        let (a, b) = (format!("a-{attempt}"), format!("b-{attempt}"));
        pause(&redis, 450);
        first
            .socket
            .send(json!({ "type": "send", "room": room, "body": "first", "cid": a }))
            .await;
        // Held by the paused Redis, or already over: either way the second send goes now.
        let _ = tokio::time::timeout(
            Duration::from_millis(500),
            eventually(
                Duration::from_secs(5),
                "the first send in flight",
                async || (app.metric("pintalk_gateway_appends_in_flight").await == 1).then_some(()),
            ),
        )
        .await;
        let answer = second.socket.post(&other, "second", &b).await;
        // The first send is acked, or refused retriably if Redis outlasted the timeout.
        let mut first_answer = first.socket.post_answer(&a).await;
        while first_answer["type"] != "ack" {
            assert_eq!(first_answer["retriable"], true, "{first_answer}");
            first_answer = first.socket.post(&room, "first", &a).await;
        }
        if answer["type"] == "error" {
            refused = Some((answer, b));
            break;
        }
        assert_eq!(answer["type"], "ack", "lost the race, so stored: {answer}");
    }
    // The one slot was taken (Redis paused) by the only other send: the second send
    // was refused at once, not queued behind it.
    let (refused, cid) = refused.expect("a send met the bound");
    assert_eq!(
        (
            refused["code"].as_str(),
            refused["retriable"].as_bool(),
            refused["cid"].as_str()
        ),
        (Some("overloaded"), Some(true), Some(cid.as_str())),
        "{refused}"
    );
    assert!(app.metric("pintalk_gateway_sends_overloaded_total").await >= 1);
    let retried = second.socket.post(&other, "second", &cid).await;
    assert_eq!(retried["type"], "ack", "{retried}");
}

/// Sends `count` messages at once, then resends (same cid) every retriable refusal
/// after a back-off, as the widget does, until all are acked. Returns cid → seq and the
/// number of `overloaded` refusals seen.
async fn send_until_acked(
    visitor: &mut Visitor,
    prefix: String,
    count: usize,
) -> (BTreeMap<String, i64>, usize) {
    let room = visitor.room();
    let frame = |cid: &str| json!({ "type": "send", "room": room, "body": format!("body {cid}"), "cid": cid });
    for i in 0..count {
        visitor.socket.send(frame(&format!("{prefix}-{i}"))).await;
    }
    let mut acked = BTreeMap::new();
    let mut overloaded = 0;
    while acked.len() < count {
        let answer = visitor.socket.next().await;
        let Some(cid) = answer["cid"].as_str().map(str::to_owned) else {
            continue;
        };
        match answer["type"].as_str() {
            Some("ack") => {
                let seq = answer["seq"].as_i64().unwrap();
                assert_eq!(*acked.entry(cid).or_insert(seq), seq, "one seq per cid");
            }
            Some("error") if answer["retriable"] == true => {
                if answer["code"] == "overloaded" {
                    overloaded += 1;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                visitor.socket.send(frame(&cid)).await;
            }
            _ => {}
        }
    }
    (acked, overloaded)
}

#[actix_web::test]
async fn saturating_senders_are_refused_retriably_and_what_is_acked_is_stored_once() {
    let redis = PrivateRedis::start(free_port()).await;
    let app = app_with_one_append_slot(&redis).await;
    let (_, site) = owner_with_site(&app, "flood@example.com").await;
    let mut visitors = Vec::new();
    for _ in 0..6 {
        visitors.push(app.visitor(key(&site), SHOP).await);
    }

    // Every socket sends at once into a Redis that holds the one slot still.
    pause(&redis, 400);
    let results = futures_util::future::join_all(
        visitors
            .iter_mut()
            .enumerate()
            .map(|(i, v)| send_until_acked(v, format!("v{i}"), 10)),
    )
    .await;
    let overloaded: usize = results.iter().map(|(_, n)| n).sum();
    assert!(overloaded > 0, "the bound was reached");
    assert_eq!(
        app.metric("pintalk_gateway_sends_overloaded_total").await,
        i64::try_from(overloaded).unwrap()
    );

    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    for (visitor, (acked, _)) in visitors.iter().zip(&results) {
        let room: RoomId = visitor.room().parse().unwrap();
        let stored = eventually(
            Duration::from_secs(10),
            "every acked message in SQL",
            async || {
                let stored = pintalk_db::messages::page(
                    &mut pool.get().unwrap(),
                    room,
                    None,
                    1000,
                    pintalk_db::messages::Audience::Members,
                )
                .unwrap();
                (stored.len() >= acked.len()).then_some(stored)
            },
        )
        .await;
        let by_cid: BTreeMap<String, i64> = stored.iter().map(|m| (m.cid.clone(), m.seq)).collect();
        assert_eq!(by_cid.len(), stored.len(), "a cid stored twice");
        assert_eq!(
            &by_cid, acked,
            "every acked message stored once, with its seq"
        );
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=10).collect::<Vec<i64>>(), "gap-free");
    }
}
