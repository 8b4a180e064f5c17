//! Repository behaviour on a private database: SQLite by default, MySQL/MariaDB when
//! `PINTALK_TEST_MYSQL` is set, PostgreSQL when `PINTALK_TEST_POSTGRES` is (scripts/test
//! runs all three).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

mod fixtures;

use fixtures::{owner, pool, room_with_visitor, site, visitor_message};
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, SiteId};
use pintalk_db::models::TokenPurpose;
use pintalk_db::sessions::Rotation;
use pintalk_db::{DbConnection, one_time_tokens, owners, run_migrations, sessions, sites};
use pintalk_test_db::TestDatabase;

#[test]
fn migrations_are_idempotent() {
    let (_db, pool) = pool();
    assert_eq!(run_migrations(&mut pool.get().unwrap()).unwrap(), 0);
}

#[test]
fn processes_starting_at_once_migrate_once_and_all_succeed() {
    let db = TestDatabase::new().expect("test database");
    let applied: Vec<usize> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut conn = pintalk_db::Backend::from_url(&db.url)
                        .unwrap()
                        .connect()
                        .unwrap();
                    run_migrations(&mut conn).unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(applied.iter().filter(|&&n| n > 0).count(), 1, "{applied:?}");
}

#[test]
fn unknown_backend_is_a_clear_error() {
    let err = pintalk_db::Backend::from_url("oracle://x").unwrap_err();
    assert!(
        err.to_string()
            .contains("sqlite://, mysql:// or postgres://"),
        "{err}"
    );
}

#[test]
fn each_scheme_selects_its_backend_or_names_the_feature_it_needs() {
    let schemes = [
        ("mysql://u@db/p", "mysql", cfg!(feature = "mysql")),
        ("postgres://u@db/p", "postgres", cfg!(feature = "postgres")),
        (
            "postgresql://u@db/p",
            "postgres",
            cfg!(feature = "postgres"),
        ),
    ];
    for (url, name, compiled) in schemes {
        match pintalk_db::Backend::from_url(url) {
            Ok(backend) => assert_eq!((compiled, backend.name()), (true, name), "{url}"),
            Err(err) => {
                assert!(!compiled, "{url}: {err}");
                assert!(
                    err.to_string().contains(&format!("--features {name}")),
                    "{err}"
                );
            }
        }
    }
}

#[test]
fn email_is_unique() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    owner(conn, "a@example.com");
    let mut dup = owner(conn, "b@example.com");
    dup.id = OwnerId::new();
    dup.email = "a@example.com".into();
    assert!(owners::insert(conn, dup).unwrap_err().is_unique_violation());
}

#[test]
fn site_keys_compare_exactly_not_case_insensitively() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "k@example.com");
    site(conn, o.id, "pk_AbC");
    assert!(sites::find_by_key(conn, "pk_AbC").unwrap().is_some());
    assert!(sites::find_by_key(conn, "pk_abc").unwrap().is_none());
}

#[test]
fn refresh_token_rotates_once_and_reuse_revokes_the_session() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "r@example.com");
    let session = sessions::start(conn, o.id, "h1", now_ms() + 60_000).unwrap();
    assert!(
        matches!(sessions::rotate(conn, "h1", "h2").unwrap(), Rotation::Rotated(s) if s.id == session.id)
    );
    assert!(matches!(
        sessions::rotate(conn, "h1", "h3").unwrap(),
        Rotation::Reused(s) if s == session.id
    ));
    assert!(matches!(
        sessions::rotate(conn, "h2", "h4").unwrap(),
        Rotation::Invalid
    ));
    assert!(
        sessions::live_owner(conn, o.id, session.id)
            .unwrap()
            .is_none()
    );
}

#[test]
fn revoke_all_names_the_live_sessions_it_ended() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "all@example.com");
    let a = sessions::start(conn, o.id, "a1", now_ms() + 60_000).unwrap();
    let b = sessions::start(conn, o.id, "b1", now_ms() + 60_000).unwrap();
    let gone = sessions::start(conn, o.id, "c1", now_ms() + 60_000).unwrap();
    sessions::revoke(conn, gone.id).unwrap();
    let mut ended = sessions::revoke_all(conn, o.id).unwrap();
    let mut live = vec![a.id, b.id];
    ended.sort();
    live.sort();
    assert_eq!(ended, live);
    assert!(sessions::revoke_all(conn, o.id).unwrap().is_empty());
}

