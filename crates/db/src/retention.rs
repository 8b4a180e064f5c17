//! Retention: a site's `retention_days`, the rooms idle past it, and their deletion — a
//! room with everything that hangs off it (messages, read cursors, notification rows and
//! search terms by cascade, webhook deliveries that quote it), and its visitor once they
//! have no conversation left and are not blocked. Also the named leases that keep the
//! sweeper to one replica at a time.

use diesel::prelude::*;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};

use crate::schema::{leases, rooms, site_retention, visitors, webhook_deliveries, webhooks};
use crate::{DbConnection, DbError};

/// A day in stored milliseconds.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// The site's retention in days; `None`: kept for ever.
pub fn days(conn: &mut DbConnection, site: SiteId) -> Result<Option<i64>, DbError> {
    Ok(site_retention::table
        .find(site)
        .select(site_retention::days)
        .first(conn)
        .optional()?)
}

/// Sets (or, with `None`, turns off) the site's retention.
pub fn set_days(
    conn: &mut DbConnection,
    site: SiteId,
    days: Option<i64>,
    now: i64,
) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::delete(site_retention::table.find(site)).execute(conn)?;
        if let Some(days) = days {
            diesel::insert_into(site_retention::table)
                .values((
                    site_retention::site_id.eq(site),
                    site_retention::days.eq(days),
                    site_retention::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// A room the sweeper may delete: idle since before its site's retention allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expired {
    pub room: RoomId,
    pub site: SiteId,
    pub visitor: VisitorId,
    /// SQL's highest seq when the room was found: the bus may forget the room only if it
    /// holds nothing newer (nothing waits in the outbox).
    pub last_seq: i64,
    /// Rooms idle since before this (UTC ms) are expired for its site.
    pub cutoff: i64,
}

/// Up to `limit` rooms, of every site with a retention, idle since before `now` minus
/// that retention, oldest first.
pub fn expired(conn: &mut DbConnection, now: i64, limit: i64) -> Result<Vec<Expired>, DbError> {
    let rows: Vec<(RoomId, SiteId, VisitorId, i64, i64)> = rooms::table
        .inner_join(site_retention::table.on(site_retention::site_id.eq(rooms::site_id)))
        .filter((rooms::updated_at + site_retention::days * DAY_MS).lt(now))
        .order(rooms::updated_at.asc())
        .limit(limit)
        .select((
            rooms::id,
            rooms::site_id,
            rooms::visitor_id,
            rooms::last_seq,
            site_retention::days,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(room, site, visitor, last_seq, days)| Expired {
            room,
            site,
            visitor,
            last_seq,
            cutoff: now.saturating_sub(days.saturating_mul(DAY_MS)),
        })
        .collect())
}

/// What deleting one room removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    pub room: bool,
    /// The room's visitor, left with no conversation (and not blocked), went too.
    pub visitor: bool,
}

/// Deletes `expired.room` in one transaction if it is still as it was found — no message
/// stored since (`last_seq`) and still idle since before the cutoff — with its visitor if
/// they have nothing left. Deleting a room already gone deletes nothing: a rerun is safe.
pub fn delete_expired(conn: &mut DbConnection, expired: &Expired) -> Result<Deleted, DbError> {
    crate::write_transaction(conn, |conn| {
        let rooms_deleted = diesel::delete(
            rooms::table
                .find(expired.room)
                .filter(rooms::last_seq.eq(expired.last_seq))
                .filter(rooms::updated_at.lt(expired.cutoff)),
        )
        .execute(conn)?;
        if rooms_deleted == 0 {
            return Ok(Deleted::default());
        }
        forget_deliveries(conn, expired.site, &[expired.room])?;
        let left: i64 = rooms::table
            .filter(rooms::visitor_id.eq(expired.visitor))
            .count()
            .get_result(conn)?;
        let visitor = left == 0
            && diesel::delete(
                visitors::table
                    .find(expired.visitor)
                    .filter(visitors::blocked_at.is_null()),
            )
            .execute(conn)?
                > 0;
        Ok(Deleted {
            room: true,
            visitor,
        })
    })
}

/// Deletes the site's webhook deliveries whose payload names one of `rooms` (a message's
/// body travels in it). Room ids are UUIDs — hex and dashes, nothing `LIKE` reads as a
/// wildcard.
pub fn forget_deliveries(
    conn: &mut DbConnection,
    site: SiteId,
    rooms: &[RoomId],
) -> Result<(), DbError> {
    let endpoints = webhooks::table
        .filter(webhooks::site_id.eq(site))
        .select(webhooks::id);
    for room in rooms {
        diesel::delete(
            webhook_deliveries::table
                .filter(webhook_deliveries::webhook_id.eq_any(endpoints))
                .filter(webhook_deliveries::payload.like(format!("%{room}%"))),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// Takes (or renews) the lease `name` for `holder` until `until`, if it is free, lapsed
/// or already theirs; whether `holder` holds it now. One conditional UPDATE, so of two
/// replicas asking at once one gets it.
pub fn take_lease(
    conn: &mut DbConnection,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, DbError> {
    let taken = diesel::update(
        leases::table
            .find(name)
            .filter(leases::held_until.lt(now).or(leases::holder.eq(holder))),
    )
    .set((leases::holder.eq(holder), leases::held_until.eq(until)))
    .execute(conn)?;
    Ok(taken > 0)
}
