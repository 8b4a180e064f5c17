//! The guarantees under Redis data loss, checked the way an outside client would: talkers
//! that behave like the widget (reconnect with a fresh ticket, resume with seq and epoch,
//! resend what was not acked with the same cid, drop what a new epoch voids and fetch the
//! history) keep a log of everything they were told; after each fault every talker
//! resends every cid it ever had acked, and a checker holds SQL and the logs to
//! docs/protocol.md's guarantees:
//!
//! - no (epoch, seq) ever names two different messages for a client;
//! - every acked cid is stored exactly once, with the seq of its latest ack, and a resend
//!   of a message that survived gets its original seq back;
//! - SQL holds each room's seqs gap-free, no (room, sender, cid) twice;
//! - every client's view converges on the stored history.

use std::collections::BTreeMap;
use std::time::Duration;

use pintalk_core::ids::RoomId;
use serde_json::{Value, json};

use super::Cluster;
use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::redis::{PrivateRedis, free_port};
use crate::socket::Socket;

const SHOP: &str = "https://shop.example.com";
const TALKERS: usize = 8;

/// A visitor client as the widget is, with a log of what it was told.
pub(super) struct Talker {
    pub(super) name: String,
    pub(super) session: Value,
    pub(super) room: String,
    pub(super) socket: Option<Socket>,
    /// The epoch the client holds its room in, once told.
    pub(super) epoch: Option<i64>,
    /// What it shows: seq → cid, in `epoch`.
    view: BTreeMap<i64, String>,
    /// Everything it was ever told: (epoch, seq) → cid.
    told: BTreeMap<(i64, i64), String>,
    /// cid → (epoch, seq) of its first ack, and of its latest.
    pub(super) first_ack: BTreeMap<String, (i64, i64)>,
    pub(super) acked: BTreeMap<String, i64>,
    /// Sent, not acked yet.
    pub(super) pending: Vec<String>,
}

impl Talker {
    async fn join(api: &TestApp, key: &str, gateway: &str, name: String) -> Self {
        let session = api.widget_session(key, SHOP, None).await.body;
        let room = session["room"]["id"].as_str().unwrap().to_owned();
        let mut socket = Socket::open(gateway, SHOP).await;
        socket
            .auth(session["token"].as_str().unwrap(), json!({}))
            .await;
        Talker {
            name,
            session,
            room,
            socket: Some(socket),
            epoch: None,
            view: BTreeMap::new(),
            told: BTreeMap::new(),
            first_ack: BTreeMap::new(),
            acked: BTreeMap::new(),
            pending: Vec::new(),
        }
    }

    /// A frame or page in `epoch`: another epoch than the one held voids the view.
    fn in_epoch(&mut self, epoch: Option<i64>) {
        let Some(epoch) = epoch else { return };
        if self.epoch.is_some_and(|held| held != epoch) {
            self.view.clear();
        }
        self.epoch = Some(epoch);
    }

    /// Records that `seq` names `cid` in `epoch` — never another cid.
    fn told(&mut self, epoch: i64, seq: i64, cid: &str) {
        let before = self.told.insert((epoch, seq), cid.to_owned());
        assert!(
            before.as_deref().is_none_or(|b| b == cid),
            "{}: seq {seq} of epoch {epoch} named {before:?}, now {cid}",
            self.name
        );
        if Some(epoch) == self.epoch {
            self.view.insert(seq, cid.to_owned());
        }
    }

    pub(super) async fn send(&mut self, cid: String) {
        if !self.pending.contains(&cid) {
            self.pending.push(cid.clone());
        }
        let frame =
            json!({ "type": "send", "room": self.room, "body": format!("body {cid}"), "cid": cid });
        if let Some(socket) = &mut self.socket
            && !socket.try_send(frame).await
        {
            self.socket = None;
        }
    }