#[test]
fn one_time_token_is_consumed_once_and_not_after_expiry() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "t@example.com");
    one_time_tokens::create(
        conn,
        o.id,
        TokenPurpose::VerifyEmail,
        "v1",
        now_ms() + 60_000,
    )
    .unwrap();
    assert!(
        one_time_tokens::consume(conn, TokenPurpose::ResetPassword, "v1")
            .unwrap()
            .is_none()
    );
    assert!(one_time_tokens::is_usable(conn, TokenPurpose::VerifyEmail, "v1").unwrap());
    assert_eq!(
        one_time_tokens::consume(conn, TokenPurpose::VerifyEmail, "v1")
            .unwrap()
            .map(|t| t.owner_id),
        Some(o.id)
    );
    assert!(!one_time_tokens::is_usable(conn, TokenPurpose::VerifyEmail, "v1").unwrap());
    assert!(
        one_time_tokens::consume(conn, TokenPurpose::VerifyEmail, "v1")
            .unwrap()
            .is_none()
    );
    one_time_tokens::create(conn, o.id, TokenPurpose::VerifyEmail, "v2", now_ms() - 1).unwrap();
    assert!(
        one_time_tokens::consume(conn, TokenPurpose::VerifyEmail, "v2")
            .unwrap()
            .is_none()
    );
}

#[test]
fn deleting_an_owner_cascades_to_sessions_and_sites() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "d@example.com");
    let s = site(conn, o.id, "pk_d");
    let session = sessions::start(conn, o.id, "hd", now_ms() + 60_000).unwrap();
    owners::delete(conn, o.id).unwrap();
    assert!(sites::find(conn, s.id).unwrap().is_none());
    assert!(
        pintalk_db::workspaces::memberships(conn, o.id)
            .unwrap()
            .is_empty()
    );
    assert!(sites::find_by_key(conn, "pk_d").unwrap().is_none());
    assert!(matches!(
        sessions::rotate(conn, "hd", "hx").unwrap(),
        Rotation::Invalid
    ));
    assert!(
        sessions::live_owner(conn, o.id, session.id)
            .unwrap()
            .is_none()
    );
}

/// The sites `owner` may reach.
fn granted(conn: &mut DbConnection, owner: OwnerId) -> Vec<SiteId> {
    pintalk_db::workspaces::grants(conn, owner)
        .unwrap()
        .into_iter()
        .map(|g| g.site)
        .collect()
}

#[test]
fn sites_are_scoped_to_the_members_of_their_workspace() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let alice = owner(conn, "alice@example.com");
    let mallory = owner(conn, "mallory@example.com");
    let s = site(conn, alice.id, "pk_alice");
    let mallorys = granted(conn, mallory.id);
    assert!(mallorys.is_empty());
    assert!(sites::find_in(conn, &mallorys, s.id).unwrap().is_none());
    assert!(!sites::delete(conn, &mallorys, s.id).unwrap());
    let alices = granted(conn, alice.id);
    assert_eq!(alices, vec![s.id]);
    assert!(sites::find_in(conn, &alices, s.id).unwrap().is_some());
}

#[test]
fn persisting_is_idempotent_and_reopens_only_for_messages_written_after_the_close() {
    use pintalk_db::messages::{Batch, persist};
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "p@example.com");
    let s = site(conn, o.id, "pk_p");
    let room = room_with_visitor(conn, &s);
    let before_close = now_ms() - 1000;
    let first = Batch {
        messages: vec![visitor_message(&room, 1, before_close)],
        ..Batch::default()
    };
    assert_eq!(persist(conn, &first).unwrap().started, vec![room.id]);
    persist(conn, &first).unwrap();
    assert_eq!(
        pintalk_db::messages::page(
            conn,
            room.id,
            None,
            10,
            pintalk_db::messages::Audience::Members
        )
        .unwrap()
        .len(),
        1
    );

    pintalk_db::rooms::set_status(conn, room.id, pintalk_core::protocol::RoomStatus::Closed)
        .unwrap();
    // Written before the close, stored after it: the room stays closed.
    let late = Batch {
        messages: vec![visitor_message(&room, 2, before_close + 1)],
        ..Batch::default()
    };
    assert!(persist(conn, &late).unwrap().reopened.is_empty());
    // Written after the close: it reopens.
    let after = Batch {
        messages: vec![visitor_message(&room, 3, now_ms() + 1000)],
        ..Batch::default()
    };
    assert_eq!(persist(conn, &after).unwrap().reopened, vec![room.id]);
    assert_eq!(
        pintalk_db::rooms::find(conn, room.id)
            .unwrap()
            .unwrap()
            .last_seq,
        3
    );
}

