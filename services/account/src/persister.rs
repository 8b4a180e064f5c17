//! The persister: drains the bus's outbox into SQL. It reads with a consumer group, writes
//! each batch in one idempotent transaction (a message already stored is skipped), then
//! acknowledges — so a crash anywhere loses nothing and doubles nothing: unacknowledged
//! entries stay pending and are reclaimed by this or another account process. While SQL
//! is down it retries the same batch with back-off. It also seeds rooms' counters from
//! SQL when a gateway asks (a new room, or Redis lost its data), and, after an upgrade,
//! indexes for search what was stored before the search index, a page between batches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pintalk_bus::{Bus, OutboxEntry, OutboxItem, Topic};
use pintalk_core::ids::{MessageId, RoomId, SiteId};
use pintalk_core::protocol::{RoomEventKind, RoomStatus, ServerFrame};
use pintalk_db::Pool;
use pintalk_db::messages::{self, Applied, Batch, NotifyDelays, ReadCursor};
use pintalk_db::models::StoredMessage;
use pintalk_db::search::{self, Backfill};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::watch;

use crate::background::{Worker, pause};
use crate::seeding;

/// How often to look for entries a dead consumer left pending (at most).
const CLAIM_EVERY: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Messages (or visitors) the search backfill indexes between two batches.
const BACKFILL_PAGE: i64 = 200;
/// How long a stopping persister keeps retrying the batch it holds while SQL refuses it.
/// Below the 30 s that process supervisors usually grant a SIGTERM'd process.
const STOP_PATIENCE: Duration = Duration::from_secs(10);

/// What the persister reports in `/metrics`.
#[derive(Clone, Default)]
pub struct PersisterMetrics {
    /// Outbox entries written to SQL.
    pub persisted: Counter,
    /// Entries waiting in the outbox: the persister's lag.
    pub backlog: Gauge,
    /// Failed batch writes (each retried).
    pub errors: Counter,
}

pub struct Persister {
    pool: Pool,
    bus: Arc<dyn Bus>,
    consumer: String,
    metrics: PersisterMetrics,
    /// Entries per batch.
    batch: usize,
    /// How long an entry may sit unacknowledged with another consumer before it is
    /// taken over.
    claim_idle: Duration,
    /// The pause after a batch that was not full, so the next one fills.
    fill: Duration,
    /// Messages schedule an unread-conversation mail to the other side this long after them.
    notify: Option<NotifyDelays>,
}

impl Persister {
    pub fn new(
        pool: Pool,
        bus: Arc<dyn Bus>,
        metrics: PersisterMetrics,
        settings: &pintalk_core::settings::PersisterSettings,
        notify: Option<NotifyDelays>,
    ) -> Self {
        let consumer = format!(
            "persister-{}",
            pintalk_core::secret::hex(&pintalk_core::secret::random_bytes::<6>())
        );
        Self {
            pool,
            bus,
            consumer,
            metrics,
            batch: settings.batch.max(1),
            claim_idle: Duration::from_millis(settings.claim_idle_ms),
            fill: Duration::from_millis(settings.fill_ms),
            notify,
        }
    }

    /// Starts the persister on its own task; [`Worker::stop`] ends it.
    pub fn spawn(self) -> Worker {
        Worker::spawn("persister", |stopping| self.run(stopping))
    }

