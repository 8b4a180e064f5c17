//! The term index behind conversation search: the terms of every message by room, and
//! of every visitor's name and email, written beside what they index, and the backfill of
//! what was stored before the index. Terms come from [`pintalk_core::search`], the one
//! tokenizer; the inbox reads them ([`crate::rooms::inbox`]).

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};
use pintalk_core::search::{Search, terms};

use crate::backend;
use crate::models::StoredMessage;
use crate::schema::{messages, rooms, search_backfill, visitor_terms, visitors};
use crate::{DbConnection, DbError};

/// A message's term in its room.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Insertable)]
#[diesel(table_name = crate::schema::room_terms)]
pub struct RoomTerm {
    pub site_id: SiteId,
    pub term: String,
    pub room_id: RoomId,
}

/// A term of a visitor's name or email.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = visitor_terms)]
pub struct VisitorTerm {
    pub site_id: SiteId,
    pub term: String,
    pub visitor_id: VisitorId,
}

/// Indexes `messages`, whose rooms' sites `site_of` knows (a room it does not know is
/// skipped: it was deleted). Terms already indexed are skipped, so this is idempotent.
pub fn index_messages<'a>(
    conn: &mut DbConnection,
    messages: impl IntoIterator<Item = &'a StoredMessage>,
    site_of: &BTreeMap<RoomId, SiteId>,
) -> Result<(), DbError> {
    // Sorted: replicas inserting the same terms take their locks in one order.
    let mut rows = BTreeSet::new();
    for message in messages {
        let Some(site) = site_of.get(&message.room_id) else {
            continue;
        };
        rows.extend(terms(&message.body).into_iter().map(|term| RoomTerm {
            site_id: *site,
            term,
            room_id: message.room_id,
        }));
    }
    let rows: Vec<RoomTerm> = rows.into_iter().collect();
    backend::insert_room_terms_ignoring_duplicates(conn, &rows)
}

/// Makes the visitor findable by their name and email as they are now.
pub fn index_visitor(
    conn: &mut DbConnection,
    site: SiteId,
    visitor: VisitorId,
    name: Option<&str>,
    email: Option<&str>,
) -> Result<(), DbError> {
    diesel::delete(visitor_terms::table.filter(visitor_terms::visitor_id.eq(visitor)))
        .execute(conn)?;
    let text = format!("{} {}", name.unwrap_or(""), email.unwrap_or(""));
    let rows: Vec<VisitorTerm> = terms(&text)
        .into_iter()
        .map(|term| VisitorTerm {
            site_id: site,
            term,
            visitor_id: visitor,
        })
        .collect();
    backend::insert_visitor_terms_ignoring_duplicates(conn, &rows)
}

/// How many of a room's latest messages [`latest_matches`] looks at.
pub const MATCH_WINDOW: i64 = 20;

/// The newest of each room's last [`MATCH_WINDOW`] messages that matches `search`: the
/// message a search result shows. One query of at most `rooms × MATCH_WINDOW` rows; a room
/// whose match is older, or only in its visitor's name or email, has none.
pub fn latest_matches(
    conn: &mut DbConnection,
    rooms_found: &[RoomId],
    search: &Search,
) -> Result<BTreeMap<RoomId, StoredMessage>, DbError> {
    if rooms_found.is_empty() {
        return Ok(BTreeMap::new());
    }
    let recent: Vec<StoredMessage> = messages::table
        .inner_join(rooms::table)
        .filter(messages::room_id.eq_any(rooms_found))
        .filter(messages::seq.gt(rooms::last_seq - MATCH_WINDOW))
        .order((messages::room_id, messages::seq.desc()))
        .select(StoredMessage::as_select())
        .load(conn)?;
    let mut found = BTreeMap::new();
    for message in recent {
        if !found.contains_key(&message.room_id) && search.matches(&message.body) {
            found.insert(message.room_id, message);
        }
    }
    Ok(found)
}

