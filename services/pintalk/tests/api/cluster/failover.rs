//! Killing things while clients talk: every acked message must end up in SQL exactly
//! once, with each room's seqs gap-free.

use std::collections::BTreeMap;
use std::time::Duration;

use pintalk_core::ids::RoomId;
use serde_json::{Value, json};

use super::Cluster;
use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::socket::Socket;

pub(super) const SHOP: &str = "https://shop.example.com";

/// A visitor that keeps talking across gateway deaths, the way the widget does: every
/// message has a cid; unacked ones are sent again (same cid) after reconnecting.
pub(super) struct Chatter {
    pub(super) session: Value,
    pub(super) room: String,
    pub(super) socket: Option<Socket>,
    /// cid → seq of every acked message.
    pub(super) acked: BTreeMap<String, i64>,
    /// Sent, not acked yet.
    pending: Vec<String>,
}

impl Chatter {
    pub(super) async fn join(api: &TestApp, key: &str, gateway: &str) -> Self {
        let session = api.widget_session(key, SHOP, None).await.body;
        let room = session["room"]["id"].as_str().unwrap().to_owned();
        let mut socket = Socket::open(gateway, SHOP).await;
        socket
            .auth(session["token"].as_str().unwrap(), json!({}))
            .await;
        Chatter {
            session,
            room,
            socket: Some(socket),
            acked: BTreeMap::new(),
            pending: Vec::new(),
        }
    }

    pub(super) async fn send(&mut self, cid: String) {
        self.pending.push(cid.clone());
        let frame =
            json!({ "type": "send", "room": self.room, "body": format!("body {cid}"), "cid": cid });
        if let Some(socket) = &mut self.socket
            && !socket.try_send(frame).await
        {
            self.socket = None;
        }
    }

    /// Reads acks until nothing is pending or the socket dies. Retriable errors are
    /// resent.
    pub(super) async fn settle(&mut self) {
        while !self.pending.is_empty() {
            let Some(socket) = &mut self.socket else {
                return;
            };
            let Some(frame) = socket.try_next(Duration::from_secs(3)).await else {
                self.socket = None;
                return;
            };
            let Some(cid) = frame["cid"].as_str().map(str::to_owned) else {
                continue;
            };
            match frame["type"].as_str() {
                Some("ack") => {
                    self.pending.retain(|c| *c != cid);
                    self.acked.insert(cid, frame["seq"].as_i64().unwrap());
                }
                Some("error") if frame["retriable"] == true => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    self.pending.retain(|c| *c != cid);
                    self.send(cid).await;
                }
                Some("error") => panic!("refused: {frame}"),
                _ => {}
            }
        }
    }

    /// Reconnects (to `gateway`) with a fresh ticket and resumes, then resends what is
    /// pending — same cids, so nothing doubles.
    pub(super) async fn reconnect(&mut self, api: &TestApp, key: &str, gateway: &str) {
        let last = self.acked.values().max().copied().unwrap_or(0);
        let resume = json!({ self.room.clone(): last });
        let previous = self.session.clone();
        let socket = connect(gateway, SHOP, resume, || {
            let previous = previous.clone();
            async move {
                retry(|| api.widget_session(key, SHOP, Some(&previous))).await["token"].clone()
            }
        })
        .await;
        self.socket = Some(socket);
        for cid in std::mem::take(&mut self.pending) {
            self.send(cid).await;
        }
    }
}

