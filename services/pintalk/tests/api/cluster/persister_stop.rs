//! A graceful stop of the account service: its persister stores and acknowledges the
//! batch it holds, reads nothing new, and the process exits without an error; what the
//! gateways acked meanwhile waits in the outbox for the next start.

use std::process::Command;
use std::time::Duration;

use super::Cluster;
use super::failover::{Chatter, assert_stored_exactly_once};
use crate::eventually::eventually;
use crate::realtime::persistence::Outage;

const SHOP: &str = "https://shop.example.com";

/// Outbox entries read by a persister but not acknowledged, over every outbox shard.
fn pending_in_outbox(cluster: &Cluster) -> u64 {
    let redis = |args: &[&str]| -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &cluster.redis.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli on PATH");
        String::from_utf8(out.stdout).unwrap()
    };
    let streams = redis(&["--scan", "--pattern", "*:outbox"]);
    assert!(!streams.trim().is_empty(), "the outbox streams exist");
    streams
        .lines()
        .map(|stream| {
            let summary = redis(&["XPENDING", stream, "persister"]);
            summary
                .lines()
                .next()
                .unwrap()
                .trim()
                .parse::<u64>()
                .unwrap()
        })
        .sum()
}

/// Every chatter sends one message (`s<i>-<n>`) and waits for its ack.
async fn round(chatters: &mut [Chatter], n: usize) {
    for (i, chatter) in chatters.iter_mut().enumerate() {
        chatter.send(format!("s{i}-{n}")).await;
    }
    for chatter in chatters.iter_mut() {
        chatter.settle().await;
    }
}

#[actix_web::test]
async fn sigterm_while_the_persister_holds_a_batch_stores_it_and_exits_cleanly() {
    let mut cluster = Cluster::start().await;
    // The account process again, this time writing its log where the test reads it.
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("account.log");
    let mut account = cluster.accounts.remove(0);
    account.log_to(log.clone());
    account.terminate();
    account.restart().await;
    let (_, site) = cluster.owner_with_site("stop@example.com", SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();
    let urls: Vec<String> = cluster.gateways.iter().map(|g| g.ws_url()).collect();
    let mut chatters = Vec::new();
    for i in 0..10 {
        chatters.push(Chatter::join(&cluster.api, &key, &urls[i % 2]).await);
    }
    round(&mut chatters, 0).await;

    // SQL stops taking writes: the persister reads the next round and holds it.
    let outage = Outage::begin(&cluster.database_url());
    round(&mut chatters, 1).await;
    eventually(
        Duration::from_secs(5),
        "the persister holding a batch",
        async || (pending_in_outbox(&cluster) > 0).then_some(()),
    )
    .await;

    let before_stop = std::fs::read_to_string(&log).unwrap().len();
    account.signal_terminate();
    // The process stops its HTTP server, then its persister, which still waits for
    // SQL: only then is SQL back, so a process that did not wait for its persister
    // would be gone with the batch unacknowledged.
    eventually(
        Duration::from_secs(10),
        "the process stopping its persister",
        async || {
            let text = std::fs::read_to_string(&log).unwrap();
            text[before_stop..]
                .contains("persister: stopping")
                .then_some(())
        },
    )
    .await;
    outage.end();
    let mut account = tokio::task::spawn_blocking(move || {
        account.wait_exit();
        account
    })
    .await
    .unwrap();
    assert_eq!(
        pending_in_outbox(&cluster),
        0,
        "the batch in hand was stored and acknowledged before the process exited"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let complaints: Vec<&str> = text[before_stop..]
        .lines()
        .filter(|l| {
            l.contains("ERROR") || l.contains("broken pipe") || l.contains("reading the outbox")
        })
        .collect();
    assert!(complaints.is_empty(), "the stop logged: {complaints:#?}");

    // Sends acked while it was down wait in the outbox for the next start.
    round(&mut chatters, 2).await;
    account.restart().await;
    round(&mut chatters, 3).await;
    assert_stored_exactly_once(&cluster, &chatters).await;
}
