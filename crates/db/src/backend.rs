//! The one place that knows which SQL backends exist: parsing `database.url`, opening a
//! connection of the right kind, and running that backend's migrations. Everything else
//! talks to [`DbConnection`] and never matches on the backend.

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::DbError;
use crate::messages::ReadCursor;
use crate::models::{Delivery, DueNotification, StoredMessage};
use crate::schema::{messages, notifications_due, room_terms, visitor_terms, webhook_deliveries};
use crate::search::{RoomTerm, VisitorTerm};

/// A connection to whichever backend `database.url` names; a backend's variant exists
/// only in builds with its feature.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
    #[cfg(feature = "postgres")]
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Typed ids bind as text on whichever backend the connection is (pintalk-core maps them
/// for each backend; the multi-backend is this crate's, so its mapping is here).
macro_rules! ids_bind_on_any_backend {
    ($($id:ty),* $(,)?) => {$(
        impl diesel::serialize::ToSql<diesel::sql_types::Text, MultiBackend>
            for $id
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self));
                Ok(diesel::serialize::IsNull::No)
            }
        }
    )*};
}

ids_bind_on_any_backend!(
    pintalk_core::ids::OwnerId,
    pintalk_core::ids::SessionId,
    pintalk_core::ids::SiteId,
    pintalk_core::ids::VisitorId,
    pintalk_core::ids::RoomId,
    pintalk_core::ids::MessageId,
    pintalk_core::ids::PushSubscriptionId,
    pintalk_core::ids::WebhookId,
    pintalk_core::ids::DeliveryId,
    pintalk_core::ids::BanId,
    pintalk_core::ids::ApiTokenId,
    pintalk_core::ids::CannedReplyId,
    pintalk_core::ids::WorkspaceId,
    pintalk_core::ids::InvitationId,
);

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "mysql")]
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which backend a database URL names, parsed once at start-up.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A SQLite file at this path (created if missing).
    Sqlite(PathBuf),
    /// A MySQL/MariaDB URL, kept whole for the client library.
    Mysql(String),
    /// A PostgreSQL URL (`postgres://` or `postgresql://`), kept whole for libpq.
    Postgres(String),
}

impl Backend {
    /// Parses `sqlite://PATH`, `mysql://…` or `postgres://…` (also `postgresql://…`); a
    /// backend this build lacks is an error.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::Config("sqlite:// needs a file path".into()));
            }
            return Ok(Backend::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("mysql://") {
            return compiled_in(cfg!(feature = "mysql"), "mysql", "MySQL")
                .map(|()| Backend::Mysql(url.to_owned()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return compiled_in(cfg!(feature = "postgres"), "postgres", "PostgreSQL")
                .map(|()| Backend::Postgres(url.to_owned()));
        }
        Err(DbError::Config(
            "database.url must start with sqlite://, mysql:// or postgres://".into(),
        ))
    }

    /// A short name for logs, without credentials.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Mysql(_) => "mysql",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Opens one connection, set up as PinTalk expects.
    pub fn connect(&self) -> Result<DbConnection, DbError> {
        match self {
            Backend::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| DbError::Config(format!("cannot create {dir:?}: {e}")))?;
                }
                let path = path
                    .to_str()
                    .ok_or_else(|| DbError::Config("path is not UTF-8".into()))?;
                let mut conn = diesel::SqliteConnection::establish(path)?;
                // The busy timeout first, so that writers queue instead of failing;
                // foreign keys are off by default in SQLite.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL;",
                )?;
                switch_to_wal(&mut conn)?;
                Ok(DbConnection::Sqlite(conn))
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql(url) => {
                let mut conn = diesel::MysqlConnection::establish(url)?;
                conn.batch_execute("SET time_zone = '+00:00'")?;
                Ok(DbConnection::Mysql(conn))
            }
            #[cfg(not(feature = "mysql"))]
            Backend::Mysql(_) => Err(DbError::Config("no MySQL support in this build".into())),
            #[cfg(feature = "postgres")]
            Backend::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(url)?;
                conn.batch_execute("SET TIME ZONE 'UTC'")?;
                Ok(DbConnection::Pg(conn))
            }
            #[cfg(not(feature = "postgres"))]
            Backend::Postgres(_) => Err(DbError::Config(
                "no PostgreSQL support in this build".into(),
            )),
        }
    }
}

/// `Ok` when the backend's feature is in this build; else the error that says how to get it.
fn compiled_in(present: bool, feature: &str, product: &str) -> Result<(), DbError> {
    if present {
        return Ok(());
    }
    Err(DbError::Config(format!(
        "database.url is {feature}:// but this build has no {product} support; \
         rebuild with `--features {feature}`"
    )))
}

