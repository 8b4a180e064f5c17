//! PinTalk's SQL storage: the schema, the mirrored migrations of each backend, the
//! connection pool and one repository module per table group.
//!
//! Repositories are plain functions over `&mut DbConnection`; callers run them off the
//! async executor (`web::block`), never on it.

pub mod api_tokens;
pub mod backend;
pub mod bans;
pub mod canned_replies;
pub mod deliveries;
pub mod export;
pub mod identities;
pub mod invitations;
pub mod labels;
pub mod messages;
pub mod models;
pub mod notifications;
pub mod one_time_tokens;
pub mod owners;
pub mod push_subscriptions;
pub mod ratings;
pub mod read_cursors;
pub mod retention;
pub mod rooms;
pub mod schema;
pub mod search;
pub mod sessions;
pub mod sites;
pub mod visitor_contexts;
pub mod visitor_data;
pub mod visitors;
pub mod webhooks;
pub mod workspaces;

use std::time::Duration;

pub use backend::{
    Backend, DbConnection, run_migrations, run_migrations_before, write_transaction,
};
use diesel::r2d2;
use diesel::result::{DatabaseErrorKind, Error as QueryError};

/// A pool of connections to the configured backend.
pub type Pool = r2d2::Pool<backend::Manager>;
/// A connection borrowed from the pool.
pub type PooledConnection = r2d2::PooledConnection<backend::Manager>;

/// Everything that can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database configuration: {0}")]
    Config(String),
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database query failed: {0}")]
    Query(#[from] QueryError),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("database migration failed: {0}")]
    Migration(String),
}

impl DbError {
    /// True when the statement broke a unique constraint (e.g. an email already taken).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(QueryError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// Opens a pool of `size` connections to `backend`, failing fast when it is unreachable.
pub fn pool(backend: Backend, size: u32) -> Result<Pool, DbError> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .build(backend::Manager(backend))
        .map_err(|e| DbError::Config(format!("cannot open the database pool: {e}")))
}

/// Opens a pool and brings the schema up to date: the start-up path of every service.
pub fn connect_and_migrate(url: &str, size: u32) -> Result<Pool, DbError> {
    let backend = Backend::from_url(url)?;
    let name = backend.name();
    let pool = pool(backend, size)?;
    let applied = run_migrations(&mut *pool.get()?)?;
    log::info!("database ready ({name}), {applied} migration(s) applied");
    Ok(pool)
}
