//! One suite, both stores: every test runs against the memory bus and against Redis (the
//! server named by `PINTALK_TEST_REDIS`, which scripts/test sets; unset, the Redis half
//! fails loudly rather than pass without running). Each Redis test gets its own key
//! namespace.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

use std::sync::Arc;
use std::time::Duration;

use pintalk_bus::realtime::RECENT_WINDOW;
use pintalk_bus::{
    Appended, Bus, Draft, MemoryBus, OutboxItem, Recent, RedisBus, TicketUse, Topic,
};
use pintalk_core::ids::{RoomId, SessionId, SiteId};
use pintalk_core::protocol::{Participant, ParticipantKind, ServerFrame};

fn unique() -> String {
    pintalk_core::secret::hex(&pintalk_core::secret::random_bytes::<8>())
}

async fn redis() -> RedisBus {
    let url = std::env::var("PINTALK_TEST_REDIS")
        .expect("PINTALK_TEST_REDIS must name a Redis server (scripts/test sets it)");
    RedisBus::connect(&url, 4, &format!("pintalk-test-{}", unique()))
        .await
        .expect("Redis reachable")
}

fn visitor() -> Participant {
    Participant {
        kind: ParticipantKind::Visitor,
        id: "v1".into(),
        name: Some("Vi".into()),
    }
}

fn draft(room: RoomId, site: SiteId, cid: &str) -> Draft {
    Draft {
        room,
        site,
        cid: cid.into(),
        sender: visitor(),
        body: format!("body of {cid}"),
    }
}

async fn seeded(bus: &dyn Bus) -> (RoomId, SiteId) {
    let (room, site) = (RoomId::new(), SiteId::new());
    assert!(bus.seed(room, site, 0).await.unwrap());
    (room, site)
}