    /// Handles one server frame as the widget does.
    pub(super) async fn hear(&mut self, frame: &Value) {
        let epoch = frame["epoch"].as_i64();
        match frame["type"].as_str() {
            Some("message") => {
                self.in_epoch(epoch);
                let (seq, cid) = (
                    frame["seq"].as_i64().unwrap(),
                    frame["cid"].as_str().unwrap(),
                );
                self.told(epoch.expect("a message names its epoch"), seq, cid);
            }
            Some("ack") => {
                self.in_epoch(epoch);
                let epoch = epoch.expect("an ack names its epoch");
                let (seq, cid) = (
                    frame["seq"].as_i64().unwrap(),
                    frame["cid"].as_str().unwrap(),
                );
                self.told(epoch, seq, cid);
                self.pending.retain(|c| c != cid);
                self.first_ack.entry(cid.to_owned()).or_insert((epoch, seq));
                self.acked.insert(cid.to_owned(), seq);
            }
            Some("resync") => {
                if let Some(epoch) = epoch {
                    self.in_epoch(Some(epoch));
                }
                let after = frame["after_seq"].as_i64().unwrap();
                self.view.retain(|seq, _| *seq <= after);
            }
            Some("error") if frame["retriable"] == true => {
                if let Some(cid) = frame["cid"].as_str().map(str::to_owned) {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    self.send(cid).await;
                }
            }
            Some("error") => panic!("{}: refused: {frame}", self.name),
            _ => {}
        }
    }

    /// Reads until nothing is pending, or the socket dies.
    async fn settle(&mut self) {
        while !self.pending.is_empty() {
            let Some(socket) = &mut self.socket else {
                return;
            };
            let Some(frame) = socket.try_next(Duration::from_secs(3)).await else {
                self.socket = None;
                return;
            };
            self.hear(&frame).await;
        }
    }

    /// Reconnects with a fresh ticket, resumes with seq and epoch, reads what the gateway
    /// answers for the room, fetches the history if told to, and resends what is pending.
    pub(super) async fn reconnect(&mut self, api: &TestApp, key: &str, gateway: &str) {
        let held = self.view.keys().max().copied().unwrap_or(0);
        let from = match self.epoch {
            Some(epoch) => json!({ "seq": held, "epoch": epoch }),
            None => json!(held),
        };
        let (session, room) = (&self.session, self.room.as_str());
        let socket = eventually(
            Duration::from_secs(15),
            "the gateway to take the client back",
            async || {
                let reply = api.widget_session(key, SHOP, Some(session)).await;
                if !reply.status.is_success() {
                    return None;
                }
                assert_eq!(reply.body["room"]["id"], room);
                let mut fresh = Socket::open(gateway, SHOP).await;
                fresh
                    .send(json!({ "type": "auth", "token": reply.body["token"], "resume": { room: from } }))
                    .await;
                (fresh.next().await["type"] == "ready").then_some(fresh)
            },
        )
        .await;
        self.socket = Some(socket);
        self.history(api).await;
        for cid in self.pending.clone() {
            self.send(cid).await;
        }
    }

    /// The room's history over HTTP, with the session's token, into the view.
    async fn history(&mut self, api: &TestApp) {
        let token = self.session["token"].as_str().unwrap().to_owned();
        let room = self.room.as_str();
        let page = eventually(
            Duration::from_secs(10),
            "the history to be served again",
            async || {
                let reply = api.history(&token, room, "limit=200").await;
                reply.status.is_success().then_some(reply.body)
            },
        )
        .await;
        self.in_epoch(page["epoch"].as_i64());
        for m in page["messages"].as_array().unwrap() {
            let (seq, cid) = (m["seq"].as_i64().unwrap(), m["cid"].as_str().unwrap());
            match page["epoch"].as_i64() {
                Some(epoch) => self.told(epoch, seq, cid),
                None => {
                    self.view.insert(seq, cid.to_owned());
                }
            }
        }
    }
}

/// Rounds of one message per talker; a talker whose socket died reconnects (to the other
/// gateway) and resends.
pub(super) async fn talk<R>(
    cluster: &Cluster<R>,
    key: &str,
    talkers: &mut [Talker],
    rounds: std::ops::Range<usize>,
) {
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    for round in rounds {
        for talker in talkers.iter_mut() {
            let cid = format!("{}-m{round}", talker.name);
            talker.send(cid).await;
        }
        for (i, talker) in talkers.iter_mut().enumerate() {
            for attempt in 0..20 {
                talker.settle().await;
                if talker.pending.is_empty() {
                    break;
                }
                if talker.socket.is_none() {
                    talker
                        .reconnect(&cluster.api, key, &urls[(i + attempt) % urls.len()])
                        .await;
                }
            }
            assert!(talker.pending.is_empty(), "{}: never acked", talker.name);
        }
    }
}

