//! Workspace API tokens (`api_tokens`): created, listed, revoked by the workspace's
//! admins, and looked up by hash on every request they authenticate.

use diesel::prelude::*;
use pintalk_core::ids::{ApiTokenId, WorkspaceId};

use crate::models::{ApiToken, Owner};
use crate::schema::{api_tokens, owners};
use crate::{DbConnection, DbError};

/// How often `last_used_at` is written for a busy token: once a minute is enough to say
/// "used today", and spares a write on every request.
pub const LAST_USED_PRECISION_MS: i64 = 60_000;

/// What [`create`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    Stored,
    /// The workspace has `max` tokens already.
    Full,
}

/// Stores a new token unless its workspace has `max` already.
///
/// Inserted first and counted after, each statement on its own: a transaction that reads
/// and then writes fails at once on SQLite when the persister commits in between (its
/// snapshot is stale), and two concurrent creates past the bound are both taken back
/// rather than both kept.
pub fn create(conn: &mut DbConnection, token: &ApiToken, max: usize) -> Result<Created, DbError> {
    diesel::insert_into(api_tokens::table)
        .values(token)
        .execute(conn)?;
    let count: i64 = api_tokens::table
        .filter(api_tokens::workspace_id.eq(token.workspace_id))
        .count()
        .get_result(conn)?;
    if usize::try_from(count).unwrap_or(usize::MAX) > max {
        diesel::delete(api_tokens::table.find(token.id)).execute(conn)?;
        return Ok(Created::Full);
    }
    Ok(Created::Stored)
}

/// The tokens of these workspaces, oldest first.
pub fn of_workspaces(
    conn: &mut DbConnection,
    workspaces: &[WorkspaceId],
) -> Result<Vec<ApiToken>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::workspace_id.eq_any(workspaces))
        .order((api_tokens::created_at.asc(), api_tokens::id.asc()))
        .select(ApiToken::as_select())
        .load(conn)?)
}

/// Revokes (deletes) one token of these workspaces; whether there was one. It stops working
/// at once: every request looks its hash up.
pub fn revoke(
    conn: &mut DbConnection,
    workspaces: &[WorkspaceId],
    id: ApiTokenId,
) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::workspace_id.eq_any(workspaces)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// The token with this hash and the member who made it, marked used at `now` unless it was marked
/// within the last minute.
pub fn authenticate(
    conn: &mut DbConnection,
    hash: &str,
    now: i64,
) -> Result<Option<(ApiToken, Owner)>, DbError> {
    let found: Option<(ApiToken, Owner)> = api_tokens::table
        .inner_join(owners::table)
        .filter(api_tokens::token_hash.eq(hash))
        .select((ApiToken::as_select(), Owner::as_select()))
        .first(conn)
        .optional()?;
    let Some((mut token, owner)) = found else {
        return Ok(None);
    };
    if token
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_PRECISION_MS)
    {
        diesel::update(api_tokens::table.find(token.id))
            .set(api_tokens::last_used_at.eq(Some(now)))
            .execute(conn)?;
        token.last_used_at = Some(now);
    }
    Ok(Some((token, owner)))
}
