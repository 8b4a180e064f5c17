//! Redis Cluster failing a master over *without* `redis.ack_after_replicas`, the loss made
//! deterministic: the replica of the master holding the first talker's room is stopped
//! (`SIGSTOP`) and its replication link cut, so it falls behind; a round is acked and persisted; the persister is
//! killed; two more rounds are acked (on the masters only, in SQL nowhere); the master is
//! killed with -9, its replica continued and promoted. docs/protocol.md (Guarantees) says
//! what may be lost then: what the promoted replica had not received *and* SQL did not
//! hold — on that master's rooms only. The test holds the code to exactly that: the
//! rounds sent while the persister was down are lost on the failed master's rooms (their
//! resends are stored anew, in a new epoch), the persisted one survives with its seqs,
//! every other room keeps everything and its epoch, and the checker of `faults.rs` finds
//! no seq naming two messages for a client and nothing doubled.

use std::collections::BTreeSet;
use std::time::Duration;

use pintalk_core::ids::RoomId;

use super::Cluster;
use super::faults::{
    Talker, check, come_back_after_resending, come_back_and_resend_everything, talk, talkers,
};
use crate::eventually::eventually;
use crate::redis_cluster::RedisCluster;

/// This test's ports: 7200–7205, their cluster bus 7250–7255.
const PORTS: u16 = 7200;

/// Waits until SQL holds `rounds` messages of every talker's room.
async fn persisted(cluster: &Cluster<RedisCluster>, talkers: &[Talker], rounds: usize) {
    let pool = pintalk_db::connect_and_migrate(&cluster.database_url(), 2).unwrap();
    for talker in talkers {
        let room: RoomId = talker.room.parse().unwrap();
        eventually(
            Duration::from_secs(10),
            &format!("{}: the persister to store {rounds} rounds", talker.name),
            async || {
                let stored = pintalk_db::messages::page(
                    &mut pool.get().unwrap(),
                    room,
                    None,
                    100,
                    pintalk_db::messages::Audience::Members,
                )
                .unwrap();
                (stored.len() >= rounds).then_some(())
            },
        )
        .await;
    }
}

/// The cids whose latest ack names another seq than their first: acked, lost, and
/// stored again when resent (a fresh message took the seq first, so a lost one cannot
/// get its old seq back by chance).
fn lost(talker: &Talker) -> BTreeSet<String> {
    talker
        .first_ack
        .iter()
        .filter(|(cid, (_, seq))| talker.acked[*cid] != *seq)
        .map(|(cid, _)| cid.clone())
        .collect()
}

#[actix_web::test]
async fn cluster_failover_without_replica_acks_loses_exactly_what_neither_replica_nor_sql_held() {
    let redis = RedisCluster::start(PORTS).await;
    let env = vec![("PINTALK__REDIS__CLUSTER_URLS".to_owned(), redis.urls())];
    let mut cluster = Cluster::start_configured(redis, env, &[], 1, 2, |_| None).await;
    let (key, mut talkers) = talkers(&cluster, "cluster-async@example.com").await;
    talk(&cluster, &key, &mut talkers, 0..2).await;

    let masters: Vec<u16> = talkers
        .iter()
        .map(|t| cluster.redis.master_holding(&format!("*:seq:{}", t.room)))
        .collect();
    let victim = masters[0];
    let hit: BTreeSet<usize> = (0..talkers.len())
        .filter(|i| masters[*i] == victim)
        .collect();
    let replica = cluster.redis.replica_of(victim);
    cluster.redis.caught_up(victim, replica).await;
    // Rounds 0–1 are on the replica. From here on it lags: stopped, its link cut, so it
    // cannot connect again before its master dies.
    cluster.redis.pause(replica);
    cluster.redis.cut_replication(victim);
    talk(&cluster, &key, &mut talkers, 2..3).await;
    persisted(&cluster, &talkers, 3).await;
    // Round 2 is in SQL. Rounds 3–4 are acked into the masters alone.
    cluster.accounts[0].kill();
    talk(&cluster, &key, &mut talkers, 3..5).await;
    let before: Vec<Option<i64>> = talkers.iter().map(|t| t.epoch).collect();

    cluster.redis.kill(victim);
    cluster.redis.unpause(replica);
    cluster.redis.failed_over(victim).await;
    cluster.accounts[0].restart().await;
    come_back_and_resend_everything(&cluster, &key, &mut talkers).await;
    talk(&cluster, &key, &mut talkers, 5..6).await;
    come_back_after_resending(&cluster, &key, &mut talkers).await;
    check(&cluster, &mut talkers).await;

    for (i, talker) in talkers.iter().enumerate() {
        assert!(before[i].is_some(), "{}: had an epoch", talker.name);
        let expected: BTreeSet<String> = if hit.contains(&i) {
            assert_ne!(
                before[i], talker.epoch,
                "{}: told of a new epoch",
                talker.name
            );
            (3..5)
                .map(|round| format!("{}-m{round}", talker.name))
                .collect()
        } else {
            assert_eq!(before[i], talker.epoch, "{}: its master lived", talker.name);
            BTreeSet::new()
        };
        assert_eq!(
            lost(talker),
            expected,
            "{}: lost exactly the acks neither the replica nor SQL held",
            talker.name
        );
    }
}
