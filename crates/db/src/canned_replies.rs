//! Canned replies (`canned_replies`): a workspace's saved answers, one per shortcut. Until
//! workspaces exist (issue 12) they belong to the owner's account.

use diesel::prelude::*;
use pintalk_core::ids::{CannedReplyId, OwnerId};

use crate::models::CannedReply;
use crate::schema::canned_replies;
use crate::{DbConnection, DbError};

/// What [`create`] or [`update`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Stored,
    /// The owner has `max` replies already.
    Full,
    /// Another of the owner's replies has this shortcut.
    ShortcutTaken,
    /// No such reply of the owner's ([`update`] only).
    Missing,
}

/// Stores a new reply unless its owner has `max` already or uses its shortcut.
///
/// Inserted first and counted after, as `api_tokens::create` does: two concurrent creates
/// past the bound are both taken back rather than both kept.
pub fn create(conn: &mut DbConnection, reply: &CannedReply, max: usize) -> Result<Saved, DbError> {
    match diesel::insert_into(canned_replies::table)
        .values(reply)
        .execute(conn)
    {
        Ok(_) => {}
        Err(e) => {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                return Ok(Saved::ShortcutTaken);
            }
            return Err(e);
        }
    }
    let count: i64 = canned_replies::table
        .filter(canned_replies::owner_id.eq(reply.owner_id))
        .count()
        .get_result(conn)?;
    if usize::try_from(count).unwrap_or(usize::MAX) > max {
        diesel::delete(canned_replies::table.find(reply.id)).execute(conn)?;
        return Ok(Saved::Full);
    }
    Ok(Saved::Stored)
}

/// The owner's replies, by shortcut.
pub fn of_owner(conn: &mut DbConnection, owner: OwnerId) -> Result<Vec<CannedReply>, DbError> {
    Ok(canned_replies::table
        .filter(canned_replies::owner_id.eq(owner))
        .order(canned_replies::shortcut.asc())
        .select(CannedReply::as_select())
        .load(conn)?)
}

/// One of the owner's replies.
pub fn get(
    conn: &mut DbConnection,
    owner: OwnerId,
    id: CannedReplyId,
) -> Result<Option<CannedReply>, DbError> {
    Ok(canned_replies::table
        .filter(canned_replies::id.eq(id))
        .filter(canned_replies::owner_id.eq(owner))
        .select(CannedReply::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `reply`'s shortcut, title, body and `updated_at` over the owner's stored reply.
pub fn update(conn: &mut DbConnection, reply: &CannedReply) -> Result<Saved, DbError> {
    let changed = diesel::update(
        canned_replies::table
            .filter(canned_replies::id.eq(reply.id))
            .filter(canned_replies::owner_id.eq(reply.owner_id)),
    )
    .set((
        canned_replies::shortcut.eq(&reply.shortcut),
        canned_replies::title.eq(&reply.title),
        canned_replies::body.eq(&reply.body),
        canned_replies::updated_at.eq(reply.updated_at),
    ))
    .execute(conn);
    match changed {
        Ok(0) => Ok(Saved::Missing),
        Ok(_) => Ok(Saved::Stored),
        Err(e) => {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                Ok(Saved::ShortcutTaken)
            } else {
                Err(e)
            }
        }
    }
}

/// Deletes one of the owner's replies; whether there was one.
pub fn delete(conn: &mut DbConnection, owner: OwnerId, id: CannedReplyId) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        canned_replies::table
            .filter(canned_replies::id.eq(id))
            .filter(canned_replies::owner_id.eq(owner)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}
