//! The queue of webhook deliveries (`webhook_deliveries`): what is due, claims, the
//! outcome of each attempt, an endpoint's delivery log, and redelivery.
//!
//! A deliverer claims due rows with one conditional UPDATE (a compare-and-set on
//! `claimed_until`, as the notifier's schedule does), so replicas never send a row at the
//! same time; one that dies mid-attempt leaves its claim to lapse, and the row is sent
//! again: delivery is at least once, and the event id lets the receiver drop the double.

use diesel::prelude::*;
use pintalk_core::ids::{DeliveryId, WebhookId};
use pintalk_core::webhook::DeliveryStatus;

use crate::models::{Delivery, Webhook};
use crate::schema::{webhook_deliveries, webhooks};
use crate::{DbConnection, DbError};

/// Up to `limit` deliveries due and unclaimed at `now`, the longest waiting first.
pub fn due(conn: &mut DbConnection, now: i64, limit: i64) -> Result<Vec<DeliveryId>, DbError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .filter(webhook_deliveries::next_at.le(now))
        .filter(webhook_deliveries::claimed_until.lt(now))
        .order(webhook_deliveries::next_at.asc())
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?)
}

/// Claims those of `ids` still due and unclaimed for `claimer` until `until`, in one
/// conditional UPDATE: of two deliverers racing for a row, one gets it. Returns the
/// claimed rows with their endpoints.
pub fn claim(
    conn: &mut DbConnection,
    ids: &[DeliveryId],
    claimer: &str,
    now: i64,
    until: i64,
) -> Result<Vec<(Delivery, Webhook)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(ids))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
            .filter(webhook_deliveries::next_at.le(now))
            .filter(webhook_deliveries::claimed_until.lt(now)),
    )
    .set((
        webhook_deliveries::claimed_by.eq(claimer),
        webhook_deliveries::claimed_until.eq(until),
    ))
    .execute(conn)?;
    Ok(webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(ids))
        .filter(webhook_deliveries::claimed_by.eq(claimer))
        .filter(webhook_deliveries::claimed_until.eq(until))
        .select((Delivery::as_select(), Webhook::as_select()))
        .load(conn)?)
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub at: i64,
    /// The answer's HTTP status, if one came.
    pub status: Option<i64>,
    /// Why it failed, if it did (at most 500 characters).
    pub error: Option<String>,
    pub next: Next,
    /// The end of the retry period, set by the first attempt.
    pub give_up_at: i64,
}

/// Where a delivery goes after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Delivered,
    /// Failed; try again then.
    RetryAt(i64),
    /// Failed for the last time.
    Failed,
}

/// Records an attempt of a delivery `claimer` holds and ends the claim; whether the claim
/// was still theirs (a claim that lapsed may have gone to another deliverer).
pub fn record(
    conn: &mut DbConnection,
    id: DeliveryId,
    claimer: &str,
    attempt: &Attempt,
) -> Result<bool, DbError> {
    let (status, next_at, delivered_at) = match attempt.next {
        Next::Delivered => (DeliveryStatus::Delivered, attempt.at, Some(attempt.at)),
        Next::RetryAt(at) => (DeliveryStatus::Pending, at, None),
        Next::Failed => (DeliveryStatus::Failed, attempt.at, None),
    };
    let error: Option<String> = attempt
        .error
        .as_ref()
        .map(|e| e.chars().take(500).collect());
    let updated = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::claimed_by.eq(claimer)),
    )
    .set((
        webhook_deliveries::status.eq(status),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::next_at.eq(next_at),
        webhook_deliveries::give_up_at.eq(attempt.give_up_at),
        webhook_deliveries::claimed_by.eq(None::<String>),
        webhook_deliveries::claimed_until.eq(0),
        webhook_deliveries::last_attempt_at.eq(Some(attempt.at)),
        webhook_deliveries::last_status.eq(attempt.status),
        webhook_deliveries::last_error.eq(error),
        webhook_deliveries::delivered_at.eq(delivered_at),
    ))
    .execute(conn)?;
    Ok(updated > 0)
}

/// Up to `limit` deliveries of an endpoint, the newest first, older than `before` if given.
pub fn page(
    conn: &mut DbConnection,
    webhook: WebhookId,
    before: Option<DeliveryId>,
    limit: i64,
) -> Result<Vec<Delivery>, DbError> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::id.lt(before));
    }
    Ok(query.load(conn)?)
}

/// Every delivery of an endpoint, oldest first: for tests and tools.
pub fn all_of(conn: &mut DbConnection, webhook: WebhookId) -> Result<Vec<Delivery>, DbError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .order(webhook_deliveries::id.asc())
        .select(Delivery::as_select())
        .load(conn)?)
}

/// Queues a delivery of the endpoint again, due now, with a fresh retry period; returns
/// it, or `None` if the endpoint has no such delivery. One being attempted right now is
/// left to its attempt (and comes back as it stands).
pub fn redeliver(
    conn: &mut DbConnection,
    webhook: WebhookId,
    id: DeliveryId,
    now: i64,
) -> Result<Option<Delivery>, DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::update(
            webhook_deliveries::table
                .find(id)
                .filter(webhook_deliveries::webhook_id.eq(webhook))
                .filter(webhook_deliveries::claimed_until.lt(now)),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending),
            webhook_deliveries::next_at.eq(now),
            webhook_deliveries::give_up_at.eq(i64::MAX),
            webhook_deliveries::claimed_by.eq(None::<String>),
            webhook_deliveries::claimed_until.eq(0),
        ))
        .execute(conn)?;
        Ok(webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::webhook_id.eq(webhook))
            .select(Delivery::as_select())
            .first(conn)
            .optional()?)
    })
}