/// After the fault: every talker notices it (its socket was closed), comes back, and
/// resends every cid it ever had acked.
pub(super) async fn come_back_and_resend_everything<R>(
    cluster: &Cluster<R>,
    key: &str,
    talkers: &mut [Talker],
) {
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    for (i, talker) in talkers.iter_mut().enumerate() {
        if let Some(socket) = &mut talker.socket {
            // The gateways lost their subscriptions with Redis and closed every socket.
            socket.closed(Duration::from_secs(10)).await;
        }
        talker.socket = None;
        talker
            .reconnect(&cluster.api, key, &urls[i % urls.len()])
            .await;
        // Something new first, as a visitor typing on: it takes the next seq, which a
        // lost message held before the fault.
        let acked: Vec<String> = talker.acked.keys().cloned().collect();
        let fresh = format!("{}-after-fault-{}", talker.name, talker.acked.len());
        talker.send(fresh).await;
        settle_or_reconnect(cluster, key, talker, &urls[i % urls.len()]).await;
        // One at a time, as a retriable refusal is retried after the sends behind it:
        // two lost messages resent out of order could swap seqs, and the second would
        // get its old seq back by chance and look kept.
        for cid in acked {
            talker.send(cid).await;
            settle_or_reconnect(cluster, key, talker, &urls[i % urls.len()]).await;
        }
    }
}

/// With `ack_after_replicas` and no replica to wait for: `talker` sends once more and
/// keeps hearing (reconnecting through `url` when its socket drops) until a gateway has
/// refused a send as unreplicated; that send must still be pending, never acked.
pub(super) async fn a_send_is_refused_for_want_of_a_replica<R>(
    cluster: &Cluster<R>,
    key: &str,
    talker: &mut Talker,
    url: &str,
) {
    talker.send(format!("{}-no-replica", talker.name)).await;
    let gateways = &cluster.gateways;
    eventually(
        Duration::from_secs(30),
        "a send refused for want of a replica",
        async || {
            for gateway in gateways {
                let refused = gateway.metric("pintalk_gateway_sends_unreplicated_total");
                if refused.await.unwrap_or(0) > 0 {
                    return Some(());
                }
            }
            let Some(socket) = &mut talker.socket else {
                talker.reconnect(&cluster.api, key, url).await;
                return None;
            };
            match socket.try_next(Duration::from_secs(3)).await {
                Some(frame) => talker.hear(&frame).await,
                None => talker.socket = None,
            }
            None
        },
    )
    .await;
    assert!(
        !talker.pending.is_empty(),
        "the refused send is still pending"
    );
}

/// Every ack a talker was first given still names the same seq: nothing acked was lost.
pub(super) fn nothing_acked_was_lost(talkers: &[Talker]) {
    for talker in talkers {
        for (cid, (_, seq)) in &talker.first_ack {
            assert_eq!(
                talker.acked[cid], *seq,
                "{}: {cid} was acked and then lost",
                talker.name
            );
        }
    }
}

pub(super) async fn settle_or_reconnect<R>(
    cluster: &Cluster<R>,
    key: &str,
    talker: &mut Talker,
    url: &str,
) {
    for _ in 0..20 {
        talker.settle().await;
        if talker.pending.is_empty() {
            return;
        }
        if talker.socket.is_none() {
            talker.reconnect(&cluster.api, key, url).await;
        }
    }
    panic!("{}: never acked", talker.name);
}

/// The checker: SQL against every talker's log.
pub(super) async fn check<R>(cluster: &Cluster<R>, talkers: &mut [Talker]) {
    let pool = pintalk_db::connect_and_migrate(&cluster.database_url(), 2).unwrap();
    for talker in talkers.iter_mut() {
        let room: RoomId = talker.room.parse().unwrap();
        let acked = talker.acked.len();
        let stored = eventually(
            Duration::from_secs(10),
            &format!("{}: SQL to hold {acked} messages", talker.name),
            async || {
                let stored = pintalk_db::messages::page(
                    &mut pool.get().unwrap(),
                    room,
                    None,
                    1000,
                    pintalk_db::messages::Audience::Members,
                )
                .unwrap();
                (stored.len() >= acked).then_some(stored)
            },
        )
        .await;
        let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
        let expected: Vec<i64> = (1..=i64::try_from(stored.len()).unwrap()).collect();
        assert_eq!(seqs, expected, "{}: SQL's seqs are gap-free", talker.name);
        let by_cid: BTreeMap<String, i64> = stored.iter().map(|m| (m.cid.clone(), m.seq)).collect();
        assert_eq!(
            by_cid.len(),
            stored.len(),
            "{}: a cid stored twice",
            talker.name
        );
        assert_eq!(
            by_cid, talker.acked,
            "{}: every acked cid is stored once, with its latest ack's seq",
            talker.name
        );
        // A message acked in the final epoch was never lost: its resend got its seq back.
        let last_epoch = talker.epoch.unwrap();
        for (cid, (epoch, seq)) in &talker.first_ack {
            if *epoch == last_epoch {
                assert_eq!(talker.acked[cid], *seq, "{}: {cid} renumbered", talker.name);
            }
        }
        // What the client shows is what SQL holds; after one more look at the history it
        // shows all of it.
        let sql: BTreeMap<i64, String> = stored.iter().map(|m| (m.seq, m.cid.clone())).collect();
        for (seq, cid) in &talker.view {
            assert_eq!(
                sql.get(seq),
                Some(cid),
                "{}: shows {cid} at {seq}",
                talker.name
            );
        }
        talker.history(&cluster.api).await;
        assert_eq!(
            talker.view, sql,
            "{}: converges on the stored history",
            talker.name
        );
    }
}

