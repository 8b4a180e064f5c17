//! `write_transaction`: a transaction that reads and then writes waits for a concurrent
//! writer instead of failing. On SQLite a deferred transaction fails "database is
//! locked" the moment it writes after another connection committed since its read; this
//! test makes exactly that interleaving happen, on every backend.

#![expect(clippy::expect_used, reason = "a test fails loudly on the unexpected")]

use std::sync::mpsc;
use std::time::Duration;

use diesel::prelude::*;
use pintalk_db::schema::leases;
use pintalk_db::{DbError, Pool, write_transaction};
use pintalk_test_db::TestDatabase;

fn pool() -> (TestDatabase, Pool) {
    let db = TestDatabase::new().expect("test database");
    let pool = pintalk_db::connect_and_migrate(&db.url, 2).expect("migrated");
    (db, pool)
}

/// A lease row of this test's own (`holder` = test; migrations seed others).
fn add(conn: &mut pintalk_db::DbConnection, name: &str) -> QueryResult<usize> {
    diesel::insert_into(leases::table)
        .values((
            leases::name.eq(name),
            leases::holder.eq("test"),
            leases::held_until.eq(0_i64),
        ))
        .execute(conn)
}

#[test]
fn a_read_then_write_transaction_waits_for_a_concurrent_writer_instead_of_failing() {
    let (_db, pool) = pool();
    let (read, go) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut conn = pool.get().unwrap();
            write_transaction(&mut conn, |conn| {
                let before: i64 = leases::table
                    .filter(leases::holder.eq("test"))
                    .count()
                    .get_result(conn)?;
                read.send(()).unwrap();
                // The other connection tries to commit a write now.
                std::thread::sleep(Duration::from_millis(300));
                add(conn, "after-read")?;
                Ok::<_, DbError>(before)
            })
        });
        go.recv().unwrap();
        let mut conn = pool.get().unwrap();
        add(&mut conn, "meanwhile").expect("the concurrent write waits its turn and succeeds");
        let before = reader
            .join()
            .unwrap()
            .expect("the reading transaction commits");
        assert_eq!(before, 0);
    });
    let names: Vec<String> = leases::table
        .filter(leases::holder.eq("test"))
        .select(leases::name)
        .order(leases::name.asc())
        .load(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(names, ["after-read", "meanwhile"]);
}

#[test]
fn a_failed_write_transaction_rolls_back_and_nests_as_a_savepoint() {
    let (_db, pool) = pool();
    let mut conn = pool.get().unwrap();
    let failed: Result<(), DbError> = write_transaction(&mut conn, |conn| {
        add(conn, "rolled-back")?;
        Err(DbError::Config("on purpose".into()))
    });
    assert!(failed.is_err());
    write_transaction(&mut conn, |conn| {
        add(conn, "outer")?;
        write_transaction(conn, |conn| {
            add(conn, "inner")?;
            Ok::<_, DbError>(())
        })
    })
    .unwrap();
    let names: Vec<String> = leases::table
        .filter(leases::holder.eq("test"))
        .select(leases::name)
        .order(leases::name.asc())
        .load(&mut conn)
        .unwrap();
    assert_eq!(names, ["inner", "outer"]);
}