#[test]
fn a_visitor_message_schedules_one_mail_and_one_notifier_claims_it() {
    use pintalk_core::domain::Recipient;
    use pintalk_core::protocol::ParticipantKind;
    use pintalk_db::messages::{Batch, NotifyDelays, persist};
    use pintalk_db::notifications::{claim, due_owners, notified, scheduled};
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "n@example.com");
    let s = site(conn, o.id, "pk_n");
    let room = room_with_visitor(conn, &s);
    let at = now_ms();
    let batch = |seq| Batch {
        messages: vec![visitor_message(&room, seq, at)],
        notify: Some(NotifyDelays {
            owner_ms: 1000,
            visitor_ms: 5000,
            push_ms: None,
        }),
        ..Batch::default()
    };
    persist(conn, &batch(1)).unwrap();
    persist(conn, &batch(1)).unwrap();
    persist(conn, &batch(2)).unwrap();
    let rows = scheduled(conn, o.id).unwrap();
    assert_eq!(rows.len(), 1, "one row per room, however many messages");
    assert_eq!(rows[0].due_at, at + 1000, "due after the first message");

    assert!(due_owners(conn, at, 10).unwrap().is_empty(), "not due yet");
    let due = at + 1000;
    assert_eq!(due_owners(conn, due, 10).unwrap(), vec![o.id]);
    let first = claim(conn, o.id, "one", due, due + 60_000).unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        claim(conn, o.id, "two", due, due + 60_000)
            .unwrap()
            .is_empty(),
        "taken"
    );
    // A notifier that died: its claim lapses and another takes the row.
    let later = due + 60_001;
    assert_eq!(
        claim(conn, o.id, "two", later, later + 60_000)
            .unwrap()
            .len(),
        1
    );
    notified(conn, room.id, Recipient::Owner, "two", 2, later + 3_600_000).unwrap();
    persist(conn, &batch(3)).unwrap();
    let quiet = scheduled(conn, o.id).unwrap();
    assert_eq!(
        (quiet[0].notified_seq, quiet[0].due_at),
        (2, later + 3_600_000),
        "quiet after a mail: a new message does not reschedule"
    );
    // The owner's answer schedules a mail to the visitor, on its own delay.
    let mut answer = visitor_message(&room, 4, at);
    answer.sender_kind = ParticipantKind::Owner;
    answer.sender_id = o.id.to_string();
    persist(
        conn,
        &Batch {
            messages: vec![answer],
            ..batch(4)
        },
    )
    .unwrap();
    let to_visitor: Vec<_> = scheduled(conn, o.id)
        .unwrap()
        .into_iter()
        .filter(|r| r.recipient == Recipient::Visitor)
        .collect();
    assert_eq!(to_visitor.len(), 1);
    assert_eq!(to_visitor[0].due_at, at + 5000);
}