pub(super) async fn talkers<R>(cluster: &Cluster<R>, email: &str) -> (String, Vec<Talker>) {
    let (_, site) = cluster.owner_with_site(email, SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    let mut talkers = Vec::new();
    for i in 0..TALKERS {
        talkers
            .push(Talker::join(&cluster.api, &key, &urls[i % urls.len()], format!("t{i}")).await);
    }
    (key, talkers)
}

/// Redis restarted empty while the persister was down: the messages acked meanwhile were
/// only in Redis and are lost; their seqs are never handed out again in a way a client
/// could confuse (a new epoch), their resends are stored, and nothing doubles.
#[actix_web::test]
async fn redis_restarted_empty_under_load_reuses_no_seq_and_loses_nothing_resent() {
    let mut cluster = Cluster::start().await;
    let (key, mut talkers) = talkers(&cluster, "empty@example.com").await;
    talk(&cluster, &key, &mut talkers, 0..3).await;
    // Acked into Redis, never reaching SQL.
    cluster.accounts[0].kill();
    talk(&cluster, &key, &mut talkers, 3..5).await;
    cluster.redis.restart_empty().await;
    cluster.accounts[0].restart().await;
    come_back_and_resend_everything(&cluster, &key, &mut talkers).await;
    talk(&cluster, &key, &mut talkers, 5..7).await;
    come_back_after_resending(&cluster, &key, &mut talkers).await;
    check(&cluster, &mut talkers).await;
}

/// An AOF `everysec` Redis killed with -9 right after a burst of acks: whatever of the
/// last second the file lacks is lost, the rest comes back; either way no seq is reused,
/// resends are recognised or stored anew, and nothing doubles.
#[actix_web::test]
async fn aof_everysec_redis_killed_reuses_no_seq_and_loses_nothing_resent() {
    let dir = tempfile::tempdir().unwrap();
    let redis = PrivateRedis::start_with_aof(free_port(), dir.path().to_owned()).await;
    let mut cluster = Cluster::start_on(redis, &[], 1, 2, |_| None).await;
    let (key, mut talkers) = talkers(&cluster, "aof@example.com").await;
    talk(&cluster, &key, &mut talkers, 0..3).await;
    cluster.accounts[0].kill();
    talk(&cluster, &key, &mut talkers, 3..6).await;
    cluster.redis.crash_and_restart().await;
    cluster.accounts[0].restart().await;
    come_back_and_resend_everything(&cluster, &key, &mut talkers).await;
    talk(&cluster, &key, &mut talkers, 6..8).await;
    come_back_after_resending(&cluster, &key, &mut talkers).await;
    check(&cluster, &mut talkers).await;
}

/// A last round of resends with nothing failing: every one is a duplicate.
pub(super) async fn come_back_after_resending<R>(
    cluster: &Cluster<R>,
    key: &str,
    talkers: &mut [Talker],
) {
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    for (i, talker) in talkers.iter_mut().enumerate() {
        let before = talker.acked.clone();
        for cid in before.keys() {
            talker.send(cid.clone()).await;
        }
        for _ in 0..20 {
            talker.settle().await;
            if talker.pending.is_empty() {
                break;
            }
            talker
                .reconnect(&cluster.api, key, &urls[i % urls.len()])
                .await;
        }
        assert_eq!(
            talker.acked, before,
            "{}: a resend was stored again",
            talker.name
        );
    }
}
