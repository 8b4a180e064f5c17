//! One suite, both stores: every test runs against the memory bus, against Redis (the
//! server named by `PINTALK_TEST_REDIS`) and against a Redis Cluster (the nodes named by
//! `PINTALK_TEST_REDIS_CLUSTER`, comma-separated); scripts/test sets both, and unset, the
//! Redis halves fail loudly rather than pass without running. Each Redis test gets its
//! own key namespace.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

use std::sync::Arc;
use std::time::Duration;

use pintalk_bus::log::RECENT_WINDOW;
use pintalk_bus::{
    Appended, Bus, BusError, Draft, Log, MemoryBus, OutboxItem, Recent, RedisBus, RedisConfig,
    SentCid, Target, TicketUse, Topic,
};
use pintalk_core::ids::{RoomId, SessionId, SiteId};
use pintalk_core::protocol::{Participant, ParticipantKind, ServerFrame};

fn unique() -> String {
    pintalk_core::secret::hex(&pintalk_core::secret::random_bytes::<8>())
}

fn redis_url() -> String {
    std::env::var("PINTALK_TEST_REDIS")
        .expect("PINTALK_TEST_REDIS must name a Redis server (scripts/test sets it)")
}

async fn redis() -> RedisBus {
    RedisBus::connect(&RedisConfig::url(
        &redis_url(),
        4,
        &format!("pintalk-test-{}", unique()),
    ))
    .await
    .expect("Redis reachable")
}

fn cluster_nodes() -> Vec<String> {
    let nodes = std::env::var("PINTALK_TEST_REDIS_CLUSTER")
        .expect("PINTALK_TEST_REDIS_CLUSTER must name Redis Cluster nodes (scripts/test sets it)");
    nodes.split(',').map(str::to_owned).collect()
}

async fn redis_cluster() -> RedisBus {
    redis_cluster_in(&format!("pintalk-test-{}", unique())).await
}

/// A bus on the test Redis Cluster, under `namespace`.
async fn redis_cluster_in(namespace: &str) -> RedisBus {
    let config = RedisConfig {
        target: Target::Cluster(cluster_nodes()),
        ..RedisConfig::url("", 4, namespace)
    };
    RedisBus::connect(&config)
        .await
        .expect("Redis Cluster reachable")
}

fn visitor() -> Participant {
    Participant {
        kind: ParticipantKind::Visitor,
        id: "v1".into(),
        name: Some("Vi".into()),
    }
}

fn owner() -> Participant {
    Participant {
        kind: ParticipantKind::Owner,
        id: "o1".into(),
        name: Some("Ann".into()),
    }
}

fn draft(room: RoomId, site: SiteId, cid: &str) -> Draft {
    Draft {
        room,
        site,
        cid: cid.into(),
        sender: visitor(),
        body: format!("body of {cid}"),
        note: false,
    }
}

async fn seeded(bus: &dyn Bus) -> (RoomId, SiteId) {
    let (room, site) = (RoomId::new(), SiteId::new());
    bus.seed(room, site, 0, &[]).await.unwrap();
    (room, site)
}

async fn stored(bus: &dyn Bus, d: &Draft) -> (i64, i64) {
    match bus.append(d, 0).await.unwrap() {
        Appended::Stored { seq, ts, .. } => (seq, ts),
        other => panic!("not stored: {other:?}"),
    }
}

fn replayed(recent: Recent) -> Vec<pintalk_core::protocol::Message> {
    match recent {
        Recent::Complete { messages, .. } => messages,
        other => panic!("not a complete replay: {other:?}"),
    }
}

async fn hits_count_up_and_remember_the_last_time(bus: &dyn Bus) {
    let key = unique();
    let window = Duration::from_secs(60);
    assert_eq!(bus.hit(&key, window, 1_000).await.unwrap().count, 1);
    let after = bus.hit(&key, window, 2_000).await.unwrap();
    assert_eq!(after.count, 2);
    assert_eq!(after.last_hit_ms, 2_000);
    assert_eq!(bus.get(&key).await.unwrap(), after);
    bus.clear(&key).await.unwrap();
    assert_eq!(bus.get(&key).await.unwrap().count, 0);
}

