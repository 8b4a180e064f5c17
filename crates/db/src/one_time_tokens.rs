//! Single-use emailed tokens (email verification, password reset), stored hashed.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::OwnerId;

use crate::models::{OneTimeToken, TokenPurpose};
use crate::schema::one_time_tokens;
use crate::{DbConnection, DbError};

/// Stores a token for `owner` that is valid until `expires_at`.
pub fn create(
    conn: &mut DbConnection,
    owner: OwnerId,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    diesel::insert_into(one_time_tokens::table)
        .values(OneTimeToken {
            token_hash: token_hash.to_owned(),
            owner_id: owner,
            purpose,
            created_at: now_ms(),
            expires_at,
            used_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// Uses up the token if it is known, unused, unexpired and for `purpose`; returns its
/// owner. A second call with the same token finds nothing.
pub fn consume(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    token_hash: &str,
) -> Result<Option<OwnerId>, DbError> {
    conn.transaction(|conn| {
        let now = now_ms();
        let claimed = diesel::update(
            one_time_tokens::table
                .find(token_hash)
                .filter(one_time_tokens::purpose.eq(purpose))
                .filter(one_time_tokens::used_at.is_null())
                .filter(one_time_tokens::expires_at.gt(now)),
        )
        .set(one_time_tokens::used_at.eq(now))
        .execute(conn)?;
        if claimed == 0 {
            return Ok(None);
        }
        let token = one_time_tokens::table
            .find(token_hash)
            .select(OneTimeToken::as_select())
            .first(conn)?;
        Ok(Some(token.owner_id))
    })
}

/// Voids every unused token of `purpose` for `owner`, e.g. older reset links once the
/// password was reset.
pub fn void_all(
    conn: &mut DbConnection,
    owner: OwnerId,
    purpose: TokenPurpose,
) -> Result<(), DbError> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::owner_id.eq(owner))
            .filter(one_time_tokens::purpose.eq(purpose))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(now_ms()))
    .execute(conn)?;
    Ok(())
}
