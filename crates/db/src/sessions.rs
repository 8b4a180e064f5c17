//! Login sessions and their rotating refresh tokens. A session is one refresh-token
//! family: each refresh hands out a new token and marks the old one used; presenting a
//! used token again means it was stolen, so the whole session is revoked.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, SessionId};

use crate::models::{Owner, RefreshToken, Session};
use crate::schema::{owners, refresh_tokens, sessions};
use crate::{DbConnection, DbError};

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: it is now used and `new_hash` replaces it.
    Rotated(Session),
    /// The token had already been rotated: this session is now revoked.
    Reused(SessionId),
    /// Unknown token, or its session is revoked or expired.
    Invalid,
}

/// Starts a session for `owner` whose first refresh token hashes to `token_hash`.
pub fn start(
    conn: &mut DbConnection,
    owner: OwnerId,
    token_hash: &str,
    expires_at: i64,
) -> Result<Session, DbError> {
    let now = now_ms();
    let session = Session {
        id: SessionId::new(),
        owner_id: owner,
        created_at: now,
        expires_at,
        revoked_at: None,
    };
    crate::write_transaction(conn, |conn| {
        diesel::insert_into(sessions::table)
            .values(session.clone())
            .execute(conn)?;
        diesel::insert_into(refresh_tokens::table)
            .values(RefreshToken {
                token_hash: token_hash.to_owned(),
                session_id: session.id,
                created_at: now,
                used_at: None,
            })
            .execute(conn)?;
        Ok::<_, DbError>(())
    })?;
    Ok(session)
}

/// Swaps the token hashing to `old_hash` for one hashing to `new_hash`, atomically.
pub fn rotate(
    conn: &mut DbConnection,
    old_hash: &str,
    new_hash: &str,
) -> Result<Rotation, DbError> {
    crate::write_transaction(conn, |conn| {
        let now = now_ms();
        let found: Option<(RefreshToken, Session)> = refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::token_hash.eq(old_hash))
            .select((RefreshToken::as_select(), Session::as_select()))
            .first(conn)
            .optional()?;
        let Some((token, session)) = found else {
            return Ok(Rotation::Invalid);
        };
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        // Mark used only if nobody else did first: two concurrent refreshes with one
        // token cannot both win.
        let claimed = diesel::update(
            refresh_tokens::table
                .find(&token.token_hash)
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
        if claimed == 0 {
            revoke(conn, session.id)?;
            return Ok(Rotation::Reused(session.id));
        }
        diesel::insert_into(refresh_tokens::table)
            .values(RefreshToken {
                token_hash: new_hash.to_owned(),
                session_id: session.id,
                created_at: now,
                used_at: None,
            })
            .execute(conn)?;
        Ok(Rotation::Rotated(session))
    })
}

/// The owner behind an access token, if its session is still live.
pub fn live_owner(
    conn: &mut DbConnection,
    owner: OwnerId,
    session: SessionId,
) -> Result<Option<Owner>, DbError> {
    Ok(sessions::table
        .inner_join(owners::table)
        .filter(sessions::id.eq(session))
        .filter(sessions::owner_id.eq(owner))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now_ms()))
        .select(Owner::as_select())
        .first(conn)
        .optional()?)
}

/// Ends one session: its refresh tokens and access tokens stop working.
pub fn revoke(conn: &mut DbConnection, session: SessionId) -> Result<(), DbError> {
    diesel::update(
        sessions::table
            .find(session)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now_ms()))
    .execute(conn)?;
    Ok(())
}

/// The live sessions of `owner` (whose tickets may be out or sockets open).
pub fn live_of(conn: &mut DbConnection, owner: OwnerId) -> Result<Vec<SessionId>, DbError> {
    Ok(sessions::table
        .filter(sessions::owner_id.eq(owner))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now_ms()))
        .select(sessions::id)
        .load::<String>(conn)?
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect())
}

/// Ends every session of `owner`; returns those that were live (the ones whose tickets
/// may still be out).
pub fn revoke_all(conn: &mut DbConnection, owner: OwnerId) -> Result<Vec<SessionId>, DbError> {
    let live: Vec<SessionId> = sessions::table
        .filter(sessions::owner_id.eq(owner))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now_ms()))
        .select(sessions::id)
        .load::<String>(conn)?
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    diesel::update(
        sessions::table
            .filter(sessions::owner_id.eq(owner))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now_ms()))
    .execute(conn)?;
    Ok(live)
}
