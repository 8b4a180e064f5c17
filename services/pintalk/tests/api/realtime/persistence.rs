//! The persister against a database that stops answering: sends are acked into the
//! outbox while SQL is down, refused (retriably) once the backlog is full, and everything
//! acked lands in SQL exactly once when it is back.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use pintalk_core::ids::RoomId;

use super::{SHOP, key, owner_with_site};
use crate::eventually::eventually;
use crate::helpers::TestApp;

/// Keeps writers out of the messages table (SQLite: the whole database) until ended;
/// readers go on.
pub(crate) struct Outage {
    conn: pintalk_db::PooledConnection,
}

impl Outage {
    pub(crate) fn begin(url: &str) -> Self {
        use pintalk_db::DbConnection;
        let pool = pintalk_db::pool(pintalk_db::Backend::from_url(url).unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        let lock = match &*conn {
            DbConnection::Sqlite(_) => "BEGIN EXCLUSIVE",
            #[cfg(feature = "mysql")]
            DbConnection::Mysql(_) => "LOCK TABLES messages READ",
            // SHARE conflicts with the ROW EXCLUSIVE an INSERT takes, not with reads.
            #[cfg(feature = "postgres")]
            DbConnection::Pg(_) => "BEGIN; LOCK TABLE messages IN SHARE MODE",
        };
        conn.batch_execute(lock).unwrap();
        Outage { conn }
    }

    pub(crate) fn end(mut self) {
        use pintalk_db::DbConnection;
        let unlock = match &*self.conn {
            DbConnection::Sqlite(_) => "ROLLBACK",
            #[cfg(feature = "mysql")]
            DbConnection::Mysql(_) => "UNLOCK TABLES",
            #[cfg(feature = "postgres")]
            DbConnection::Pg(_) => "ROLLBACK",
        };
        self.conn.batch_execute(unlock).unwrap();
    }
}

#[actix_web::test]
async fn sql_down_loses_nothing_and_a_full_backlog_refuses_sends_retriably() {
    // A small backlog bound: the memory bus has one outbox, Redis eight shards of 1.
    let app = TestApp::spawn_with(|s| s.gateway.max_backlog = 8).await;
    let (owner, site) = owner_with_site(&app, "down@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let db_url = app.database_url();

    let outage = Outage::begin(&db_url);
    let mut acked = Vec::new();
    let mut refused = None;
    for i in 0..40 {
        let answer = visitor
            .socket
            .post(&room, &format!("m{i}"), &format!("m{i}"))
            .await;
        if answer["type"] == "ack" {
            acked.push(answer["seq"].as_i64().unwrap());
        } else {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("the backlog bound was reached");
    assert_eq!(
        (refused["code"].as_str(), refused["retriable"].as_bool()),
        (Some("backlog_full"), Some(true))
    );
    assert!(!acked.is_empty());
    // Acked while SQL is down: visible at once through the bus's tail.
    let history = app.history(&visitor.token(), &room, "").await;
    assert_eq!(
        history.body["messages"].as_array().map(Vec::len),
        Some(acked.len())
    );
    outage.end();

    // SQL is back: the persister catches up (with back-off), and sends work again.
    let pool = pintalk_db::connect_and_migrate(&db_url, 1).unwrap();
    let room_id: RoomId = room.parse().unwrap();
    let stored = eventually(
        Duration::from_secs(10),
        "the persister to catch up",
        async || {
            let stored = pintalk_db::messages::page(
                &mut pool.get().unwrap(),
                room_id,
                None,
                1000,
                pintalk_db::messages::Audience::Members,
            )
            .unwrap();
            (stored.len() >= acked.len()).then_some(stored)
        },
    )
    .await;
    let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, acked, "every acked message, once, in order");
    let retried = eventually(
        Duration::from_secs(5),
        "a send to be acked again",
        async || {
            let answer = visitor.socket.post(&room, "after", "after").await;
            (answer["type"] == "ack").then(|| answer["seq"].as_i64())
        },
    )
    .await;
    assert_eq!(retried, Some(acked.len() as i64 + 1));
    let _ = owner;
}
