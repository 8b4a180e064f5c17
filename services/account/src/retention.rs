//! The retention sweeper: deletes conversations idle (no message, no close or reopen)
//! longer than their site's `retention_days`, everywhere they live — SQL (the room, its
//! messages, read cursors, notification rows, search terms, the webhook deliveries that
//! quote it, and its visitor once they have nothing left and are not blocked) and the bus
//! (counter, epoch, window, cids) — in batches of `retention.batch`.
//!
//! One sweeper at a time across replicas: every replica tries each `retention.poll_secs`
//! to take the SQL lease `retention` (a conditional UPDATE, as the notifier claims its
//! rows) and only its holder sweeps; a holder that dies lets it lapse after
//! `retention.lease_secs`.
//!
//! Per room, in this order: the bus forgets the room — refused while it numbered a
//! message SQL has not stored yet, so a room written in just now is kept and looked at
//! again next pass — then one SQL transaction deletes it, only if it is still as found
//! (same `last_seq`, still idle). A crash between the two leaves a room in SQL whose
//! counter is gone: the next pass finds it again and finishes; if a visitor wrote in the
//! meantime, the room was re-seeded from SQL and their message keeps it alive. Last, the
//! room's sockets get `conversation_expired` and close. (docs/decisions.md, Retention)

use std::time::Duration;

use actix_web::web;
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::protocol::ServerFrame;
use pintalk_db::retention::{self, Expired};
use prometheus_client::metrics::counter::Counter;
use tokio::sync::watch;

use crate::background::{Worker, pause, secs_ms};
use crate::state::AppState;

/// The lease's name in the `leases` table.
const LEASE: &str = "retention";

/// What the sweeper reports in `/metrics`.
#[derive(Clone, Default)]
pub struct RetentionMetrics {
    /// Conversations deleted under their site's retention.
    pub rooms_deleted: Counter,
    /// Visitors deleted with their last conversation.
    pub visitors_deleted: Counter,
}

pub struct Sweeper {
    state: web::Data<AppState>,
    /// This sweeper's name on the lease.
    holder: String,
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub rooms: u64,
    pub visitors: u64,
    /// Whether this sweeper held the lease (and so swept at all).
    pub held: bool,
}

impl Sweeper {
    pub fn new(state: web::Data<AppState>) -> Self {
        Self {
            state,
            holder: pintalk_core::ids::MessageId::new().to_string(),
        }
    }

    /// Starts the sweeper on its own task; [`Worker::stop`] ends it.
    pub fn spawn(self) -> Worker {
        Worker::spawn("retention", |stopping| self.run(stopping))
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let every = Duration::from_secs(self.state.settings.retention.poll_secs.max(1));
        // The first pass waits a poll too: nothing is urgent at start, and a process
        // that starts and ends at once (a test, a failed start) asks the database nothing.
        loop {
            pause(&mut stop, every).await;
            if *stop.borrow() {
                break;
            }
            if let Err(e) = self.pass(&stop).await {
                log::warn!("retention: {e:#}");
            }
        }
    }

    /// Takes the lease and, holding it, deletes batch after batch of expired rooms until
    /// none is left (or the task is asked to stop).
    pub async fn pass(&self, stop: &watch::Receiver<bool>) -> anyhow::Result<Swept> {
        let settings = &self.state.settings.retention;
        let mut swept = Swept::default();
        loop {
            let now = self.state.clock.now_ms();
            let until = now.saturating_add(secs_ms(settings.lease_secs));
            let holder = self.holder.clone();
            let held = self
                .state
                .background_db(move |conn| retention::take_lease(conn, LEASE, &holder, now, until))
                .await?;
            if !held {
                return Ok(swept);
            }
            swept.held = true;
            let limit = settings.batch;
            let batch = self
                .state
                .background_db(move |conn| retention::expired(conn, now, limit))
                .await?;
            let mut deleted_any = false;
            for expired in &batch {
                let (room, visitor) = self.sweep(expired).await?;
                deleted_any |= room;
                swept.rooms += u64::from(room);
                swept.visitors += u64::from(visitor);
            }
            // A short batch was the last; a full one where every room was kept (written
            // in just now) would only be read again: the next pass sees to it.
            if i64::try_from(batch.len()).unwrap_or(i64::MAX) < limit
                || !deleted_any
                || *stop.borrow()
            {
                return Ok(swept);
            }
        }
    }

    /// One room: the bus forgets it, SQL deletes it, its sockets close. Whether the room
    /// and its visitor were deleted.
    async fn sweep(&self, expired: &Expired) -> anyhow::Result<(bool, bool)> {
        if !self
            .state
            .bus
            .forget(expired.room, expired.last_seq)
            .await?
        {
            log::info!("retention: {} was written in just now; kept", expired.room);
            return Ok((false, false));
        }
        let found = *expired;
        let deleted = self
            .state
            .background_db(move |conn| retention::delete_expired(conn, &found))
            .await?;
        if !deleted.room {
            return Ok((false, false));
        }
        self.state.retention.rooms_deleted.inc();
        if deleted.visitor {
            self.state.retention.visitors_deleted.inc();
        }
        let frame = ServerFrame::Error {
            code: ErrorCode::ConversationExpired,
            message: "this conversation was deleted under the site's retention".into(),
            cid: None,
            room: Some(expired.room),
            retriable: false,
        };
        if let Err(e) = self
            .state
            .bus
            .publish(&[Topic::Room(expired.room)], frame.to_text().into())
            .await
        {
            log::warn!("retention: closing {}'s sockets: {e}", expired.room);
        }
        Ok((true, deleted.visitor))
    }
}
