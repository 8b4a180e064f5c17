//! The account service's background work: the persister (outbox → SQL), the notifier
//! (unread-conversation mails), the webhook deliverer, the retention sweeper and the
//! inbound mail listener (replies by email). Every replica runs them all; each is safe to run beside itself in
//! another process.

use std::future::Future;
use std::time::Duration;

use actix_web::web;
use pintalk_db::messages::NotifyDelays;
use tokio::sync::watch;

use crate::notifier::Notifier;
use crate::persister::Persister;
use crate::retention::Sweeper;
use crate::state::AppState;
use crate::webhooks::Deliverer;

/// One background task and the way to stop it.
pub struct Worker {
    name: &'static str,
    /// Turns true to ask the task to stop.
    stop: watch::Sender<bool>,
    /// The task, awaited so the process exits only once it has stopped.
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Runs `work` on its own task; it must return soon after its receiver turns true.
    pub fn spawn<F, Fut>(name: &'static str, work: F) -> Self
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopping) = watch::channel(false);
        Worker {
            name,
            stop,
            task: tokio::spawn(work(stopping)),
        }
    }

    /// [`Worker::spawn`] for work that is not `Send` (it holds an `awc` client): it runs on
    /// the current thread's local task set, which actix's runtime provides.
    pub fn spawn_local<F, Fut>(name: &'static str, work: F) -> Self
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = ()> + 'static,
    {
        let (stop, stopping) = watch::channel(false);
        Worker {
            name,
            stop,
            task: actix_web::rt::spawn(work(stopping)),
        }
    }

    /// Asks the task to stop and waits for it to finish what it holds.
    pub async fn stop(self) {
        log::info!("{}: stopping", self.name);
        self.stop.send_replace(true);
        if let Err(e) = self.task.await {
            log::error!("{}: its task failed: {e}", self.name);
        }
    }
}

/// Sleeps for `duration`, or less if the task is asked to stop meanwhile.
pub async fn pause(stop: &mut watch::Receiver<bool>, duration: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = stop.wait_for(|stopping| *stopping) => {}
    }
}

/// The running background work of one account process.
pub struct Background {
    persister: Worker,
    notifier: Worker,
    /// Sends due webhook deliveries.
    webhooks: Worker,
    /// Deletes conversations past their site's retention.
    retention: Worker,
    /// The inbound mail listener, when `mail.inbound_listen` is set.
    inbound: Option<Worker>,
}

impl Background {
    /// Starts the persister, the notifier, the webhook deliverer and (if set) the inbound mail listener, which
    /// can fail to bind; stop them before exiting.
    pub fn start(state: &web::Data<AppState>) -> anyhow::Result<Self> {
        let notify = &state.settings.notify;
        let persister = Persister::new(
            state.pool.clone(),
            state.bus.clone(),
            state.metrics.clone(),
            &state.settings.persister,
            Some(NotifyDelays {
                owner_ms: secs_ms(notify.unread_delay_secs),
                visitor_ms: secs_ms(notify.visitor_offline_secs),
                push_ms: state
                    .vapid
                    .is_some()
                    .then(|| secs_ms(state.settings.push.delay_secs)),
            }),
        )
        .spawn();
        let inbound = crate::inbound::start(state)?;
        let notifier = Notifier::new(state.clone())?.spawn();
        let webhooks = Deliverer::new(state.clone())?.spawn();
        let retention = Sweeper::new(state.clone()).spawn();
        Ok(Background {
            persister,
            notifier,
            webhooks,
            retention,
            inbound,
        })
    }

    /// Stops them all; the persister first stores and acknowledges the batch it holds.
    pub async fn stop(self) {
        let inbound = async {
            if let Some(inbound) = self.inbound {
                inbound.stop().await;
            }
        };
        tokio::join!(
            self.persister.stop(),
            self.notifier.stop(),
            self.webhooks.stop(),
            self.retention.stop(),
            inbound
        );
    }
}

/// Seconds as UTC milliseconds, saturating.
pub fn secs_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}