/// WAL lets readers run beside the writer. The switch needs a moment alone with the file
/// and SQLite answers "locked" at once instead of waiting out the busy timeout, so
/// processes opening a new database together retry it; once switched, the file stays WAL.
fn switch_to_wal(conn: &mut diesel::SqliteConnection) -> Result<(), DbError> {
    let mut attempts = 0;
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL") {
            Err(e) if attempts < 100 && e.to_string().contains("locked") => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return Ok(other?),
        }
    }
}

/// Runs `f` in a transaction that may write after it reads. On SQLite it begins
/// `IMMEDIATE`: a deferred transaction that reads first and writes later fails at once
/// with "database is locked" when another connection committed in between (WAL cannot
/// upgrade its stale snapshot, and the busy timeout does not apply); taking the write lock
/// first makes it wait its turn instead. MySQL and PostgreSQL lock rows as they go and
/// need nothing more. Inside another transaction it is a savepoint, as `transaction` is.
pub fn write_transaction<T, F>(conn: &mut DbConnection, f: F) -> Result<T, DbError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, DbError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <DbConnection as Connection>::TransactionManager;
    let outermost = match conn {
        DbConnection::Sqlite(c) => {
            let depth =
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?;
            if depth.is_none() {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                true
            } else {
                false
            }
        }
        #[cfg(any(feature = "mysql", feature = "postgres"))]
        _ => false,
    };
    if !outermost {
        return conn.transaction(f);
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // The error that made it roll back is the one to report.
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Applies every pending migration of the connection's backend; returns how many ran.
///
/// Safe when several processes start at once: the first migrates, the others wait and
/// then find nothing to do. On MySQL they queue on a named lock, on PostgreSQL on an
/// advisory lock (held per database); on SQLite the whole run is one `BEGIN IMMEDIATE`
/// transaction (the write lock is taken before the harness reads which migrations are
/// applied — otherwise two processes both see none and the second fails on "table
/// already exists"; the others wait out `busy_timeout`).
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DbError> {
    fn failed(e: impl std::fmt::Display) -> DbError {
        DbError::Migration(e.to_string())
    }
    match conn {
        DbConnection::Sqlite(c) => c.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len())
                .map_err(failed)
        }),
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(c) => {
            c.batch_execute("DO GET_LOCK('pintalk_migrations', 300)")?;
            let applied = c.run_pending_migrations(MYSQL_MIGRATIONS).map(|v| v.len());
            c.batch_execute("DO RELEASE_LOCK('pintalk_migrations')")?;
            applied.map_err(failed)
        }
        // A session lock, not a transaction's: diesel runs each migration in a
        // transaction of its own, and the lock must cover reading which are applied.
        #[cfg(feature = "postgres")]
        DbConnection::Pg(c) => {
            c.batch_execute("SELECT pg_advisory_lock(hashtext('pintalk_migrations'))")?;
            let applied = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            c.batch_execute("SELECT pg_advisory_unlock(hashtext('pintalk_migrations'))")?;
            applied.map_err(failed)
        }
    }
}

/// Inserts `rows` into `table`, skipping rows whose key (any unique key) is stored
/// already: `INSERT OR IGNORE` on SQLite, `INSERT IGNORE` on MySQL, `ON CONFLICT DO
/// NOTHING` on PostgreSQL. The one place that spells it per backend. At most
/// `ROWS_PER_INSERT` rows a statement: SQLite binds at most 32,766 values to one,
/// PostgreSQL and MySQL 65,535.
macro_rules! insert_ignoring_duplicates {
    ($conn:expr, $table:expr, $rows:expr) => {{
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            let rows = chunk.to_vec();
            match &mut *$conn {
                DbConnection::Sqlite(c) => {
                    diesel::insert_or_ignore_into($table)
                        .values(rows)
                        .execute(c)?;
                }
                #[cfg(feature = "mysql")]
                DbConnection::Mysql(c) => {
                    diesel::insert_or_ignore_into($table)
                        .values(rows)
                        .execute(c)?;
                }
                #[cfg(feature = "postgres")]
                DbConnection::Pg(c) => {
                    diesel::insert_into($table)
                        .values(rows)
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
            }
        }
        Ok(())
    }};
}

/// Rows per insert statement: far below every engine's bound on bound values, with the
/// widest row (a message, 8 values) in mind.
const ROWS_PER_INSERT: usize = 1000;

/// Inserts messages, skipping any whose `(room_id, seq)` — or sender and cid — is already
/// stored: the persister's idempotency.
pub fn insert_messages_ignoring_duplicates(
    conn: &mut DbConnection,
    rows: &[StoredMessage],
) -> Result<(), DbError> {
    insert_ignoring_duplicates!(conn, messages::table, rows)
}

/// Schedules unread-conversation mails, skipping rooms that already have a row.
pub fn insert_due_notifications_ignoring_duplicates(
    conn: &mut DbConnection,
    rows: &[DueNotification],
) -> Result<(), DbError> {
    insert_ignoring_duplicates!(conn, notifications_due::table, rows)
}

