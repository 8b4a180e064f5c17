//! The inbox page and its search, on a private database (SQLite, or MySQL/MariaDB when
//! `PINTALK_TEST_MYSQL` is set): one SQL query per page, read cursors and ownership
//! folded in; terms written with the messages, gone with their room; the backfill of
//! what was stored before the index.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

mod fixtures;

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use fixtures::{owner, pool, room_with_visitor, site, visitor_message};
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, SiteId};
use pintalk_core::protocol::ParticipantKind;
use pintalk_core::search::Search;
use pintalk_db::messages::{Batch, ReadCursor, persist};
use pintalk_db::models::Room;
use pintalk_db::rooms::{self, InboxPage, InboxRow};
use pintalk_db::search::{Backfill, backfill};
use pintalk_db::{DbConnection, backend, schema};

/// The statements `conn` runs from now on, as text.
fn record_queries(conn: &mut DbConnection) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            log.lock().unwrap().push(query.to_string());
        }
    });
    seen
}

fn stop_recording(conn: &mut DbConnection) {
    conn.set_instrumentation(None::<Box<dyn Instrumentation>>);
}

fn page<'a>(site: &pintalk_db::models::Site, search: Option<&'a Search>) -> InboxPage<'a> {
    InboxPage {
        site: site.id,
        status: None,
        search,
        assignee: None,
        label: None,
        after: None,
        limit: 30,
    }
}

/// A room whose visitor wrote `body` as message 1, stored as the persister stores it.
fn room_saying(conn: &mut DbConnection, site: &pintalk_db::models::Site, body: &str) -> Room {
    let room = room_with_visitor(conn, site);
    let mut message = visitor_message(&room, 1, now_ms());
    message.body = body.into();
    persist(
        conn,
        &Batch {
            messages: vec![message],
            ..Batch::default()
        },
    )
    .unwrap();
    room
}

fn ids(rows: &[InboxRow]) -> Vec<pintalk_core::ids::RoomId> {
    rows.iter().map(|row| row.room.id).collect()
}

#[test]
fn an_inbox_page_is_one_query_with_both_read_cursors_and_only_the_owners_rooms() {
    let (db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let ann = owner(conn, "ann@example.com");
    let shop = site(conn, ann.id, "pk_ann");
    let rooms_of_shop: Vec<Room> = (0..3)
        .map(|i| room_saying(conn, &shop, &format!("message {i}")))
        .collect();
    let read = &rooms_of_shop[1];
    let cursor = |kind, reader_id: String, seq| ReadCursor {
        room: read.id,
        reader_kind: kind,
        reader_id,
        seq,
        updated_at: now_ms(),
    };
    persist(
        conn,
        &Batch {
            reads: vec![
                cursor(ParticipantKind::Owner, ann.id.to_string(), 1),
                cursor(ParticipantKind::Visitor, read.visitor_id.to_string(), 2),
            ],
            ..Batch::default()
        },
    )
    .unwrap();

    let mut conn = pintalk_db::Backend::from_url(&db.url)
        .unwrap()
        .connect()
        .unwrap();
    // The grants are read once per request, before the inbox: not part of its one query.
    let granted = granted(&mut conn, ann.id);
    let reader = rooms::Reader {
        member: ann.id,
        granted: &granted,
    };
    let queries = record_queries(&mut conn);
    let rows = rooms::inbox(&mut conn, reader, &page(&shop, None)).unwrap();
    assert_eq!(queries.lock().unwrap().len(), 1, "{:?}", queries.lock());
    assert_eq!(rows.len(), 3);
    for row in &rows {
        // The owner read one room; each visitor has read their own message, one further.
        let seen = i64::from(row.room.id == read.id);
        assert_eq!((row.read_seq, row.visitor_read_seq), (seen, 1 + seen));
        assert_eq!(row.last_message.as_ref().unwrap().seq, 1);
    }

    let one = rooms::inbox_row(&mut conn, reader, read.id)
        .unwrap()
        .unwrap();
    assert_eq!((one.read_seq, one.visitor_read_seq), (1, 2));
    assert_eq!(queries.lock().unwrap().len(), 2, "{:?}", queries.lock());
    stop_recording(&mut conn);

    // Another owner's site and rooms are simply not there.
    let eve = owner(&mut conn, "eve@example.com");
    assert!(
        inbox_of(&mut conn, eve.id, &page(&shop, None))
            .unwrap()
            .is_empty()
    );
    assert!(inbox_row_of(&mut conn, eve.id, read.id).unwrap().is_none());
}

#[test]
fn terms_are_written_with_their_messages_and_go_with_their_room() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    let ann = owner(conn, "terms@example.com");
    let shop = site(conn, ann.id, "pk_terms");
    let order = room_saying(conn, &shop, "Where is order #1042?");
    let other = room_saying(conn, &shop, "주문 취소");
    let search = |conn: &mut DbConnection, q: &str| {
        let q = Search::parse(q).unwrap();
        ids(&inbox_of(conn, ann.id, &page(&shop, Some(&q))).unwrap())
    };
    assert_eq!(search(conn, "order 104"), [order.id]);
    assert_eq!(search(conn, "주문"), [other.id]);

    rooms::delete(conn, order.id).unwrap();
    let left: i64 = schema::room_terms::table
        .filter(schema::room_terms::room_id.eq(order.id))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(left, 0);
    assert!(pintalk_db::sites::delete(conn, &[shop.id], shop.id).unwrap());
    let left: i64 = schema::room_terms::table.count().get_result(conn).unwrap();
    assert_eq!(left, 0);
}