async fn counter_expires_after_its_window(bus: &dyn Bus) {
    let key = unique();
    bus.hit(&key, Duration::from_millis(50), 1).await.unwrap();
    // Polls until the store drops the key; bounded so a broken expiry fails, not hangs.
    for _ in 0..100 {
        if bus.get(&key).await.unwrap().count == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("counter never expired");
}

async fn a_fixed_window_counts_until_it_closes_and_is_not_moved_by_hits(bus: &dyn Bus) {
    let key = unique();
    let window = Duration::from_millis(300);
    let first = bus.hit_window(&key, window).await.unwrap();
    assert_eq!(first.count, 1);
    assert!(
        first.resets_in_ms <= 300 && first.resets_in_ms > 0,
        "{first:?}"
    );
    // The other kind of counter on the same key is another counter.
    bus.hit(&key, window, 1).await.unwrap();
    let second = bus.hit_window(&key, window).await.unwrap();
    assert_eq!(second.count, 2);
    assert!(
        second.resets_in_ms <= first.resets_in_ms,
        "hits never move the window's end"
    );
    // Polls until the window closes; bounded so a broken expiry fails, not hangs.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let again = bus.hit_window(&key, window).await.unwrap();
        if again.count == 1 {
            return;
        }
    }
    panic!("the window never closed");
}

async fn append_refuses_an_unseeded_room_then_numbers_from_the_seed(bus: &dyn Bus) {
    let (room, site) = (RoomId::new(), SiteId::new());
    assert_eq!(
        bus.append(&draft(room, site, "a"), 0).await.unwrap(),
        Appended::NotSeeded
    );
    assert_eq!(bus.last_seq(room).await.unwrap(), None);
    let epoch = bus.seed(room, site, 41, &[]).await.unwrap();
    assert_eq!(
        bus.seed(room, site, 0, &[]).await.unwrap(),
        epoch,
        "a seeded room keeps its epoch"
    );
    assert_eq!(bus.room_site(room).await.unwrap(), Some(site));
    assert_eq!(
        bus.append(&draft(room, site, "a"), 0).await.unwrap(),
        Appended::Stored {
            seq: 42,
            ts: bus_ts(bus, room, 42).await,
            epoch
        },
        "seeding never lowers a counter, and the ack names the epoch"
    );
    assert_eq!(stored(bus, &draft(room, site, "b")).await.0, 43);
    assert_eq!(bus.last_seq(room).await.unwrap(), Some(43));
    assert!(
        replayed(bus.recent(room, 41).await.unwrap())
            .iter()
            .all(|m| m.epoch == epoch)
    );
    // A draft naming another site is refused: a room's site is fixed.
    let wrong = bus
        .append(&draft(room, SiteId::new(), "c"), 0)
        .await
        .unwrap();
    assert_eq!(wrong, Appended::WrongSite);
}

async fn resend_with_same_cid_returns_original_ack_and_is_stored_once(bus: &dyn Bus) {
    let (room, site) = seeded(bus).await;
    let (seq, ts) = stored(bus, &draft(room, site, "same")).await;
    let again = bus.append(&draft(room, site, "same"), 0).await.unwrap();
    assert!(matches!(again, Appended::Duplicate { seq: s, ts: t, .. } if (s, t) == (seq, ts)));
    assert_eq!(bus.last_seq(room).await.unwrap(), Some(1));
    assert_eq!(replayed(bus.recent(room, 0).await.unwrap()).len(), 1);
    // The same cid in another room is another message.
    let (other, other_site) = seeded(bus).await;
    assert!(matches!(
        bus.append(&draft(other, other_site, "same"), 0)
            .await
            .unwrap(),
        Appended::Stored { seq: 1, .. }
    ));
}

async fn recent_replays_exactly_the_gap_or_says_it_is_too_old(bus: &dyn Bus) {
    let (room, site) = seeded(bus).await;
    for i in 0..5 {
        stored(bus, &draft(room, site, &format!("c{i}"))).await;
    }
    let gap = replayed(bus.recent(room, 2).await.unwrap());
    assert_eq!(gap.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![3, 4, 5]);
    assert_eq!(gap[0].body, "body of c2");
    assert_eq!(gap[0].sender, visitor());
    assert!(replayed(bus.recent(room, 5).await.unwrap()).is_empty());
    assert_eq!(
        bus.recent(RoomId::new(), 0).await.unwrap(),
        Recent::NotSeeded
    );

    let (long, site) = seeded(bus).await;
    for i in 0..RECENT_WINDOW + 3 {
        stored(bus, &draft(long, site, &format!("l{i}"))).await;
    }
    assert!(matches!(
        bus.recent(long, 0).await.unwrap(),
        Recent::Gap { .. }
    ));
    assert_eq!(
        replayed(bus.recent(long, 3).await.unwrap()).len(),
        RECENT_WINDOW
    );
}