async fn stored(bus: &dyn Bus, d: &Draft) -> (i64, i64) {
    match bus.append(d, 0).await.unwrap() {
        Appended::Stored { seq, ts } => (seq, ts),
        other => panic!("not stored: {other:?}"),
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

async fn append_refuses_an_unseeded_room_then_numbers_from_the_seed(bus: &dyn Bus) {
    let (room, site) = (RoomId::new(), SiteId::new());
    assert_eq!(
        bus.append(&draft(room, site, "a"), 0).await.unwrap(),
        Appended::NotSeeded
    );
    assert_eq!(bus.last_seq(room).await.unwrap(), None);
    assert!(bus.seed(room, site, 41).await.unwrap());
    assert!(
        !bus.seed(room, site, 0).await.unwrap(),
        "seeding never lowers a counter"
    );
    assert_eq!(bus.room_site(room).await.unwrap(), Some(site));
    assert_eq!(stored(bus, &draft(room, site, "a")).await.0, 42);
    assert_eq!(stored(bus, &draft(room, site, "b")).await.0, 43);
    assert_eq!(bus.last_seq(room).await.unwrap(), Some(43));
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
    assert_eq!(again, Appended::Duplicate { seq, ts });
    assert_eq!(bus.last_seq(room).await.unwrap(), Some(1));
    let Recent::Complete(messages) = bus.recent(room, 0).await.unwrap() else {
        panic!("gap")
    };
    assert_eq!(messages.len(), 1);
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
    let Recent::Complete(gap) = bus.recent(room, 2).await.unwrap() else {
        panic!("gap")
    };
    assert_eq!(gap.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![3, 4, 5]);
    assert_eq!(gap[0].body, "body of c2");
    assert_eq!(gap[0].sender, visitor());
    assert_eq!(bus.recent(room, 5).await.unwrap(), Recent::Complete(vec![]));
    assert_eq!(bus.recent(RoomId::new(), 0).await.unwrap(), Recent::Gap);

    let (long, site) = seeded(bus).await;
    for i in 0..RECENT_WINDOW + 3 {
        stored(bus, &draft(long, site, &format!("l{i}"))).await;
    }
    assert_eq!(bus.recent(long, 0).await.unwrap(), Recent::Gap);
    let Recent::Complete(tail) = bus.recent(long, 3).await.unwrap() else {
        panic!("gap")
    };
    assert_eq!(tail.len(), RECENT_WINDOW);
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
    assert!(
        tokio::time::timeout(Duration::from_millis(200), publications.recv())
            .await
            .is_err()
    );
}

async fn outbox_delivers_each_entry_until_acknowledged(bus: &dyn Bus) {
    let (room, site) = seeded(bus).await;
    stored(bus, &draft(room, site, "o1")).await;
    stored(bus, &draft(room, site, "o2")).await;
    bus.push_read(room, site, &visitor(), 2).await.unwrap();
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
    let (room, site) = seeded(bus).await;
    // Redis bounds each of its outbox shards; one room fills one shard.
    let limit = 2 * u64::from(pintalk_bus::redis_shards());
    let mut outcomes = Vec::new();
    for i in 0..(limit + 4) {
        outcomes.push(
            bus.append(&draft(room, site, &format!("f{i}")), limit)
                .await
                .unwrap(),
        );
    }
    assert!(outcomes.contains(&Appended::BacklogFull));
    assert!(matches!(outcomes[0], Appended::Stored { .. }));
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

async fn a_ticket_opens_one_socket(bus: &dyn Bus) {
    let ttl = Duration::from_secs(60);
    let (jti, other) = (unique(), unique());
    assert_eq!(
        bus.use_ticket(&jti, None, ttl).await.unwrap(),
        TicketUse::First
    );
    assert_eq!(
        bus.use_ticket(&jti, None, ttl).await.unwrap(),
        TicketUse::Reused
    );
    assert_eq!(
        bus.use_ticket(&other, None, ttl).await.unwrap(),
        TicketUse::First
    );
    let session = Some(SessionId::new());
    let owners = unique();
    assert_eq!(
        bus.use_ticket(&owners, session, ttl).await.unwrap(),
        TicketUse::First
    );
    assert_eq!(
        bus.use_ticket(&owners, session, ttl).await.unwrap(),
        TicketUse::Reused
    );
}

async fn tickets_of_an_ended_session_are_refused_others_are_not(bus: &dyn Bus) {
    let ttl = Duration::from_secs(60);
    let (ended, live) = (SessionId::new(), SessionId::new());
    bus.revoke_sessions(&[ended], ttl).await.unwrap();
    bus.revoke_sessions(&[], ttl).await.unwrap();
    assert_eq!(
        bus.use_ticket(&unique(), Some(ended), ttl).await.unwrap(),
        TicketUse::Revoked
    );
    assert_eq!(
        bus.use_ticket(&unique(), Some(live), ttl).await.unwrap(),
        TicketUse::First
    );
    assert_eq!(
        bus.use_ticket(&unique(), None, ttl).await.unwrap(),
        TicketUse::First
    );
}

async fn ticket_records_last_only_their_ttl(bus: &dyn Bus) {
    let short = Duration::from_millis(50);
    let (jti, session) = (unique(), SessionId::new());
    assert_eq!(
        bus.use_ticket(&jti, None, short).await.unwrap(),
        TicketUse::First
    );
    bus.revoke_sessions(&[session], short).await.unwrap();
    // Polls until the store forgets both; bounded so a broken expiry fails, not hangs.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let again = bus.use_ticket(&jti, None, short).await.unwrap();
        let revoked = bus
            .use_ticket(&unique(), Some(session), short)
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

macro_rules! both_stores {
    ($($test:ident),* $(,)?) => {
        conformance!(memory, MemoryBus::default(), [$($test),*]);
        conformance!(redis_store, redis().await, [$($test),*]);
    };
}

both_stores!(
    hits_count_up_and_remember_the_last_time,
    counter_expires_after_its_window,
    append_refuses_an_unseeded_room_then_numbers_from_the_seed,
    resend_with_same_cid_returns_original_ack_and_is_stored_once,
    recent_replays_exactly_the_gap_or_says_it_is_too_old,
    appended_messages_are_published_to_subscribed_topics_only,
    outbox_delivers_each_entry_until_acknowledged,
    full_backlog_refuses_appends,
    presence_counts_members_until_they_leave_or_lapse,
    seed_requests_are_taken_once,
    a_ticket_opens_one_socket,
    tickets_of_an_ended_session_are_refused_others_are_not,
    ticket_records_last_only_their_ttl,
);