#[test]
fn push_subscriptions_are_bounded_renewed_in_place_and_scheduled_only_for_subscribers() {
    use pintalk_core::domain::Recipient;
    use pintalk_core::ids::PushSubscriptionId;
    use pintalk_db::messages::{Batch, NotifyDelays, persist};
    use pintalk_db::models::PushSubscription;
    use pintalk_db::notifications::scheduled;
    use pintalk_db::push_subscriptions::{Subscribed, of_owner, subscribe, unsubscribe};
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "p@example.com");
    let s = site(conn, o.id, "pk_p");
    let room = room_with_visitor(conn, &s);
    let at = now_ms();
    let batch = |seq| Batch {
        messages: vec![visitor_message(&room, seq, at)],
        notify: Some(NotifyDelays {
            owner_ms: 120_000,
            visitor_ms: 300_000,
            push_ms: Some(5000),
        }),
        ..Batch::default()
    };
    persist(conn, &batch(1)).unwrap();
    let recipients = |conn: &mut _| -> Vec<Recipient> {
        scheduled(conn, o.id)
            .unwrap()
            .into_iter()
            .map(|r| r.recipient)
            .collect()
    };
    assert_eq!(
        recipients(conn),
        vec![Recipient::Owner],
        "no browser, no push"
    );

    let browser = |endpoint: &str, auth: &str| PushSubscription {
        id: PushSubscriptionId::new(),
        owner_id: o.id,
        endpoint: endpoint.to_owned(),
        p256dh: "key".to_owned(),
        auth: auth.to_owned(),
        created_at: at,
    };
    let first = browser("https://push.example/1", "a");
    assert_eq!(
        subscribe(conn, &first, 2).unwrap(),
        Subscribed::Stored(first.id)
    );
    let renewed = browser("https://push.example/1", "b");
    assert_eq!(
        subscribe(conn, &renewed, 2).unwrap(),
        Subscribed::Stored(first.id),
        "the same endpoint keeps its id"
    );
    let second = browser("https://push.example/2", "c");
    assert_eq!(
        subscribe(conn, &second, 2).unwrap(),
        Subscribed::Stored(second.id)
    );
    assert_eq!(
        subscribe(conn, &browser("https://push.example/3", "d"), 2).unwrap(),
        Subscribed::Full
    );
    let held = of_owner(conn, o.id).unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(held.iter().find(|h| h.id == first.id).unwrap().auth, "b");

    persist(conn, &batch(2)).unwrap();
    let mut now_scheduled = recipients(conn);
    now_scheduled.sort();
    assert_eq!(now_scheduled, vec![Recipient::Owner, Recipient::OwnerPush]);
    let push = scheduled(conn, o.id)
        .unwrap()
        .into_iter()
        .find(|r| r.recipient == Recipient::OwnerPush)
        .unwrap();
    assert_eq!(push.due_at, at + 5000, "a push on its own, shorter delay");
    persist(conn, &batch(3)).unwrap();
    let mail = scheduled(conn, o.id)
        .unwrap()
        .into_iter()
        .find(|r| r.recipient == Recipient::Owner)
        .unwrap();
    assert_eq!(
        (mail.due_at, mail.latest_seq),
        (at + 120_000, 3),
        "a scheduled row keeps its time and learns the newest seq"
    );

    let stranger = owner(conn, "q@example.com");
    assert!(
        !unsubscribe(conn, stranger.id, first.id).unwrap(),
        "not theirs"
    );
    assert!(unsubscribe(conn, o.id, first.id).unwrap());
    assert_eq!(of_owner(conn, o.id).unwrap().len(), 1);
}

#[test]
fn a_resent_cid_under_a_new_seq_is_stored_once() {
    use pintalk_db::messages::{Batch, persist};
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "c@example.com");
    let s = site(conn, o.id, "pk_c");
    let room = room_with_visitor(conn, &s);
    let first = visitor_message(&room, 1, now_ms());
    // The same sender's cid again, numbered anew (Redis lost its de-duplication window):
    // the second unique key skips it on every backend, as the (room, seq) one does.
    let mut resent = visitor_message(&room, 2, now_ms());
    resent.cid = first.cid.clone();
    let batch = Batch {
        messages: vec![first, resent],
        ..Batch::default()
    };
    persist(conn, &batch).unwrap();
    let stored = pintalk_db::messages::page(
        conn,
        room.id,
        None,
        10,
        pintalk_db::messages::Audience::Members,
    )
    .unwrap();
    assert_eq!(stored.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn a_read_cursor_moves_forward_only() {
    use diesel::prelude::*;
    use pintalk_db::messages::{Batch, ReadCursor, persist};
    use pintalk_db::schema::read_cursors;
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let o = owner(conn, "r@example.com");
    let s = site(conn, o.id, "pk_r");
    let room = room_with_visitor(conn, &s);
    let mut stored = Vec::new();
    for seq in [5, 3, 7] {
        let batch = Batch {
            messages: vec![],
            reads: vec![ReadCursor {
                room: room.id,
                reader_kind: pintalk_core::protocol::ParticipantKind::Owner,
                reader_id: o.id.to_string(),
                seq,
                updated_at: now_ms(),
            }],
            ..Batch::default()
        };
        persist(conn, &batch).unwrap();
        stored.push(
            read_cursors::table
                .select(read_cursors::seq)
                .first::<i64>(conn)
                .unwrap(),
        );
    }
    assert_eq!(stored, vec![5, 5, 7]);
}
