//! What every handler shares: settings, the database pool, the bus, the token signer and
//! the mailer. Built once at start-up and passed down; no globals.

use std::sync::Arc;

use actix_web::web;
use pintalk_bus::Bus;
use pintalk_core::settings::Settings;
use pintalk_core::token::Signer;
use pintalk_db::{DbConnection, Pool};

use crate::error::ApiError;
use crate::mail::Mailer;
use crate::push::Vapid;

pub struct AppState {
    pub settings: Settings,
    pub pool: Pool,
    /// Rate counters, the message log's tail, presence and fan-out.
    pub bus: Arc<dyn Bus>,
    pub signer: Signer,
    pub mailer: Mailer,
    /// The Web Push key pair; `None` when none is configured (the account service alone
    /// then does not push).
    pub vapid: Option<Arc<Vapid>>,
    /// A bcrypt hash of a random password at the configured cost: logins for unknown
    /// emails verify against it, so their timing matches a wrong password's.
    pub dummy_hash: String,
    /// The persister's counters, shown at `/metrics`.
    pub metrics: crate::persister::PersisterMetrics,
    /// The retention sweeper's counters, shown at `/metrics`.
    pub retention: crate::retention::RetentionMetrics,
    /// What the notifier, business hours and link expiry take as now (tests move it).
    pub clock: pintalk_core::clock::Clock,
}

impl AppState {
    /// Runs `work` with a pooled connection on the blocking thread pool — diesel (and
    /// bcrypt, when `work` does it) never runs on the async executor.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(pintalk_db::DbError::from)?;
            work(&mut conn)
        })
        .await?
    }

    /// [`AppState::db`] for background work, which answers no request: repository calls
    /// as they are, errors as `anyhow`.
    pub async fn background_db<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, pintalk_db::DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let done = web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        });
        Ok(done.await??)
    }
}

/// Runs CPU-heavy `work` (bcrypt) on the blocking thread pool.
pub async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    Ok(web::block(work).await?)
}