/// The time the bus gave a stored seq, read back from its replay window.
async fn bus_ts(bus: &dyn Bus, room: RoomId, seq: i64) -> i64 {
    replayed(bus.recent(room, seq - 1).await.unwrap())
        .first()
        .map_or(0, |m| m.ts)
}

async fn two_senders_with_the_same_cid_both_get_their_message_stored(bus: &dyn Bus) {
    let (room, site) = seeded(bus).await;
    let (visitors, _) = stored(bus, &draft(room, site, "c-1")).await;
    let owners = Draft {
        sender: owner(),
        body: "the owner's own c-1".into(),
        ..draft(room, site, "c-1")
    };
    let (owners_seq, _) = stored(bus, &owners).await;
    assert_eq!((visitors, owners_seq), (1, 2));
    // Each sender's resend is still recognised as its own.
    assert!(matches!(
        bus.append(&owners, 0).await.unwrap(),
        Appended::Duplicate { seq: 2, .. }
    ));
    let bodies: Vec<String> = replayed(bus.recent(room, 0).await.unwrap())
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies, vec!["body of c-1", "the owner's own c-1"]);
}

async fn a_seed_remembers_stored_cids_so_a_resend_is_recognised(bus: &dyn Bus) {
    let (room, site) = (RoomId::new(), SiteId::new());
    let sent = SentCid {
        sender: visitor(),
        cid: "before-the-loss".into(),
        seq: 7,
        ts: 1_700_000_000_000,
    };
    let epoch = bus.seed(room, site, 7, &[sent]).await.unwrap();
    assert_eq!(
        bus.append(&draft(room, site, "before-the-loss"), 0)
            .await
            .unwrap(),
        Appended::Duplicate {
            seq: 7,
            ts: 1_700_000_000_000,
            epoch
        }
    );
    // Another sender's message with that cid is new.
    let owners = Draft {
        sender: owner(),
        ..draft(room, site, "before-the-loss")
    };
    assert!(matches!(
        bus.append(&owners, 0).await.unwrap(),
        Appended::Stored { seq: 8, .. }
    ));
}