/// Waits until SQL holds `expected` messages per room, then checks them: seqs 1..=n
/// without gaps, each acked cid exactly once with its acked seq.
pub(super) async fn assert_stored_exactly_once(cluster: &Cluster, chatters: &[Chatter]) {
    let pool = pintalk_db::connect_and_migrate(&cluster.database_url(), 2).unwrap();
    for chatter in chatters {
        let room: RoomId = chatter.room.parse().unwrap();
        let stored = eventually(
            Duration::from_secs(10),
            &format!(
                "room {} to hold {} messages",
                chatter.room,
                chatter.acked.len()
            ),
            async || {
                let stored = pintalk_db::messages::page(
                    &mut pool.get().unwrap(),
                    room,
                    None,
                    1000,
                    pintalk_db::messages::Audience::Members,
                )
                .unwrap();
                (stored.len() >= chatter.acked.len()).then_some(stored)
            },
        )
        .await;
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        let expected: Vec<i64> = (1..=i64::try_from(chatter.acked.len()).unwrap()).collect();
        assert_eq!(
            seqs, expected,
            "room {} is gap-free and complete",
            chatter.room
        );
        let by_cid: BTreeMap<String, i64> = stored.iter().map(|m| (m.cid.clone(), m.seq)).collect();
        assert_eq!(
            by_cid.len(),
            stored.len(),
            "a cid stored twice in {}",
            chatter.room
        );
        assert_eq!(by_cid, chatter.acked, "what was acked is what is stored");
    }
}