#[test]
fn the_backfill_indexes_what_was_stored_before_page_by_page_and_idempotently() {
    let (_db, pool) = pool();
    let conn = &mut pool.get().unwrap();
    // Everything at migration time is indexed already (there was nothing).
    assert_eq!(backfill(conn, 10).unwrap(), Backfill::Running);
    assert_eq!(backfill(conn, 10).unwrap(), Backfill::Finished);

    let ann = owner(conn, "old@example.com");
    let shop = site(conn, ann.id, "pk_old");
    let rooms_of_shop: Vec<Room> = (0..5).map(|_| room_with_visitor(conn, &shop)).collect();
    // As an older version stored them: messages without terms.
    let old: Vec<_> = rooms_of_shop
        .iter()
        .enumerate()
        .map(|(i, room)| {
            let mut m = visitor_message(room, 1, now_ms());
            m.body = format!("refund for order {i}");
            m
        })
        .collect();
    backend::insert_messages_ignoring_duplicates(conn, &old).unwrap();
    diesel::update(schema::rooms::table)
        .set(schema::rooms::last_seq.eq(1))
        .execute(conn)
        .unwrap();
    let refund = Search::parse("refund").unwrap();
    let found = |conn: &mut DbConnection| {
        inbox_of(conn, ann.id, &page(&shop, Some(&refund)))
            .unwrap()
            .len()
    };
    assert_eq!(found(conn), 0);

    for pass in 0..2 {
        diesel::update(schema::search_backfill::table)
            .set((
                schema::search_backfill::after_id.eq(""),
                schema::search_backfill::finished_at.eq(None::<i64>),
            ))
            .execute(conn)
            .unwrap();
        // Two messages a page: three pages of messages, then the visitors.
        let mut calls = 1;
        while backfill(conn, 2).unwrap() == Backfill::Running {
            calls += 1;
            assert!(calls < 20, "the backfill ends");
        }
        assert_eq!(calls, 3 + 3, "pass {pass}");
        assert_eq!(found(conn), 5, "pass {pass}");
    }
    assert_eq!(backfill(conn, 2).unwrap(), Backfill::Finished);
}

/// The sites `owner` may reach (as its workspace's owner: all of its workspace's).
fn granted(conn: &mut DbConnection, owner: OwnerId) -> Vec<SiteId> {
    pintalk_db::workspaces::grants(conn, owner)
        .unwrap()
        .into_iter()
        .map(|g| g.site)
        .collect()
}

/// A page of `member`'s inbox, over the sites they were granted.
fn inbox_of(
    conn: &mut DbConnection,
    member: OwnerId,
    page: &pintalk_db::rooms::InboxPage<'_>,
) -> Result<Vec<pintalk_db::rooms::InboxRow>, pintalk_db::DbError> {
    let granted = granted(conn, member);
    pintalk_db::rooms::inbox(
        conn,
        pintalk_db::rooms::Reader {
            member,
            granted: &granted,
        },
        page,
    )
}

/// One room of `member`'s inbox.
fn inbox_row_of(
    conn: &mut DbConnection,
    member: OwnerId,
    id: pintalk_core::ids::RoomId,
) -> Result<Option<pintalk_db::rooms::InboxRow>, pintalk_db::DbError> {
    let granted = granted(conn, member);
    pintalk_db::rooms::inbox_row(
        conn,
        pintalk_db::rooms::Reader {
            member,
            granted: &granted,
        },
        id,
    )
}
