//! Visitors' ratings of closed conversations (`room_ratings`, CSAT): one per room, and
//! the averages a site and each member earn.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::ids::{OwnerId, RoomId, SiteId};

use crate::schema::room_ratings;
use crate::{DbConnection, DbError};

/// A room's rating, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = room_ratings)]
pub struct Rating {
    pub room_id: RoomId,
    pub site_id: SiteId,
    /// 1 to 5.
    pub score: i32,
    pub comment: Option<String>,
    /// Who the conversation was assigned to when it was rated.
    pub assignee: Option<OwnerId>,
    pub rated_at: i64,
}

/// How many ratings and their scores' sum, for an average.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    pub sum: i64,
}

/// A site's ratings: all of them, and per assignee at the time (None: unassigned).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub site: Tally,
    pub by_assignee: BTreeMap<Option<OwnerId>, Tally>,
}

/// Stores a room's rating in place of any earlier one.
pub fn rate(conn: &mut DbConnection, rating: &Rating) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::delete(room_ratings::table.find(rating.room_id)).execute(conn)?;
        diesel::insert_into(room_ratings::table)
            .values(rating)
            .execute(conn)?;
        Ok(())
    })
}

/// The ratings of each of `rooms` that has one.
pub fn of_rooms(
    conn: &mut DbConnection,
    rooms: &[RoomId],
) -> Result<BTreeMap<RoomId, Rating>, DbError> {
    let rows: Vec<Rating> = room_ratings::table
        .filter(room_ratings::room_id.eq_any(rooms))
        .select(Rating::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.room_id, r)).collect())
}

/// Whether a room has a rating.
pub fn is_rated(conn: &mut DbConnection, room: RoomId) -> Result<bool, DbError> {
    let count: i64 = room_ratings::table
        .filter(room_ratings::room_id.eq(room))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// A site's tallies, counted per (assignee, score) in SQL: at most five rows per member,
/// whatever the number of ratings, and no backend's own AVG type to read.
pub fn summary(conn: &mut DbConnection, site: SiteId) -> Result<Summary, DbError> {
    let rows: Vec<(Option<OwnerId>, i32, i64)> = room_ratings::table
        .filter(room_ratings::site_id.eq(site))
        .group_by((room_ratings::assignee, room_ratings::score))
        .select((
            room_ratings::assignee,
            room_ratings::score,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut summary = Summary::default();
    for (assignee, score, count) in rows {
        let sum = i64::from(score) * count;
        for tally in [
            &mut summary.site,
            summary.by_assignee.entry(assignee).or_default(),
        ] {
            tally.count += count;
            tally.sum += sum;
        }
    }
    Ok(summary)
}
