//! Single-use emailed tokens (email verification, password reset, email change), stored
//! hashed.

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
    insert(conn, owner, purpose, token_hash, expires_at, None)
}

/// Stores a [`TokenPurpose::ChangeEmail`] token that moves `owner` to `new_email`.
pub fn create_email_change(
    conn: &mut DbConnection,
    owner: OwnerId,
    new_email: &str,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    insert(
        conn,
        owner,
        TokenPurpose::ChangeEmail,
        token_hash,
        expires_at,
        Some(new_email.to_owned()),
    )
}

fn insert(
    conn: &mut DbConnection,
    owner: OwnerId,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: i64,
    new_email: Option<String>,
) -> Result<(), DbError> {
    diesel::insert_into(one_time_tokens::table)
        .values(OneTimeToken {
            token_hash: token_hash.to_owned(),
            owner_id: owner,
            purpose,
            created_at: now_ms(),
            expires_at,
            used_at: None,
            new_email,
        })
        .execute(conn)?;
    Ok(())
}

/// Uses up the token if it is known, unused, unexpired and for `purpose`; returns it.
/// A second call with the same token finds nothing.
pub fn consume(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    token_hash: &str,
) -> Result<Option<OneTimeToken>, DbError> {
    crate::write_transaction(conn, |conn| {
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
        Ok(Some(token))
    })
}

/// Whether the token would be accepted now (known, unused, unexpired, for `purpose`),
/// without using it up.
pub fn is_usable(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    token_hash: &str,
) -> Result<bool, DbError> {
    let found = one_time_tokens::table
        .find(token_hash)
        .filter(one_time_tokens::purpose.eq(purpose))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(now_ms()))
        .select(one_time_tokens::token_hash)
        .first::<String>(conn)
        .optional()?;
    Ok(found.is_some())
}

/// The address of `owner`'s email change still waiting for its link, if any: the newest
/// unused, unexpired one (requesting a change voids the older ones).
pub fn pending_email(conn: &mut DbConnection, owner: OwnerId) -> Result<Option<String>, DbError> {
    Ok(one_time_tokens::table
        .filter(one_time_tokens::owner_id.eq(owner))
        .filter(one_time_tokens::purpose.eq(TokenPurpose::ChangeEmail))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(now_ms()))
        .order(one_time_tokens::created_at.desc())
        .select(one_time_tokens::new_email)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
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
