//! The browsers an owner subscribed to Web Push (`push_subscriptions`).

use diesel::prelude::*;
use pintalk_core::ids::{OwnerId, PushSubscriptionId};

use crate::models::PushSubscription;
use crate::schema::push_subscriptions;
use crate::{DbConnection, DbError};

/// What [`subscribe`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscribed {
    /// Stored (or, for an endpoint the owner had, its keys replaced): the id it has.
    Stored(PushSubscriptionId),
    /// The owner has `max` subscriptions already.
    Full,
}

/// Subscribes a browser of the owner's. An endpoint the owner subscribed before keeps its
/// id and takes the new keys (a browser that renews its subscription); a new one needs
/// room under `max`.
pub fn subscribe(
    conn: &mut DbConnection,
    subscription: &PushSubscription,
    max: usize,
) -> Result<Subscribed, DbError> {
    crate::write_transaction(conn, |conn| {
        let owner = subscription.owner_id;
        let existing: Option<PushSubscriptionId> = push_subscriptions::table
            .filter(push_subscriptions::owner_id.eq(owner))
            .filter(push_subscriptions::endpoint.eq(&subscription.endpoint))
            .select(push_subscriptions::id)
            .first(conn)
            .optional()?;
        if let Some(id) = existing {
            diesel::update(push_subscriptions::table.find(id))
                .set((
                    push_subscriptions::p256dh.eq(&subscription.p256dh),
                    push_subscriptions::auth.eq(&subscription.auth),
                ))
                .execute(conn)?;
            return Ok(Subscribed::Stored(id));
        }
        let count: i64 = push_subscriptions::table
            .filter(push_subscriptions::owner_id.eq(owner))
            .count()
            .get_result(conn)?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= max {
            return Ok(Subscribed::Full);
        }
        diesel::insert_into(push_subscriptions::table)
            .values(subscription)
            .execute(conn)?;
        Ok(Subscribed::Stored(subscription.id))
    })
}

/// The owner's subscriptions, oldest first.
pub fn of_owner(conn: &mut DbConnection, owner: OwnerId) -> Result<Vec<PushSubscription>, DbError> {
    Ok(push_subscriptions::table
        .filter(push_subscriptions::owner_id.eq(owner))
        .order((
            push_subscriptions::created_at.asc(),
            push_subscriptions::id.asc(),
        ))
        .select(PushSubscription::as_select())
        .load(conn)?)
}

/// Deletes one of the owner's subscriptions; whether there was one.
pub fn unsubscribe(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: PushSubscriptionId,
) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        push_subscriptions::table
            .filter(push_subscriptions::id.eq(id))
            .filter(push_subscriptions::owner_id.eq(owner)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// Deletes a subscription its push service said is gone (404 or 410).
pub fn expired(conn: &mut DbConnection, id: PushSubscriptionId) -> Result<(), DbError> {
    diesel::delete(push_subscriptions::table.find(id)).execute(conn)?;
    Ok(())
}

/// Of `owners`, those with a subscription.
pub(crate) fn subscribed(
    conn: &mut DbConnection,
    owners: &[OwnerId],
) -> Result<Vec<OwnerId>, DbError> {
    Ok(push_subscriptions::table
        .filter(push_subscriptions::owner_id.eq_any(owners))
        .select(push_subscriptions::owner_id)
        .distinct()
        .load(conn)?)
}