async fn appended_messages_are_published_to_subscribed_topics_only(bus: &dyn Bus) {
    let mut publications = bus.listen().await.unwrap();
    let (room, site) = seeded(bus).await;
    let (quiet, quiet_site) = seeded(bus).await;
    bus.subscribe(Topic::Room(room)).await.unwrap();
    bus.subscribe(Topic::Site(site)).await.unwrap();
    stored(bus, &draft(quiet, quiet_site, "unheard")).await;
    let (seq, ts) = stored(bus, &draft(room, site, "heard")).await;
    let mut got = Vec::new();
    for _ in 0..2 {
        let (topic, frame) = tokio::time::timeout(Duration::from_secs(5), publications.recv())
            .await
            .expect("publication in time")
            .expect("listening");
        let ServerFrame::Message(m) = serde_json::from_str(&frame).unwrap() else {
            panic!("{frame}")
        };
        assert_eq!((m.seq, m.ts, m.cid.as_str()), (seq, ts, "heard"));
        got.push(topic);
    }
    got.sort_by_key(|t| matches!(t, Topic::Site(_)));
    assert_eq!(got, vec![Topic::Room(room), Topic::Site(site)]);

    bus.unsubscribe(Topic::Room(room)).await.unwrap();
    let frame: Arc<str> = Arc::from("{\"type\":\"pong\"}");
    bus.publish(&[Topic::Room(room), Topic::Site(site)], frame.clone())
        .await
        .unwrap();
    let (topic, text) = tokio::time::timeout(Duration::from_secs(5), publications.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((topic, text), (Topic::Site(site), frame));
    // A later publication, to the site only, is the next one heard: nothing for the room
    // came in between.
    let later: Arc<str> = Arc::from("{\"type\":\"pong\",\"later\":true}");
    bus.publish(&[Topic::Site(site)], later.clone())
        .await
        .unwrap();
    let (topic, text) = tokio::time::timeout(Duration::from_secs(5), publications.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((topic, text), (Topic::Site(site), later));
}

/// A note is numbered, kept for replay and queued like any message, but published to the
/// site's topic only: the room's topic is the visitor's.
async fn a_note_is_published_to_the_site_only_and_replayed_marked(bus: &dyn Bus) {
    let mut publications = bus.listen().await.unwrap();
    let (room, site) = seeded(bus).await;
    bus.subscribe(Topic::Room(room)).await.unwrap();
    bus.subscribe(Topic::Site(site)).await.unwrap();
    let note = Draft {
        sender: owner(),
        note: true,
        ..draft(room, site, "note")
    };
    assert_eq!(stored(bus, &note).await.0, 1);
    assert_eq!(stored(bus, &draft(room, site, "reply")).await.0, 2);
    let mut heard = Vec::new();
    for _ in 0..3 {
        let (topic, frame) = tokio::time::timeout(Duration::from_secs(5), publications.recv())
            .await
            .expect("publication in time")
            .expect("listening");
        let ServerFrame::Message(m) = serde_json::from_str(&frame).unwrap() else {
            panic!("{frame}")
        };
        heard.push((topic, m.seq, m.note));
    }
    heard.sort_by_key(|(topic, seq, _)| (*seq, matches!(topic, Topic::Site(_))));
    assert_eq!(
        heard,
        [
            (Topic::Site(site), 1, true),
            (Topic::Room(room), 2, false),
            (Topic::Site(site), 2, false),
        ]
    );
    let Recent::Complete { messages, .. } = bus.recent(room, 0).await.unwrap() else {
        panic!("the window holds both");
    };
    let marks: Vec<(i64, bool)> = messages.iter().map(|m| (m.seq, m.note)).collect();
    assert_eq!(marks, [(1, true), (2, false)]);
    let queued = bus
        .outbox_read("c", 10, Duration::from_millis(100))
        .await
        .unwrap();
    let notes: Vec<bool> = queued
        .iter()
        .filter_map(|e| match &e.item {
            OutboxItem::Message(m) if m.room == room => Some(m.note),
            _ => None,
        })
        .collect();
    assert_eq!(notes, [true, false]);
}

async fn outbox_delivers_each_entry_until_acknowledged(bus: &dyn Bus) {
    let (room, site) = seeded(bus).await;
    stored(bus, &draft(room, site, "o1")).await;
    stored(bus, &draft(room, site, "o2")).await;
    bus.mark_read(room, site, &visitor(), 2).await.unwrap();
    assert_eq!(bus.outbox_backlog().await.unwrap(), 3);
    let entries = bus
        .outbox_read("p1", 10, Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(entries.len(), 3);
    assert!(matches!(&entries[0].item, OutboxItem::Message(m) if m.seq == 1 && m.cid == "o1"));
    assert!(matches!(&entries[2].item, OutboxItem::Read { seq: 2, .. }));
    // Read but not acknowledged: nothing new for anyone, still in the backlog.
    assert!(
        bus.outbox_read("p2", 10, Duration::from_millis(50))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(bus.outbox_backlog().await.unwrap(), 3);
    // A consumer that died: another one claims what it left pending.
    tokio::time::sleep(Duration::from_millis(60)).await;
    let claimed = bus
        .outbox_claim("p2", Duration::from_millis(50), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    let ids: Vec<String> = claimed.iter().map(|e| e.id.clone()).collect();
    bus.outbox_ack(&ids).await.unwrap();
    assert_eq!(bus.outbox_backlog().await.unwrap(), 0);
    assert!(
        bus.outbox_claim("p3", Duration::ZERO, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn full_backlog_refuses_appends(bus: &dyn Bus) {
    // Both stores split the bound over the outbox shards: with a bound of two entries a
    // shard, a room's third unpersisted message is refused, exactly, whatever the store.
    let per_shard = 2;
    let limit = per_shard * u64::from(pintalk_bus::outbox_shards());
    let (room, site) = seeded(bus).await;
    let mut outcomes = Vec::new();
    for i in 0..per_shard + 2 {
        outcomes.push(
            bus.append(&draft(room, site, &format!("f{i}")), limit)
                .await
                .unwrap(),
        );
    }
    assert!(
        outcomes[..2]
            .iter()
            .all(|o| matches!(o, Appended::Stored { .. }))
    );
    assert_eq!(
        outcomes[2..],
        [Appended::BacklogFull, Appended::BacklogFull]
    );
    // Another shard is not full.
    let (other, other_site) = loop {
        let candidate = seeded(bus).await;
        if pintalk_bus::outbox::shard(candidate.0) != pintalk_bus::outbox::shard(room) {
            break candidate;
        }
    };
    assert!(matches!(
        bus.append(&draft(other, other_site, "elsewhere"), limit)
            .await
            .unwrap(),
        Appended::Stored { .. }
    ));
    // Once persisted (read and acknowledged), the shard takes messages again.
    let entries = bus
        .outbox_read("p", 100, Duration::from_millis(50))
        .await
        .unwrap();
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    bus.outbox_ack(&ids).await.unwrap();
    assert!(matches!(
        bus.append(&draft(room, site, "after"), limit)
            .await
            .unwrap(),
        Appended::Stored { .. }
    ));
}

async fn presence_counts_members_until_they_leave_or_lapse(bus: &dyn Bus) {
    let key = unique();
    let ttl = Duration::from_secs(30);
    assert_eq!(bus.presence_join(&key, "a", ttl).await.unwrap(), 1);
    assert_eq!(bus.presence_join(&key, "b", ttl).await.unwrap(), 2);
    assert_eq!(bus.presence_join(&key, "b", ttl).await.unwrap(), 2);
    assert_eq!(bus.presence_leave(&key, "a").await.unwrap(), 1);
    bus.presence_join(&key, "short", Duration::from_millis(30))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(bus.presence_count(&key).await.unwrap(), 1);
    assert_eq!(bus.presence_leave(&key, "b").await.unwrap(), 0);
}

async fn seed_requests_are_taken_once(bus: &dyn Bus) {
    let room = RoomId::new();
    bus.request_seed(room).await.unwrap();
    bus.request_seed(room).await.unwrap();
    assert!(bus.take_seed_requests(100).await.unwrap().contains(&room));
    assert!(!bus.take_seed_requests(100).await.unwrap().contains(&room));
}

async fn a_forgotten_room_refuses_appends_but_not_while_it_holds_unpersisted_seqs(bus: &dyn Bus) {
    let (room, site) = seeded(bus).await;
    let (seq, _) = stored(bus, &draft(room, site, "f-1")).await;
    // SQL has stored only up to seq - 1: the bus keeps the room.
    assert!(!bus.forget(room, seq - 1).await.unwrap());
    assert_eq!(bus.last_seq(room).await.unwrap(), Some(seq));
    assert!(bus.forget(room, seq).await.unwrap());
    assert_eq!(bus.last_seq(room).await.unwrap(), None);
    assert_eq!(bus.room_site(room).await.unwrap(), None);
    assert_eq!(bus.recent(room, 0).await.unwrap(), Recent::NotSeeded);
    assert_eq!(
        bus.append(&draft(room, site, "f-2"), 0).await.unwrap(),
        Appended::NotSeeded
    );
    // Nothing seeds it back while its SQL row is being deleted.
    assert!(matches!(
        bus.seed(room, site, seq, &[]).await,
        Err(BusError::Forgotten(r)) if r == room
    ));
    assert_eq!(bus.last_seq(room).await.unwrap(), None);
    // Forgetting again, or a room never held, succeeds.
    assert!(bus.forget(room, 0).await.unwrap());
    assert!(bus.forget(RoomId::new(), 0).await.unwrap());
}

async fn a_ticket_opens_one_socket(bus: &dyn Bus) {
    let ttl = Duration::from_secs(60);
    let (jti, other) = (unique(), unique());
    assert_eq!(
        bus.use_ticket(&jti, None, 0, ttl).await.unwrap(),
        TicketUse::First
    );
    assert_eq!(
        bus.use_ticket(&jti, None, 0, ttl).await.unwrap(),
        TicketUse::Reused
    );
    assert_eq!(
        bus.use_ticket(&other, None, 0, ttl).await.unwrap(),
        TicketUse::First
    );
    let session = Some(SessionId::new());
    let owners = unique();
    assert_eq!(
        bus.use_ticket(&owners, session, 0, ttl).await.unwrap(),
        TicketUse::First
    );
    assert_eq!(
        bus.use_ticket(&owners, session, 0, ttl).await.unwrap(),
        TicketUse::Reused
    );
}

async fn tickets_of_an_ended_session_are_refused_others_are_not(bus: &dyn Bus) {
    let ttl = Duration::from_secs(60);
    let (ended, live) = (SessionId::new(), SessionId::new());
    bus.revoke_sessions(&[ended], 1_000, ttl).await.unwrap();
    bus.revoke_sessions(&[], 1_000, ttl).await.unwrap();
    assert_eq!(
        bus.use_ticket(&unique(), Some(ended), 0, ttl)
            .await
            .unwrap(),
        TicketUse::Revoked
    );
    assert_eq!(
        bus.use_ticket(&unique(), Some(live), 0, ttl).await.unwrap(),
        TicketUse::First
    );
    assert_eq!(
        bus.use_ticket(&unique(), None, 0, ttl).await.unwrap(),
        TicketUse::First
    );
}

async fn a_ticket_issued_after_a_revocation_is_accepted(bus: &dyn Bus) {
    // What a member's changed access relies on: the tickets issued before it are
    // refused, the next one (granting what they may see now) opens a socket.
    let ttl = Duration::from_secs(60);
    let session = SessionId::new();
    bus.revoke_sessions(&[session], 5_000, ttl).await.unwrap();
    for issued in [0, 4_999, 5_000] {
        assert_eq!(
            bus.use_ticket(&unique(), Some(session), issued, ttl)
                .await
                .unwrap(),
            TicketUse::Revoked,
            "issued at {issued}"
        );
    }
    assert_eq!(
        bus.use_ticket(&unique(), Some(session), 5_001, ttl)
            .await
            .unwrap(),
        TicketUse::First
    );
    // A later revocation refuses that one's successors again.
    bus.revoke_sessions(&[session], 9_000, ttl).await.unwrap();
    assert_eq!(
        bus.use_ticket(&unique(), Some(session), 8_000, ttl)
            .await
            .unwrap(),
        TicketUse::Revoked
    );
}

async fn ticket_records_last_only_their_ttl(bus: &dyn Bus) {
    let short = Duration::from_millis(50);
    let (jti, session) = (unique(), SessionId::new());
    assert_eq!(
        bus.use_ticket(&jti, None, 0, short).await.unwrap(),
        TicketUse::First
    );
    bus.revoke_sessions(&[session], 1_000, short).await.unwrap();
    // Polls until the store forgets both; bounded so a broken expiry fails, not hangs.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let again = bus.use_ticket(&jti, None, 0, short).await.unwrap();
        let revoked = bus
            .use_ticket(&unique(), Some(session), 0, short)
            .await
            .unwrap();
        if again == TicketUse::First && revoked == TicketUse::First {
            return;
        }
    }
    panic!("ticket records never lapsed");
}

macro_rules! conformance {
    ($store:ident, $make:expr, [$($test:ident),* $(,)?]) => {
        mod $store {
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    let bus = $make;
                    super::$test(&bus).await;
                }
            )*
        }
    };
}

macro_rules! every_store {
    ($($test:ident),* $(,)?) => {
        conformance!(memory, MemoryBus::default(), [$($test),*]);
        conformance!(redis_store, redis().await, [$($test),*]);
        conformance!(redis_cluster, redis_cluster().await, [$($test),*]);
    };
}

every_store!(
    hits_count_up_and_remember_the_last_time,
    counter_expires_after_its_window,
    a_fixed_window_counts_until_it_closes_and_is_not_moved_by_hits,
    append_refuses_an_unseeded_room_then_numbers_from_the_seed,
    resend_with_same_cid_returns_original_ack_and_is_stored_once,
    recent_replays_exactly_the_gap_or_says_it_is_too_old,
    appended_messages_are_published_to_subscribed_topics_only,
    a_note_is_published_to_the_site_only_and_replayed_marked,
    outbox_delivers_each_entry_until_acknowledged,
    full_backlog_refuses_appends,
    presence_counts_members_until_they_leave_or_lapse,
    seed_requests_are_taken_once,
    a_forgotten_room_refuses_appends_but_not_while_it_holds_unpersisted_seqs,
    two_senders_with_the_same_cid_both_get_their_message_stored,
    a_seed_remembers_stored_cids_so_a_resend_is_recognised,
    a_ticket_opens_one_socket,
    tickets_of_an_ended_session_are_refused_others_are_not,
    a_ticket_issued_after_a_revocation_is_accepted,
    ticket_records_last_only_their_ttl,
);

/// Redis only: what a restart looks like to the bus. A Redis that restarted (here: whose
/// recorded run id is not its own, as after a restart from an AOF file) has a new
/// generation once a new connection is fenced; its rooms refuse appends until seeded
/// again, in a new epoch that continues from the higher of SQL's seq and the counter
/// Redis kept, never reusing a seq.
#[tokio::test]
async fn after_a_redis_restart_rooms_wait_for_a_new_epoch_that_reuses_no_seq() {
    let namespace = format!("pintalk-test-{}", unique());
    let before = RedisBus::connect(&RedisConfig::url(&redis_url(), 2, &namespace))
        .await
        .unwrap();
    let (room, site) = (RoomId::new(), SiteId::new());
    let first = before.seed(room, site, 0, &[]).await.unwrap();
    for i in 0..3 {
        stored(&before, &draft(room, site, &format!("r{i}"))).await;
    }
    // Forget the run id every shard recorded: the next connection sees "another" Redis.
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{{{namespace}:o*}}:run-id"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), pintalk_bus::outbox_shards() as usize);
    for key in &keys {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg("an-earlier-process")
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let after = RedisBus::connect(&RedisConfig::url(&redis_url(), 2, &namespace))
        .await
        .unwrap();
    assert_eq!(
        after.append(&draft(room, site, "r3"), 0).await.unwrap(),
        Appended::NotSeeded
    );
    assert_eq!(after.recent(room, 0).await.unwrap(), Recent::NotSeeded);
    // SQL holds only seq 2; Redis kept 3: numbering goes on from 3, in a new epoch.
    let second = after.seed(room, site, 2, &[]).await.unwrap();
    assert_ne!(second, first);
    match after.append(&draft(room, site, "r3"), 0).await.unwrap() {
        Appended::Stored { seq, epoch, .. } => assert_eq!((seq, epoch), (4, second)),
        other => panic!("{other:?}"),
    }
    // The resend of a message Redis kept is still a duplicate, now in the new epoch.
    assert!(matches!(
        after.append(&draft(room, site, "r1"), 0).await.unwrap(),
        Appended::Duplicate { seq: 2, epoch, .. } if epoch == second
    ));
}

/// Redis only: SQL ahead of what Redis kept (messages persisted, then lost from an AOF
/// that had not reached the disk): the counter continues from SQL's, and the replay
/// window, which cannot reach across SQL's newest messages, is emptied.
#[tokio::test]
async fn a_seed_behind_sql_continues_from_sql_and_drops_the_window() {
    let namespace = format!("pintalk-test-{}", unique());
    let bus = RedisBus::connect(&RedisConfig::url(&redis_url(), 2, &namespace))
        .await
        .unwrap();
    let (room, site) = (RoomId::new(), SiteId::new());
    bus.seed(room, site, 0, &[]).await.unwrap();
    stored(&bus, &draft(room, site, "w1")).await;
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let epoch_key = format!(
        "{}",
        String::from_utf8_lossy(
            &redis::cmd("KEYS")
                .arg(format!("{{{namespace}:o*}}:epoch:{room}"))
                .query_async::<Vec<Vec<u8>>>(&mut conn)
                .await
                .unwrap()[0]
        )
    );
    let _: () = redis::cmd("DEL")
        .arg(&epoch_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    bus.seed(room, site, 5, &[]).await.unwrap();
    assert!(matches!(
        bus.recent(room, 0).await.unwrap(),
        Recent::Gap { .. }
    ));
    assert_eq!(stored(&bus, &draft(room, site, "w2")).await.0, 6);
}

/// Redis Cluster only: a cluster connection follows a failover by itself, with no new
/// connection to fence, so the append script fences itself. A shard whose recorded run id
/// is not its master's (as on a promoted replica, which holds its old master's record)
/// refuses the very next append, on a connection opened before, until seeded again in a
/// new epoch that reuses no seq.
#[tokio::test]
async fn on_a_cluster_the_append_itself_notices_a_new_master() {
    let namespace = format!("pintalk-test-{}", unique());
    let bus = redis_cluster_in(&namespace).await;
    let (room, site) = (RoomId::new(), SiteId::new());
    let first = bus.seed(room, site, 0, &[]).await.unwrap();
    stored(&bus, &draft(room, site, "n1")).await;
    let client = redis::cluster::ClusterClient::new(cluster_nodes()).unwrap();
    let mut conn = client.get_async_connection().await.unwrap();
    let shard = pintalk_bus::outbox::shard(room);
    let _: () = redis::cmd("SET")
        .arg(format!("{{{namespace}:o{shard}}}:run-id"))
        .arg("the-old-master")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        bus.append(&draft(room, site, "n2"), 0).await.unwrap(),
        Appended::NotSeeded
    );
    let second = bus.seed(room, site, 1, &[]).await.unwrap();
    assert_ne!(second, first);
    match bus.append(&draft(room, site, "n2"), 0).await.unwrap() {
        Appended::Stored { seq, epoch, .. } => assert_eq!((seq, epoch), (2, second)),
        other => panic!("{other:?}"),
    }
}

/// Redis Cluster only: reads fence as appends do. On a shard whose recorded run id is not
/// its master's (a promoted replica), a resuming client's `recent` and a session's
/// `last_seq` find the room not seeded — before any append there — rather than current
/// in the epoch the failover voided; the seed then starts a new one.
#[tokio::test]
async fn on_a_cluster_reads_notice_a_new_master_before_any_append() {
    let namespace = format!("pintalk-test-{}", unique());
    let bus = redis_cluster_in(&namespace).await;
    let client = redis::cluster::ClusterClient::new(cluster_nodes()).unwrap();
    let mut conn = client.get_async_connection().await.unwrap();
    let (room, site) = (RoomId::new(), SiteId::new());
    let first = bus.seed(room, site, 0, &[]).await.unwrap();
    stored(&bus, &draft(room, site, "r1")).await;
    let shard = pintalk_bus::outbox::shard(room);
    let failed_over = async |conn: &mut redis::cluster_async::ClusterConnection| {
        let _: () = redis::cmd("SET")
            .arg(format!("{{{namespace}:o{shard}}}:run-id"))
            .arg("the-old-master")
            .query_async(conn)
            .await
            .unwrap();
    };
    failed_over(&mut conn).await;
    assert_eq!(bus.recent(room, 1).await.unwrap(), Recent::NotSeeded);
    let second = bus.seed(room, site, 1, &[]).await.unwrap();
    assert_ne!(second, first);
    assert_eq!(bus.last_seq(room).await.unwrap(), Some(1));
    failed_over(&mut conn).await;
    assert_eq!(bus.last_seq(room).await.unwrap(), None);
}

/// Redis Cluster only: with `ack_after_replicas`, `WAIT` runs at the master owning the
/// room (redis-rs would send a keyless `WAIT` to every master), for a first append and
/// for a duplicate alike; every master of the test cluster has a replica.
#[tokio::test]
async fn on_a_cluster_appends_wait_for_the_rooms_replica() {
    let config = RedisConfig {
        target: Target::Cluster(cluster_nodes()),
        ack_after_replicas: 1,
        ..RedisConfig::url("", 4, &format!("pintalk-test-{}", unique()))
    };
    let bus = RedisBus::connect(&config).await.unwrap();
    let (room, site) = seeded(&bus).await;
    let first = bus.append(&draft(room, site, "w1"), 0).await.unwrap();
    assert!(
        matches!(first, Appended::Stored { seq: 1, .. }),
        "{first:?}"
    );
    let again = bus.append(&draft(room, site, "w1"), 0).await.unwrap();
    assert!(
        matches!(again, Appended::Duplicate { seq: 1, .. }),
        "{again:?}"
    );
}
