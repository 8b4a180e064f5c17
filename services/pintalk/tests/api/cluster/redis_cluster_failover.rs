//! Redis Cluster failing a master over under load: three masters with a replica each, the
//! account service (and its persister) and two gateways on the cluster, fanning out with
//! sharded pub/sub. The master holding the first talker's room is killed with -9 while a
//! round of sends is in flight; its replica is promoted; the append script, which on a
//! cluster fences itself, finds a new run id there and starts a new generation for the
//! shards that master held — and only those; every client resumes. With
//! `ack_after_replicas = 1` nothing acked is lost, and the talkers and checker of
//! `faults.rs` hold SQL to what the clients were told.

use std::collections::BTreeSet;

use super::Cluster;
use super::faults::{
    Talker, a_send_is_refused_for_want_of_a_replica, check, come_back_after_resending,
    nothing_acked_was_lost, settle_or_reconnect, talk, talkers,
};
use crate::redis_cluster::RedisCluster;

/// This test's ports: 7100–7105, their cluster bus 7150–7155.
const PORTS: u16 = 7100;

/// The master holding each talker's room.
fn masters(redis: &RedisCluster, talkers: &[Talker]) -> Vec<u16> {
    talkers
        .iter()
        .map(|t| redis.master_holding(&format!("*:seq:{}", t.room)))
        .collect()
}

/// With `ack_after_replicas = 1`, everything acked before the failover survives it with
/// its seq. The promoted master has no replica until the old one rejoins: meanwhile sends
/// to its rooms are stored but refused with the retriable `unavailable`, and their
/// resends are acked once a replica holds them. Rooms on the other masters keep their
/// epoch; rooms on the failed one start a new epoch.
#[actix_web::test]
async fn cluster_failover_with_ack_after_replicas_loses_nothing_acked() {
    let redis = RedisCluster::start(PORTS).await;
    let env = [
        ("PINTALK__REDIS__CLUSTER_URLS", redis.urls()),
        ("PINTALK__REDIS__ACK_AFTER_REPLICAS", "1".to_owned()),
    ];
    let env = env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let mut cluster = Cluster::start_configured(redis, env, &[], 1, 2, |_| None).await;
    let (key, mut talkers) = talkers(&cluster, "cluster-wait@example.com").await;
    talk(&cluster, &key, &mut talkers, 0..3).await;

    let masters = masters(&cluster.redis, &talkers);
    let victim = masters[0];
    let hit: BTreeSet<usize> = (0..talkers.len())
        .filter(|i| masters[*i] == victim)
        .collect();
    let before: Vec<Option<i64>> = talkers.iter().map(|t| t.epoch).collect();
    for talker in &mut talkers {
        let cid = format!("{}-m3", talker.name);
        talker.send(cid).await;
    }
    cluster.redis.kill(victim);
    cluster.redis.failed_over(victim).await;

    let url = cluster.gateways[0].ws_url();
    a_send_is_refused_for_want_of_a_replica(&cluster, &key, &mut talkers[0], &url).await;

    cluster.redis.rejoin(victim).await;
    for talker in &mut talkers {
        settle_or_reconnect(&cluster, &key, talker, &url).await;
    }
    talk(&cluster, &key, &mut talkers, 4..6).await;
    come_back_after_resending(&cluster, &key, &mut talkers).await;
    check(&cluster, &mut talkers).await;
    for (i, talker) in talkers.iter().enumerate() {
        assert!(before[i].is_some(), "{}: had an epoch", talker.name);
        if hit.contains(&i) {
            assert_ne!(before[i], talker.epoch, "{}: a new epoch", talker.name);
        } else {
            assert_eq!(before[i], talker.epoch, "{}: its master lived", talker.name);
        }
    }
    nothing_acked_was_lost(&talkers);
}
