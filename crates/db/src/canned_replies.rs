//! Canned replies (`canned_replies`): a workspace's saved answers, one per shortcut.

use diesel::prelude::*;
use pintalk_core::ids::{CannedReplyId, WorkspaceId};

use crate::models::CannedReply;
use crate::schema::canned_replies;
use crate::{DbConnection, DbError};

/// What [`create`] or [`update`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Stored,
    /// The workspace has `max` replies already.
    Full,
    /// Another of the workspace's replies has this shortcut.
    ShortcutTaken,
    /// No such reply of the workspace's ([`update`] only).
    Missing,
}

/// Stores a new reply unless its workspace has `max` already or uses its shortcut.
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
        .filter(canned_replies::workspace_id.eq(reply.workspace_id))
        .count()
        .get_result(conn)?;
    if usize::try_from(count).unwrap_or(usize::MAX) > max {
        diesel::delete(canned_replies::table.find(reply.id)).execute(conn)?;
        return Ok(Saved::Full);
    }
    Ok(Saved::Stored)
}

/// The replies of these workspaces, by shortcut.
pub fn of_workspaces(
    conn: &mut DbConnection,
    workspaces: &[WorkspaceId],
) -> Result<Vec<CannedReply>, DbError> {
    Ok(canned_replies::table
        .filter(canned_replies::workspace_id.eq_any(workspaces))
        .order(canned_replies::shortcut.asc())
        .select(CannedReply::as_select())
        .load(conn)?)
}

/// One reply of these workspaces.
pub fn get(
    conn: &mut DbConnection,
    workspaces: &[WorkspaceId],
    id: CannedReplyId,
) -> Result<Option<CannedReply>, DbError> {
    Ok(canned_replies::table
        .filter(canned_replies::id.eq(id))
        .filter(canned_replies::workspace_id.eq_any(workspaces))
        .select(CannedReply::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `reply`'s shortcut, title, body and `updated_at` over the workspace's stored reply.
pub fn update(conn: &mut DbConnection, reply: &CannedReply) -> Result<Saved, DbError> {
    let changed = diesel::update(
        canned_replies::table
            .filter(canned_replies::id.eq(reply.id))
            .filter(canned_replies::workspace_id.eq(reply.workspace_id)),
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

/// Deletes one reply of these workspaces; whether there was one.
pub fn delete(
    conn: &mut DbConnection,
    workspaces: &[WorkspaceId],
    id: CannedReplyId,
) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        canned_replies::table
            .filter(canned_replies::id.eq(id))
            .filter(canned_replies::workspace_id.eq_any(workspaces)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}
