//! A site's IP bans and its own abuse limits.
//!
//! Whether an address is banned is one indexed look-up, no cache: the network's first
//! and last address are stored as fixed-width keys that sort as addresses do
//! (`pintalk_core::network::address_key`), so SQL compares the visitor's key with them.
//! A ban added on one account service applies on every other at once, and one that
//! expired stops applying by the clock alone.

use diesel::prelude::*;
use pintalk_core::ids::{BanId, SiteId};

use crate::models::{SiteBan, SiteLimits};
use crate::schema::{site_bans, site_limits};
use crate::{DbConnection, DbError};

/// Stores a new ban unless its site has `max` already; whether it was stored. Expired
/// bans do not count.
pub fn insert(conn: &mut DbConnection, ban: &SiteBan, max: i64, now: i64) -> Result<bool, DbError> {
    crate::write_transaction(conn, |conn| {
        let count: i64 = site_bans::table
            .filter(site_bans::site_id.eq(ban.site_id))
            .filter(live(now))
            .count()
            .get_result(conn)?;
        if count >= max {
            return Ok(false);
        }
        // Expired bans are kept only until the site next adds one.
        diesel::delete(
            site_bans::table
                .filter(site_bans::site_id.eq(ban.site_id))
                .filter(site_bans::expires_at.le(now)),
        )
        .execute(conn)?;
        diesel::insert_into(site_bans::table)
            .values(ban.clone())
            .execute(conn)?;
        Ok(true)
    })
}

/// Bans that apply at `now`: no expiry, or one still ahead.
fn live(
    now: i64,
) -> diesel::dsl::Or<
    diesel::dsl::IsNull<site_bans::expires_at>,
    diesel::dsl::Gt<site_bans::expires_at, i64>,
> {
    site_bans::expires_at
        .is_null()
        .or(site_bans::expires_at.gt(now))
}

/// The site's bans that apply at `now`, the newest first.
pub fn list_for_site(
    conn: &mut DbConnection,
    site: SiteId,
    now: i64,
) -> Result<Vec<SiteBan>, DbError> {
    Ok(site_bans::table
        .filter(site_bans::site_id.eq(site))
        .filter(live(now))
        .order(site_bans::id.desc())
        .select(SiteBan::as_select())
        .load(conn)?)
}

/// Deletes the site's ban; whether there was one.
pub fn delete(conn: &mut DbConnection, site: SiteId, id: BanId) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        site_bans::table
            .find(id)
            .filter(site_bans::site_id.eq(site)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// A ban of `site` that covers the address whose key is `address_key` at `now`, if any.
pub fn covering(
    conn: &mut DbConnection,
    site: SiteId,
    address_key: &str,
    now: i64,
) -> Result<Option<SiteBan>, DbError> {
    Ok(site_bans::table
        .filter(site_bans::site_id.eq(site))
        .filter(site_bans::first_key.le(address_key))
        .filter(site_bans::last_key.ge(address_key))
        .filter(live(now))
        .select(SiteBan::as_select())
        .first(conn)
        .optional()?)
}

/// The site's own limits (all `None` when it set none).
pub fn limits(conn: &mut DbConnection, site: SiteId) -> Result<SiteLimits, DbError> {
    Ok(site_limits::table
        .find(site)
        .select(SiteLimits::as_select())
        .first(conn)
        .optional()?
        .unwrap_or(SiteLimits {
            site_id: site,
            sessions_per_ip: None,
            conversations_per_ip: None,
            messages_per_minute: None,
            updated_at: 0,
        }))
}

/// Stores the site's limits, replacing what it had.
pub fn set_limits(conn: &mut DbConnection, limits: &SiteLimits) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        let updated = diesel::update(site_limits::table.find(limits.site_id))
            .set(limits.clone())
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(site_limits::table)
                .values(limits.clone())
                .execute(conn)?;
        }
        Ok(())
    })
}