    /// Runs until `stop` turns true: then it stores and acknowledges the batch it holds,
    /// reads nothing new, and returns. A batch SQL still refuses after `STOP_PATIENCE`
    /// stays pending in the outbox, for another persister (or the next start) to take.
    async fn run(self, mut stop: watch::Receiver<bool>) {
        log::info!("persister {} started", self.consumer);
        let mut held: Vec<OutboxEntry> = Vec::new();
        let mut backoff = Duration::from_millis(100);
        let mut last_claim: Option<Instant> = None;
        let mut last_gauge = Instant::now();
        let mut stopped_at: Option<Instant> = None;
        let mut backfill = Backfill::Running;
        loop {
            if stopped_at.is_none() && *stop.borrow() {
                stopped_at = Some(Instant::now());
            }
            if let Some(at) = stopped_at {
                if held.is_empty() {
                    break;
                }
                if at.elapsed() >= STOP_PATIENCE {
                    log::warn!(
                        "persister: stopping with {} entries not stored; they stay pending for the next persister",
                        held.len()
                    );
                    break;
                }
            }
            if let Err(e) = self.seed_requested_rooms().await {
                log::warn!("persister: seeding: {e:#}");
            }
            if backfill == Backfill::Running && held.is_empty() && stopped_at.is_none() {
                backfill = match self.backfill_search().await {
                    Ok(Backfill::Finished) => {
                        log::info!("persister: the search index holds every stored message");
                        Backfill::Finished
                    }
                    Ok(Backfill::Running) => Backfill::Running,
                    Err(e) => {
                        log::warn!("persister: search backfill: {e:#}");
                        Backfill::Running
                    }
                };
            }
            if last_gauge.elapsed() >= Duration::from_secs(1) {
                if let Ok(backlog) = self.bus.outbox_backlog().await {
                    self.metrics
                        .backlog
                        .set(i64::try_from(backlog).unwrap_or(i64::MAX));
                }
                last_gauge = Instant::now();
            }
            if held.is_empty() {
                held = match self.next_entries(&mut last_claim).await {
                    Ok(entries) => entries,
                    Err(e) => {
                        log::warn!("persister: reading the outbox: {e}");
                        pause(&mut stop, backoff).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                };
            }
            if held.is_empty() {
                continue;
            }
            match self.persist(&held).await {
                Ok(()) => {
                    let full = held.len() >= self.batch;
                    held.clear();
                    backoff = Duration::from_millis(100);
                    if !full {
                        pause(&mut stop, self.fill).await;
                    }
                }
                Err(e) => {
                    self.metrics.errors.inc();
                    log::warn!(
                        "persister: batch of {} not stored, retrying in {backoff:?}: {e:#}",
                        held.len()
                    );
                    // Once stopping, the retries of the batch in hand keep their pace.
                    if stopped_at.is_some() {
                        tokio::time::sleep(backoff).await;
                    } else {
                        pause(&mut stop, backoff).await;
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        log::info!("persister {} stopped", self.consumer);
    }

    /// Entries left pending by a dead consumer first, then new ones.
    async fn next_entries(
        &self,
        last_claim: &mut Option<Instant>,
    ) -> Result<Vec<OutboxEntry>, pintalk_bus::BusError> {
        if last_claim.is_none_or(|at| at.elapsed() >= CLAIM_EVERY.min(self.claim_idle)) {
            *last_claim = Some(Instant::now());
            let claimed = self
                .bus
                .outbox_claim(&self.consumer, self.claim_idle, self.batch)
                .await?;
            if !claimed.is_empty() {
                log::info!("persister: took over {} pending entries", claimed.len());
                return Ok(claimed);
            }
        }
        self.bus
            .outbox_read(&self.consumer, self.batch, Duration::from_millis(200))
            .await
    }

    /// Writes entries to SQL, acknowledges them, then announces room events.
    async fn persist(&self, entries: &[OutboxEntry]) -> anyhow::Result<()> {
        let mut batch = Batch {
            notify: self.notify,
            ..Batch::default()
        };
        let mut sites: Vec<(RoomId, SiteId)> = Vec::new();
        for entry in entries {
            match &entry.item {
                OutboxItem::Message(m) => {
                    sites.push((m.room, m.site));
                    batch.messages.push(StoredMessage {
                        id: MessageId::new(),
                        room_id: m.room,
                        seq: m.seq,
                        cid: m.cid.clone(),
                        sender_kind: m.sender.kind,
                        sender_id: m.sender.id.clone(),
                        body: m.body.clone(),
                        created_at: m.ts,
                        note: m.note,
                    });
                }
                OutboxItem::Read {
                    room,
                    reader,
                    seq,
                    ts,
                } => batch.reads.push(ReadCursor {
                    room: *room,
                    reader_kind: reader.kind,
                    reader_id: reader.id.clone(),
                    seq: *seq,
                    updated_at: *ts,
                }),
            }
        }
        let pool = self.pool.clone();
        let applied: Applied = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            messages::persist(&mut conn, &batch)
        })
        .await??;
        let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
        self.bus.outbox_ack(&ids).await?;
        self.metrics.persisted.inc_by(ids.len() as u64);
        let site_of = |room: RoomId| sites.iter().find(|(r, _)| *r == room).map(|(_, s)| *s);
        let events = applied
            .started
            .iter()
            .map(|r| (*r, RoomEventKind::Created))
            .chain(
                applied
                    .reopened
                    .iter()
                    .map(|r| (*r, RoomEventKind::Reopened)),
            );
        for (room, event) in events {
            if let Some(site) = site_of(room) {
                let frame = ServerFrame::Room {
                    event,
                    room,
                    site,
                    status: RoomStatus::Open,
                };
                if let Err(e) = self
                    .bus
                    .publish(&[Topic::Site(site)], frame.to_text().into())
                    .await
                {
                    log::warn!("persister: announcing {event:?} for {room}: {e}");
                }
            }
        }
        Ok(())
    }

    /// Indexes one page of what was stored before the search index existed (see
    /// [`search::backfill`]): a bounded step between batches, so the outbox keeps moving.
    async fn backfill_search(&self) -> anyhow::Result<Backfill> {
        let pool = self.pool.clone();
        let progress = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            search::backfill(&mut conn, BACKFILL_PAGE)
        })
        .await??;
        Ok(progress)
    }

    /// Seeds the counters gateways asked for (see [`seeding::seed_room`]).
    async fn seed_requested_rooms(&self) -> anyhow::Result<()> {
        let requested = self.bus.take_seed_requests(100).await?;
        for room in requested {
            if let Some(epoch) = seeding::seed_room(&self.pool, self.bus.as_ref(), room).await? {
                log::info!("persister: seeded {room} (epoch {epoch})");
            }
        }
        Ok(())
    }
}