#[actix_web::test]
async fn fifty_clients_keep_talking_while_one_gateway_is_killed_and_lose_nothing() {
    let cluster = Cluster::start().await;
    let (_, site) = cluster.owner_with_site("kill@example.com", SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    let mut chatters = Vec::new();
    for i in 0..50 {
        chatters.push(Chatter::join(&cluster.api, &key, &urls[i % 2]).await);
    }
    let mut cluster = cluster;
    for round in 0..20 {
        for (i, chatter) in chatters.iter_mut().enumerate() {
            chatter.send(format!("c{i}-m{round}")).await;
        }
        if round == 10 {
            // Mid-flight: some of this round is acked, some not, some not even read.
            cluster.gateways[0].kill();
        }
        for chatter in &mut chatters {
            chatter.settle().await;
            if chatter.socket.is_none() {
                chatter.reconnect(&cluster.api, &key, &urls[1]).await;
                chatter.settle().await;
            }
        }
    }
    for chatter in &chatters {
        assert!(chatter.pending.is_empty());
        assert_eq!(chatter.acked.len(), 20);
    }
    assert_stored_exactly_once(&cluster, &chatters).await;
}

#[actix_web::test]
async fn gracefully_stopped_gateway_sends_its_clients_elsewhere_with_1012() {
    let mut cluster = Cluster::start().await;
    let (_, site) = cluster.owner_with_site("drain@example.com", SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    let mut chatter = Chatter::join(&cluster.api, &key, &urls[0]).await;
    chatter.send("before".into()).await;
    chatter.settle().await;
    cluster.gateways[0].terminate();
    let closed = chatter
        .socket
        .as_mut()
        .unwrap()
        .closed(Duration::from_secs(5))
        .await;
    assert_eq!(closed, crate::socket::Closed::Code(1012));
    chatter.socket = None;
    chatter.reconnect(&cluster.api, &key, &urls[1]).await;
    chatter.send("after".into()).await;
    chatter.settle().await;
    assert_stored_exactly_once(&cluster, &[chatter]).await;
}

#[actix_web::test]
async fn persister_killed_mid_stream_loses_and_doubles_nothing() {
    let mut cluster = Cluster::start().await;
    let (_, site) = cluster.owner_with_site("persist@example.com", SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    let mut chatters = Vec::new();
    for i in 0..20 {
        chatters.push(Chatter::join(&cluster.api, &key, &urls[i % 2]).await);
    }
    for round in 0..15 {
        for (i, chatter) in chatters.iter_mut().enumerate() {
            chatter.send(format!("p{i}-{round}")).await;
        }
        if round == 5 {
            // The account process (and its persister) dies; gateways keep acking into
            // the outbox meanwhile.
            cluster.accounts[0].kill();
        }
        if round == 10 {
            cluster.accounts[0].restart().await;
        }
        for chatter in &mut chatters {
            chatter.settle().await;
        }
    }
    assert_stored_exactly_once(&cluster, &chatters).await;
}

#[actix_web::test]
async fn redis_restarted_empty_reuses_no_seq_and_clients_are_told_to_resync() {
    let mut cluster = Cluster::start().await;
    let (owner, site) = cluster.owner_with_site("redis@example.com", SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    let mut chatter = Chatter::join(&cluster.api, &key, &urls[0]).await;
    for i in 0..3 {
        chatter.send(format!("r{i}")).await;
    }
    chatter.settle().await;
    assert_stored_exactly_once(&cluster, std::slice::from_ref(&chatter)).await;

    cluster.redis.restart_empty().await;
    // Every socket is closed so its client resumes (the gateways lost their
    // subscriptions with Redis).
    let closed = chatter
        .socket
        .as_mut()
        .unwrap()
        .closed(Duration::from_secs(5))
        .await;
    assert_eq!(closed, crate::socket::Closed::Code(1012));
    chatter.socket = None;

    // The owner held only seq 1, but the room's numbering is being restored: a new epoch
    // follows, so nothing held can be trusted and the resync is from 0.
    let room = chatter.room.clone();
    let api = &cluster.api;
    let access = owner.access.clone();
    let mut dashboard = connect(
        &urls[1],
        &api.dashboard_origin(),
        json!({ room.clone(): 1 }),
        || {
            let access = access.clone();
            async move { retry(|| api.realtime_token(&access)).await["token"].clone() }
        },
    )
    .await;
    let resync = dashboard.next_of("resync").await;
    assert_eq!(
        (resync["room"].as_str(), resync["after_seq"].as_i64()),
        (Some(room.as_str()), Some(0))
    );

    // The room's counter is gone: the owner's send is refused (retriable) until the
    // persister re-seeds it from SQL; then it gets seq 4, not 1.
    let seq = eventually(
        Duration::from_secs(5),
        "the owner's send to be acked after the re-seed",
        async || {
            let answer = dashboard.post(&room, "after the restart", "owner-1").await;
            if answer["type"] == "ack" {
                return Some(answer["seq"].as_i64());
            }
            assert_eq!(
                (answer["code"].as_str(), answer["retriable"].as_bool()),
                (Some("room_not_ready"), Some(true))
            );
            None
        },
    )
    .await;
    assert_eq!(seq, Some(4));
    chatter.acked.insert("owner-1".into(), 4);

    let session = retry(|| {
        cluster
            .api
            .widget_session(&key, SHOP, Some(&chatter.session))
    })
    .await;
    assert_eq!(session["room"]["id"], room.as_str());
    chatter.reconnect(&cluster.api, &key, &urls[0]).await;
    chatter.send("r3".into()).await;
    chatter.settle().await;
    assert_eq!(chatter.acked["r3"], 5);
    assert_stored_exactly_once(&cluster, &[chatter]).await;
}

/// Opens and authenticates a socket, retrying while the gateway refuses with a retriable
/// `unavailable` (it has no subscriptions until it reconnects to Redis), as clients do.
pub(super) async fn connect<F, Fut>(url: &str, origin: &str, resume: Value, ticket: F) -> Socket
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    eventually(
        Duration::from_secs(10),
        "the gateway to take the socket back",
        async || {
            let token = ticket().await;
            let mut socket = Socket::open(url, origin).await;
            socket
                .send(json!({ "type": "auth", "token": token, "resume": resume }))
                .await;
            let first = socket.next().await;
            if first["type"] == "ready" {
                return Some(socket);
            }
            assert_eq!(
                (first["code"].as_str(), first["retriable"].as_bool()),
                (Some("unavailable"), Some(true)),
                "{first}"
            );
            None
        },
    )
    .await
}

/// Retries an HTTP call while the service reconnects to Redis (it answers 503 meanwhile).
pub(super) async fn retry<F, Fut>(call: F) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = crate::helpers::Reply>,
{
    eventually(
        Duration::from_secs(5),
        "the service to answer again",
        async || {
            let reply = call().await;
            reply.status.is_success().then_some(reply.body)
        },
    )
    .await
}