/// Queues webhook deliveries, skipping an event an endpoint already has queued.
pub fn insert_deliveries_ignoring_duplicates(
    conn: &mut DbConnection,
    rows: &[Delivery],
) -> Result<(), DbError> {
    insert_ignoring_duplicates!(conn, webhook_deliveries::table, rows)
}

/// Inserts search terms of rooms, skipping those already there.
pub fn insert_room_terms_ignoring_duplicates(
    conn: &mut DbConnection,
    rows: &[RoomTerm],
) -> Result<(), DbError> {
    insert_ignoring_duplicates!(conn, room_terms::table, rows)
}

/// Inserts search terms of visitors, skipping those already there.
pub fn insert_visitor_terms_ignoring_duplicates(
    conn: &mut DbConnection,
    rows: &[VisitorTerm],
) -> Result<(), DbError> {
    insert_ignoring_duplicates!(conn, visitor_terms::table, rows)
}

/// Read cursors written by one statement: a batch's rows stay well under every
/// backend's limit on bound values (5 a row).
const CURSORS_PER_STATEMENT: usize = 500;

/// Moves read cursors forward (never back), creating those that are missing: one
/// statement for up to [`CURSORS_PER_STATEMENT`] cursors, so a batch that touches
/// hundreds of rooms costs no round trip per room. Each (room, reader) once per call.
pub fn advance_read_cursors(
    conn: &mut DbConnection,
    cursors: &[ReadCursor],
) -> Result<(), DbError> {
    use diesel::sql_types::{BigInt, Text};
    for chunk in cursors.chunks(CURSORS_PER_STATEMENT) {
        let rows = vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = match conn {
            // Numbered placeholders: the SQL goes to libpq as written.
            #[cfg(feature = "postgres")]
            DbConnection::Pg(_) => {
                let numbered: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        let n = i * 5;
                        format!(
                            "(${}, ${}, ${}, ${}, ${})",
                            n + 1,
                            n + 2,
                            n + 3,
                            n + 4,
                            n + 5
                        )
                    })
                    .collect();
                format!(
                    "INSERT INTO read_cursors (room_id, reader_kind, reader_id, seq, updated_at) \
                     VALUES {} ON CONFLICT (room_id, reader_kind, reader_id) \
                     DO UPDATE SET seq = GREATEST(read_cursors.seq, excluded.seq), \
                     updated_at = excluded.updated_at",
                    numbered.join(", ")
                )
            }
            DbConnection::Sqlite(_) => format!(
                "INSERT INTO read_cursors (room_id, reader_kind, reader_id, seq, updated_at) \
                 VALUES {rows} ON CONFLICT (room_id, reader_kind, reader_id) \
                 DO UPDATE SET seq = MAX(seq, excluded.seq), updated_at = excluded.updated_at"
            ),
            #[cfg(feature = "mysql")]
            DbConnection::Mysql(_) => format!(
                "INSERT INTO read_cursors (room_id, reader_kind, reader_id, seq, updated_at) \
                 VALUES {rows} ON DUPLICATE KEY UPDATE \
                 seq = GREATEST(seq, VALUES(seq)), updated_at = VALUES(updated_at)"
            ),
        };
        let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
        for cursor in chunk {
            query = query
                .bind::<Text, _>(cursor.room)
                .bind::<Text, _>(cursor.reader_kind)
                .bind::<Text, _>(&cursor.reader_id)
                .bind::<BigInt, _>(cursor.seq)
                .bind::<BigInt, _>(cursor.updated_at);
        }
        query.execute(conn)?;
    }
    Ok(())
}

/// The r2d2 manager: opens connections for one [`Backend`].
#[derive(Debug)]
pub struct Manager(pub Backend);

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        self.0.connect()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.ping().map_err(DbError::from)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Applies the pending migrations whose version sorts before `version`, and no others:
/// a database as the release before that migration left it, which a test of the
/// migration fills with data before it runs the rest ([`run_migrations`]).
pub fn run_migrations_before(conn: &mut DbConnection, version: &str) -> Result<usize, DbError> {
    fn failed(e: impl std::fmt::Display) -> DbError {
        DbError::Migration(e.to_string())
    }
    // Diesel may spell a version with or without the folder name's dashes.
    let version = version.replace('-', "");
    macro_rules! before {
        ($c:expr, $migrations:expr) => {{
            let pending = $c.pending_migrations($migrations).map_err(failed)?;
            let mut applied = 0;
            for migration in pending
                .iter()
                .filter(|m| m.name().version().to_string().replace('-', "") < version)
            {
                $c.run_migration(migration).map_err(failed)?;
                applied += 1;
            }
            Ok(applied)
        }};
    }
    match conn {
        DbConnection::Sqlite(c) => before!(c, SQLITE_MIGRATIONS),
        #[cfg(feature = "mysql")]
        DbConnection::Mysql(c) => before!(c, MYSQL_MIGRATIONS),
        #[cfg(feature = "postgres")]
        DbConnection::Pg(c) => before!(c, POSTGRES_MIGRATIONS),
    }
}
