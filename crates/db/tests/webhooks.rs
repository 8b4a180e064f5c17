//! The webhook queue on every backend: events queued with the facts they tell of, once
//! each however often a batch is replayed, and claimed by one deliverer at a time.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

mod fixtures;

use fixtures::{owner, pool, room_with_visitor, site, visitor_message};
use pintalk_core::clock::now_ms;
use pintalk_core::ids::WebhookId;
use pintalk_core::protocol::RoomStatus;
use pintalk_core::webhook::{DeliveryStatus, WebhookEvent, WebhookEvents};
use pintalk_db::deliveries::{self, Attempt, Next};
use pintalk_db::messages::{Batch, persist};
use pintalk_db::models::{Site, Webhook};
use pintalk_db::{DbConnection, webhooks};

fn endpoint(
    conn: &mut DbConnection,
    site: &Site,
    events: &[WebhookEvent],
    enabled: bool,
) -> Webhook {
    let hook = Webhook {
        id: WebhookId::new(),
        site_id: site.id,
        url: "https://hooks.example.com/in".into(),
        events: WebhookEvents::new(events.to_vec()).unwrap(),
        secret: "whsec_test".into(),
        enabled,
        created_at: now_ms(),
        updated_at: now_ms(),
    };
    assert!(webhooks::insert(conn, &hook, 10).unwrap());
    hook
}

/// The queued events of an endpoint, as (event, event id), in the events' order (ids
/// made in one millisecond need not sort by time).
fn queued(conn: &mut DbConnection, hook: &Webhook) -> Vec<(WebhookEvent, String)> {
    deliveries::all_of(conn, hook.id)
        .unwrap()
        .into_iter()
        .map(|d| (d.event, d.event_id))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn a_replayed_batch_queues_each_event_once_and_a_skipped_cid_none() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "w@example.com");
    let s = site(conn, o.id, "pk_w");
    let room = room_with_visitor(conn, &s);
    let all = endpoint(conn, &s, WebhookEvent::ALL, true);
    let off = endpoint(conn, &s, WebhookEvent::ALL, false);
    let only_closed = endpoint(conn, &s, &[WebhookEvent::ConversationClosed], true);

    let first = visitor_message(&room, 1, now_ms());
    let mut resent = visitor_message(&room, 3, now_ms());
    resent.cid = first.cid.clone();
    let batch = Batch {
        messages: vec![first, visitor_message(&room, 2, now_ms()), resent],
        ..Batch::default()
    };
    persist(conn, &batch).unwrap();
    persist(conn, &batch).unwrap();
    let events: Vec<WebhookEvent> = queued(conn, &all).into_iter().map(|(e, _)| e).collect();
    assert_eq!(
        events,
        [
            WebhookEvent::ConversationCreated,
            WebhookEvent::MessageCreated,
            WebhookEvent::MessageCreated
        ],
        "seq 3 repeated a cid and was not stored: no event for it"
    );
    assert!(
        queued(conn, &off).is_empty(),
        "a disabled endpoint gets nothing"
    );
    assert!(queued(conn, &only_closed).is_empty());

    assert!(webhooks::change_room_status(conn, room.id, RoomStatus::Closed).unwrap());
    assert!(!webhooks::change_room_status(conn, room.id, RoomStatus::Closed).unwrap());
    let after_close = Batch {
        messages: vec![visitor_message(&room, 4, now_ms() + 1000)],
        ..Batch::default()
    };
    persist(conn, &after_close).unwrap();
    persist(conn, &after_close).unwrap();
    let events: Vec<WebhookEvent> = queued(conn, &all).into_iter().map(|(e, _)| e).collect();
    use WebhookEvent::{ConversationClosed, ConversationCreated, ConversationReopened};
    let message = WebhookEvent::MessageCreated;
    assert_eq!(
        events,
        [
            ConversationCreated,
            message,
            message,
            message,
            ConversationClosed,
            ConversationReopened
        ]
    );
    assert_eq!(
        queued(conn, &only_closed).len(),
        1,
        "a close that changed nothing is no event"
    );
    let ids: std::collections::BTreeSet<String> =
        queued(conn, &all).into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), 6, "every event its own id");
}

#[test]
fn of_two_claimers_one_gets_each_delivery_and_a_lapsed_claim_cannot_record() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "c@example.com");
    let s = site(conn, o.id, "pk_c");
    let room = room_with_visitor(conn, &s);
    let hook = endpoint(conn, &s, &[WebhookEvent::MessageCreated], true);
    let batch = Batch {
        messages: (1..=3)
            .map(|seq| visitor_message(&room, seq, now_ms()))
            .collect(),
        ..Batch::default()
    };
    persist(conn, &batch).unwrap();

    let now = now_ms() + 1;
    let due = deliveries::due(conn, now, 10).unwrap();
    assert_eq!(due.len(), 3);
    let a = deliveries::claim(conn, &due, "a", now, now + 60_000).unwrap();
    let b = deliveries::claim(conn, &due, "b", now, now + 60_000).unwrap();
    assert_eq!((a.len(), b.len()), (3, 0), "the first claim takes them all");
    assert!(deliveries::due(conn, now, 10).unwrap().is_empty());

    let delivered = Attempt {
        at: now,
        status: Some(204),
        error: None,
        next: Next::Delivered,
        give_up_at: now + 1000,
    };
    let (first, _) = &a[0];
    assert!(!deliveries::record(conn, first.id, "b", &delivered).unwrap());
    assert!(deliveries::record(conn, first.id, "a", &delivered).unwrap());
    let retry = Attempt {
        next: Next::RetryAt(now + 50),
        status: Some(500),
        error: Some("answered 500".into()),
        ..delivered.clone()
    };
    let (second, _) = &a[1];
    assert!(deliveries::record(conn, second.id, "a", &retry).unwrap());
    // Not due before its retry time, due after it, to anyone.
    assert!(deliveries::due(conn, now + 49, 10).unwrap().is_empty());
    assert!(
        deliveries::due(conn, now + 50, 10)
            .unwrap()
            .contains(&second.id)
    );

    let rows = deliveries::all_of(conn, hook.id).unwrap();
    let stored = rows.iter().find(|d| d.id == first.id).unwrap();
    assert_eq!(
        (stored.status, stored.attempts),
        (DeliveryStatus::Delivered, 1)
    );
    let again = deliveries::redeliver(conn, hook.id, first.id, now + 100)
        .unwrap()
        .unwrap();
    assert_eq!(again.status, DeliveryStatus::Pending);
    assert!(
        deliveries::due(conn, now + 100, 10)
            .unwrap()
            .contains(&first.id)
    );
}
