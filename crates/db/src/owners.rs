//! Owner accounts.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, WorkspaceId};

use crate::models::{Owner, ProfileChange, Workspace};
use crate::schema::owners;
use crate::{DbConnection, DbError};

/// Stores a new account with the workspace it owns (named after its company, else its
/// name; id [`WorkspaceId::first_of`]); a taken email is a unique violation.
pub fn insert(conn: &mut DbConnection, owner: Owner) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        let workspace = Workspace {
            id: WorkspaceId::first_of(owner.id),
            name: owner
                .company
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| owner.name.clone()),
            created_at: owner.created_at,
        };
        let id = owner.id;
        diesel::insert_into(owners::table)
            .values(owner)
            .execute(conn)?;
        crate::workspaces::create(conn, &workspace, id)
    })
}

pub fn find(conn: &mut DbConnection, id: OwnerId) -> Result<Option<Owner>, DbError> {
    Ok(owners::table
        .find(id)
        .select(Owner::as_select())
        .first(conn)
        .optional()?)
}

/// Looks an owner up by normalised email.
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<Owner>, DbError> {
    Ok(owners::table
        .filter(owners::email.eq(email))
        .select(Owner::as_select())
        .first(conn)
        .optional()?)
}

pub fn update_profile(
    conn: &mut DbConnection,
    id: OwnerId,
    change: &ProfileChange,
) -> Result<(), DbError> {
    diesel::update(owners::table.find(id))
        .set(change)
        .execute(conn)?;
    Ok(())
}

pub fn set_password_hash(conn: &mut DbConnection, id: OwnerId, hash: &str) -> Result<(), DbError> {
    diesel::update(owners::table.find(id))
        .set((
            owners::password_hash.eq(hash),
            owners::updated_at.eq(now_ms()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves the account to `email`, which the owner has just proved is theirs (the change
/// link reached it), so the account counts as verified too. A taken address is a unique
/// violation.
pub fn set_email(conn: &mut DbConnection, id: OwnerId, email: &str) -> Result<(), DbError> {
    let now = now_ms();
    diesel::update(owners::table.find(id))
        .set((owners::email.eq(email), owners::updated_at.eq(now)))
        .execute(conn)?;
    mark_verified(conn, id)
}

/// Marks the email verified (idempotent: the first time is kept).
pub fn mark_verified(conn: &mut DbConnection, id: OwnerId) -> Result<(), DbError> {
    diesel::update(
        owners::table
            .find(id)
            .filter(owners::email_verified_at.is_null()),
    )
    .set(owners::email_verified_at.eq(now_ms()))
    .execute(conn)?;
    Ok(())
}

/// Deletes the account with the workspaces it owns; foreign keys cascade to sessions,
/// tokens, memberships, sites, visitors, rooms and messages. (The caller refuses first
/// when an owned workspace has other members.)
pub fn delete(conn: &mut DbConnection, id: OwnerId) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        for (workspace, _) in crate::workspaces::owned_by(conn, id)? {
            crate::workspaces::delete(conn, workspace)?;
        }
        diesel::delete(owners::table.find(id)).execute(conn)?;
        Ok(())
    })
}
