//! Redis Sentinel failing the master over under load: one master, one replica, three
//! sentinels, the account service and a gateway finding the master through them. The
//! master is killed with -9 while a round of sends is in flight; the sentinels promote the
//! replica; every connection the services open from then on goes to it, fenced — its run
//! id is new, so every room starts a new epoch — and every client resumes. The talkers
//! and checker of `faults.rs` then hold SQL to what the clients were told.

use super::Cluster;
use super::faults::{
    Talker, a_send_is_refused_for_want_of_a_replica, check, come_back_after_resending,
    nothing_acked_was_lost, settle_or_reconnect, talk, talkers,
};
use crate::redis::{PrivateRedis, free_port};
use crate::sentinels::{MASTER, Sentinels};

/// A master, its replica and three sentinels; the services on the sentinels, waiting for
/// `ack_after_replicas` replicas before acking.
async fn start(ack_after_replicas: u32) -> (Cluster, Sentinels) {
    let master = PrivateRedis::start(free_port()).await;
    let sentinels = Sentinels::start(master.port).await;
    let env = [
        ("PINTALK__REDIS__SENTINELS", sentinels.urls()),
        ("PINTALK__REDIS__SENTINEL_MASTER", MASTER.to_owned()),
        (
            "PINTALK__REDIS__ACK_AFTER_REPLICAS",
            ack_after_replicas.to_string(),
        ),
    ];
    let env = env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let cluster = Cluster::start_configured(master, env, &[], 1, 1, |_| None).await;
    (cluster, sentinels)
}

/// Three rounds acked, a fourth sent, and the master killed before any of its answers
/// is read; returns once the sentinels have promoted the replica, with each talker's
/// epoch from before.
async fn kill_the_master_mid_round(
    cluster: &mut Cluster,
    sentinels: &Sentinels,
    key: &str,
    talkers: &mut [Talker],
) -> Vec<Option<i64>> {
    talk(cluster, key, talkers, 0..3).await;
    for talker in talkers.iter_mut() {
        let cid = format!("{}-m3", talker.name);
        talker.send(cid).await;
    }
    cluster.redis.kill();
    sentinels.failed_over().await;
    talkers.iter().map(|t| t.epoch).collect()
}

/// The killed master comes back empty, as a replica of the promoted one — what the
/// sentinels make of it anyway, only sooner.
async fn old_master_rejoins_as_replica(cluster: &mut Cluster, sentinels: &Sentinels) {
    let port = cluster.redis.port;
    cluster.redis = PrivateRedis::start_replica_of(port, sentinels.replica.port).await;
}

/// Every talker gets its in-flight sends acked, reconnecting as often as needed.
async fn settle_everyone(cluster: &Cluster, key: &str, talkers: &mut [Talker]) {
    let url = cluster.gateways[0].ws_url();
    for talker in talkers.iter_mut() {
        settle_or_reconnect(cluster, key, talker, &url).await;
    }
}

/// The failover voided every room's epoch: the promoted replica's run id started a new
/// generation, and each room was seeded again from SQL.
fn assert_every_room_changed_epoch(before: &[Option<i64>], talkers: &[Talker]) {
    for (epoch, talker) in before.iter().zip(talkers) {
        assert!(epoch.is_some(), "{}: had an epoch", talker.name);
        assert_ne!(
            *epoch, talker.epoch,
            "{}: the failover started a new epoch",
            talker.name
        );
    }
}

/// With `ack_after_replicas = 1`, everything acked before the failover survives it with
/// its seq (no resend needed, nothing renumbered). The promoted master has no replica
/// until the old one rejoins: meanwhile sends are stored but refused with the retriable
/// `unavailable`, and their resends are acked once a replica holds them.
#[actix_web::test]
async fn sentinel_failover_with_ack_after_replicas_loses_nothing_acked() {
    let (mut cluster, sentinels) = start(1).await;
    let (key, mut talkers) = talkers(&cluster, "sentinel-wait@example.com").await;
    let before = kill_the_master_mid_round(&mut cluster, &sentinels, &key, &mut talkers).await;

    let url = cluster.gateways[0].ws_url();
    a_send_is_refused_for_want_of_a_replica(&cluster, &key, &mut talkers[0], &url).await;

    old_master_rejoins_as_replica(&mut cluster, &sentinels).await;
    settle_everyone(&cluster, &key, &mut talkers).await;
    talk(&cluster, &key, &mut talkers, 4..6).await;
    come_back_after_resending(&cluster, &key, &mut talkers).await;
    check(&cluster, &mut talkers).await;
    assert_every_room_changed_epoch(&before, &talkers);
    nothing_acked_was_lost(&talkers);
}

/// With `ack_after_replicas = 0`, what the replica had not received when the master died
/// may be lost (docs/protocol.md, Guarantees): it is stored again when resent, and no
/// (epoch, seq) ever names two messages for a client.
#[actix_web::test]
async fn sentinel_failover_without_replica_acks_reuses_no_seq_and_loses_nothing_resent() {
    let (mut cluster, sentinels) = start(0).await;
    let (key, mut talkers) = talkers(&cluster, "sentinel-async@example.com").await;
    let before = kill_the_master_mid_round(&mut cluster, &sentinels, &key, &mut talkers).await;
    settle_everyone(&cluster, &key, &mut talkers).await;
    let url = cluster.gateways[0].ws_url();
    for talker in &mut talkers {
        for cid in talker.acked.keys().cloned().collect::<Vec<_>>() {
            talker.send(cid).await;
        }
        settle_or_reconnect(&cluster, &key, talker, &url).await;
    }
    old_master_rejoins_as_replica(&mut cluster, &sentinels).await;
    talk(&cluster, &key, &mut talkers, 4..6).await;
    come_back_after_resending(&cluster, &key, &mut talkers).await;
    check(&cluster, &mut talkers).await;
    assert_every_room_changed_epoch(&before, &talkers);
}