/// How far the backfill got, as [`backfill`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backfill {
    /// More is left: call again.
    Running,
    /// Everything stored before the index is indexed.
    Finished,
}

/// What the backfill walks: its row in `search_backfill`.
const MESSAGES: &str = "messages";
const VISITORS: &str = "visitors";

/// Indexes up to `limit` messages (then visitors) stored before the index existed, in id
/// order from where the last call stopped. Several processes may run it at once: terms
/// are inserted idempotently and the mark only moves forward.
pub fn backfill(conn: &mut DbConnection, limit: i64) -> Result<Backfill, DbError> {
    let marks: Vec<(String, String, Option<i64>)> = search_backfill::table
        .select((
            search_backfill::source,
            search_backfill::after_id,
            search_backfill::finished_at,
        ))
        .load(conn)?;
    let pending = |source: &str| {
        marks
            .iter()
            .find(|(s, _, finished)| s == source && finished.is_none())
            .map(|(_, after, _)| after.clone())
    };
    if let Some(after) = pending(MESSAGES) {
        // Visitors come next, even when the messages just caught up.
        crate::write_transaction(conn, |conn| backfill_messages(conn, &after, limit))?;
        return Ok(Backfill::Running);
    }
    if let Some(after) = pending(VISITORS) {
        let caught_up =
            crate::write_transaction(conn, |conn| backfill_visitors(conn, &after, limit))?;
        return Ok(if caught_up {
            Backfill::Finished
        } else {
            Backfill::Running
        });
    }
    Ok(Backfill::Finished)
}

fn backfill_messages(conn: &mut DbConnection, after: &str, limit: i64) -> Result<bool, DbError> {
    let page: Vec<(StoredMessage, SiteId)> = messages::table
        .inner_join(rooms::table)
        .filter(messages::id.gt(after))
        .order(messages::id)
        .limit(limit)
        .select((StoredMessage::as_select(), rooms::site_id))
        .load(conn)?;
    let site_of: BTreeMap<RoomId, SiteId> = page.iter().map(|(m, s)| (m.room_id, *s)).collect();
    index_messages(conn, page.iter().map(|(m, _)| m), &site_of)?;
    let last = page.last().map(|(m, _)| m.id.to_string());
    advance(
        conn,
        MESSAGES,
        last,
        page.len() < usize::try_from(limit).unwrap_or(0),
    )
}

fn backfill_visitors(conn: &mut DbConnection, after: &str, limit: i64) -> Result<bool, DbError> {
    let page: Vec<(VisitorId, SiteId, Option<String>, Option<String>)> = visitors::table
        .filter(visitors::id.gt(after))
        .order(visitors::id)
        .limit(limit)
        .select((
            visitors::id,
            visitors::site_id,
            visitors::name,
            visitors::email,
        ))
        .load(conn)?;
    for (id, site, name, email) in &page {
        if name.is_some() || email.is_some() {
            index_visitor(conn, *site, *id, name.as_deref(), email.as_deref())?;
        }
    }
    let last = page.last().map(|(id, ..)| id.to_string());
    advance(
        conn,
        VISITORS,
        last,
        page.len() < usize::try_from(limit).unwrap_or(0),
    )
}

/// Moves the mark of `source` forward to `last` (never back), and marks it finished once
/// a page came back short (everything stored before the index is behind the mark);
/// returns whether it did.
fn advance(
    conn: &mut DbConnection,
    source: &str,
    last: Option<String>,
    caught_up: bool,
) -> Result<bool, DbError> {
    let row = search_backfill::table.filter(search_backfill::source.eq(source));
    if let Some(last) = last {
        diesel::update(row.filter(search_backfill::after_id.lt(&last)))
            .set(search_backfill::after_id.eq(&last))
            .execute(conn)?;
    }
    if caught_up {
        diesel::update(row.filter(search_backfill::finished_at.is_null()))
            .set(search_backfill::finished_at.eq(now_ms()))
            .execute(conn)?;
    }
    Ok(caught_up)
}
