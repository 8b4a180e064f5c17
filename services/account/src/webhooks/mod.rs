//! Webhooks: site owners' endpoints are told of their sites' events by a signed POST.
//!
//! The queue is SQL's (`pintalk_db::webhooks`, `pintalk_db::deliveries`): an event's rows
//! are written in the transaction that stores the fact. Each pass here claims a page of
//! due rows (one conditional UPDATE, so replicas never send the same row at once), sends
//! them concurrently, and records each outcome: delivered on a 2xx; otherwise retried
//! after `webhooks.retry_first_ms`, doubling up to `webhooks.retry_max_secs` apart, until
//! `webhooks.retry_for_secs` after the first attempt, then failed. A deliverer that dies
//! mid-attempt leaves its claim to lapse after `webhooks.claim_secs`; the row goes again,
//! so delivery is at least once and receivers de-duplicate on the event id.

pub mod send;
pub mod target;

use std::time::Duration;

use actix_web::web;
use pintalk_core::clock::now_ms;
use pintalk_core::settings::WebhookSettings;
use pintalk_db::deliveries::{self, Attempt, Next};
use pintalk_db::models::{Delivery, Webhook};
use tokio::sync::watch;

use crate::background::{Worker, pause, secs_ms};
use crate::state::AppState;
use send::{Answer, Sender};

/// Delivers what is due, on every account process.
pub struct Deliverer {
    state: web::Data<AppState>,
    /// This deliverer's name on its claims.
    claimer: String,
    sender: Sender,
}

impl Deliverer {
    pub fn new(state: web::Data<AppState>) -> anyhow::Result<Self> {
        let sender = Sender::new(&state.settings.webhooks)?;
        Ok(Self {
            state,
            claimer: pintalk_core::ids::DeliveryId::new().to_string(),
            sender,
        })
    }

    /// Starts the deliverer on its own task (a local one: the HTTP client is not `Send`);
    /// [`Worker::stop`] ends it after the attempts in flight.
    pub fn spawn(self) -> Worker {
        Worker::spawn_local("webhooks", |stopping| self.run(stopping))
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let settings = &self.state.settings.webhooks;
        let every = Duration::from_millis(settings.poll_ms.max(10));
        while !*stop.borrow() {
            match self.pass().await {
                // A full page: more may be due; go on at once.
                Ok(claimed) if claimed >= settings.batch => continue,
                Ok(_) => {}
                Err(e) => log::warn!("webhooks: {e:#}"),
            }
            pause(&mut stop, every).await;
        }
    }

    /// Claims a page of due deliveries and attempts each; how many it claimed.
    async fn pass(&self) -> anyhow::Result<i64> {
        let settings = &self.state.settings.webhooks;
        let now = now_ms();
        let until = now + secs_ms(settings.claim_secs);
        let (claimer, limit) = (self.claimer.clone(), settings.batch);
        let claimed = self
            .state
            .background_db(move |conn| {
                let due = deliveries::due(conn, now, limit)?;
                deliveries::claim(conn, &due, &claimer, now, until)
            })
            .await?;
        let count = i64::try_from(claimed.len()).unwrap_or(i64::MAX);
        let attempts = claimed
            .into_iter()
            .map(|(delivery, webhook)| self.deliver(delivery, webhook));
        for done in futures_util::future::join_all(attempts).await {
            if let Err(e) = done {
                log::warn!("webhooks: recording an attempt: {e:#}");
            }
        }
        Ok(count)
    }

    /// One attempt, and its outcome recorded.
    async fn deliver(&self, delivery: Delivery, webhook: Webhook) -> anyhow::Result<()> {
        let settings = &self.state.settings.webhooks;
        let at = now_ms();
        let give_up_at = if delivery.give_up_at == i64::MAX {
            at.saturating_add(secs_ms(settings.retry_for_secs))
        } else {
            delivery.give_up_at
        };
        let answer = if webhook.enabled {
            self.sender.send(&webhook, &delivery, at / 1000).await
        } else {
            Answer::Failed("the endpoint is disabled".into())
        };
        let (status, error) = match answer {
            Answer::Status(code) if (200..300).contains(&code) => (Some(code), None),
            Answer::Status(code) => (Some(code), Some(format!("answered {code}"))),
            Answer::Failed(why) => (None, Some(why)),
        };
        let next = match &error {
            None => Next::Delivered,
            Some(_) if !webhook.enabled => Next::Failed,
            Some(_) => {
                let retry = at.saturating_add(backoff_ms(settings, delivery.attempts + 1));
                if retry > give_up_at {
                    Next::Failed
                } else {
                    Next::RetryAt(retry)
                }
            }
        };
        if let Some(why) = &error {
            log::info!(
                "webhooks: delivery {} of {} to endpoint {} failed ({next:?}): {why}",
                delivery.id,
                delivery.event_id,
                webhook.id
            );
        }
        let attempt = Attempt {
            at,
            status: status.map(i64::from),
            error,
            next,
            give_up_at,
        };
        let (id, claimer) = (delivery.id, self.claimer.clone());
        let kept = self
            .state
            .background_db(move |conn| deliveries::record(conn, id, &claimer, &attempt))
            .await?;
        if !kept {
            log::warn!("webhooks: delivery {id}: the claim lapsed during its attempt");
        }
        Ok(())
    }
}

/// The pause before attempt `attempt + 1` after `attempt` failures: the first retry
/// after `retry_first_ms`, each next twice as long, never more than `retry_max_secs`.
fn backoff_ms(settings: &WebhookSettings, failures: i64) -> i64 {
    let first = i64::try_from(settings.retry_first_ms).unwrap_or(i64::MAX);
    let cap = secs_ms(settings.retry_max_secs);
    let doublings = u32::try_from((failures - 1).clamp(0, 40)).unwrap_or(40);
    first.saturating_mul(1_i64 << doublings).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_first_pause_up_to_the_cap() {
        let settings = pintalk_core::settings::Settings::from_toml(
            "[webhooks]\nretry_first_ms = 30000\nretry_max_secs = 3600\n",
        )
        .map(|s| s.webhooks);
        let Ok(settings) = settings else {
            panic!("settings load");
        };
        let pauses: Vec<i64> = (1..=10).map(|n| backoff_ms(&settings, n)).collect();
        assert_eq!(
            pauses,
            [
                30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000,
                3_600_000, 3_600_000
            ]
        );
        assert_eq!(backoff_ms(&settings, 1000), 3_600_000);
    }
}
