//! What a visitor's widget last reported about them (`visitor_contexts`): the page, the
//! referrer, language, time zone and screen, with the user agent the server parsed.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::ids::VisitorId;

use crate::schema::visitor_contexts;
use crate::{DbConnection, DbError};

/// A report further than this from the previous one starts a new visit.
pub const VISIT_GAP_MS: i64 = 30 * 60 * 1000;

/// One visitor's context, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = visitor_contexts)]
pub struct VisitorContext {
    pub visitor_id: VisitorId,
    pub page_url: String,
    pub page_title: Option<String>,
    pub referrer: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub screen_width: Option<i32>,
    pub screen_height: Option<i32>,
    pub browser: Option<String>,
    pub browser_version: Option<String>,
    pub os: Option<String>,
    pub device: Option<String>,
    /// Reports more than [`VISIT_GAP_MS`] apart, this one included.
    pub visits: i64,
    pub updated_at: i64,
}

/// Stores a report in place of the previous one, counting a new visit after a gap;
/// returns what is stored.
pub fn report(
    conn: &mut DbConnection,
    context: &VisitorContext,
) -> Result<VisitorContext, DbError> {
    crate::write_transaction(conn, |conn| {
        let id = context.visitor_id;
        diesel::update(
            visitor_contexts::table
                .find(id)
                .filter(visitor_contexts::updated_at.lt(context.updated_at - VISIT_GAP_MS)),
        )
        .set(visitor_contexts::visits.eq(visitor_contexts::visits + 1))
        .execute(conn)?;
        let replaced = diesel::update(visitor_contexts::table.find(id))
            .set((
                visitor_contexts::page_url.eq(&context.page_url),
                visitor_contexts::page_title.eq(&context.page_title),
                visitor_contexts::referrer.eq(&context.referrer),
                visitor_contexts::language.eq(&context.language),
                visitor_contexts::time_zone.eq(&context.time_zone),
                visitor_contexts::screen_width.eq(context.screen_width),
                visitor_contexts::screen_height.eq(context.screen_height),
                visitor_contexts::browser.eq(&context.browser),
                visitor_contexts::browser_version.eq(&context.browser_version),
                visitor_contexts::os.eq(&context.os),
                visitor_contexts::device.eq(&context.device),
                visitor_contexts::updated_at.eq(context.updated_at),
            ))
            .execute(conn)?;
        if replaced == 0 {
            let first = VisitorContext {
                visits: 1,
                ..context.clone()
            };
            diesel::insert_into(visitor_contexts::table)
                .values(&first)
                .execute(conn)?;
            return Ok(first);
        }
        Ok(visitor_contexts::table
            .find(id)
            .select(VisitorContext::as_select())
            .first(conn)?)
    })
}

/// The contexts of each of `visitors` that has one.
pub fn of_visitors(
    conn: &mut DbConnection,
    visitors: &[VisitorId],
) -> Result<BTreeMap<VisitorId, VisitorContext>, DbError> {
    let rows: Vec<VisitorContext> = visitor_contexts::table
        .filter(visitor_contexts::visitor_id.eq_any(visitors))
        .select(VisitorContext::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|c| (c.visitor_id, c)).collect())
}
