//! Verified visitors: a site's identity secret and settings, and the visitors its server
//! vouched for (one per `user_id` and site).

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{SiteId, VisitorId};

use crate::models::{SiteIdentity, VerifiedVisitor};
use crate::schema::{site_identities, verified_visitors};
use crate::{DbConnection, DbError};

/// The site's identity verification, if a secret was ever generated for it.
pub fn find(conn: &mut DbConnection, site: SiteId) -> Result<Option<SiteIdentity>, DbError> {
    Ok(site_identities::table
        .find(site)
        .select(SiteIdentity::as_select())
        .first(conn)
        .optional()?)
}

/// Gives the site a new secret (its first, or one replacing the old, whose hashes stop
/// verifying); the settings stay as they were. Returns the identity as stored.
pub fn set_secret(
    conn: &mut DbConnection,
    site: SiteId,
    secret: &str,
) -> Result<SiteIdentity, DbError> {
    crate::write_transaction(conn, |conn| {
        let now = now_ms();
        let updated = diesel::update(site_identities::table.find(site))
            .set((
                site_identities::secret.eq(secret),
                site_identities::updated_at.eq(now),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(site_identities::table)
                .values(SiteIdentity {
                    site_id: site,
                    secret: secret.to_owned(),
                    verification_required: false,
                    anonymous_allowed: true,
                    created_at: now,
                    updated_at: now,
                })
                .execute(conn)?;
        }
        find(conn, site)?.ok_or(DbError::Query(diesel::result::Error::NotFound))
    })
}

/// Changes the site's settings (`None` keeps one); `None` if the site has no identity
/// secret yet.
pub fn update_settings(
    conn: &mut DbConnection,
    site: SiteId,
    verification_required: Option<bool>,
    anonymous_allowed: Option<bool>,
) -> Result<Option<SiteIdentity>, DbError> {
    crate::write_transaction(conn, |conn| {
        let Some(mut identity) = find(conn, site)? else {
            return Ok(None);
        };
        identity.verification_required =
            verification_required.unwrap_or(identity.verification_required);
        identity.anonymous_allowed = anonymous_allowed.unwrap_or(identity.anonymous_allowed);
        identity.updated_at = now_ms();
        diesel::update(site_identities::table.find(site))
            .set((
                site_identities::verification_required.eq(identity.verification_required),
                site_identities::anonymous_allowed.eq(identity.anonymous_allowed),
                site_identities::updated_at.eq(identity.updated_at),
            ))
            .execute(conn)?;
        Ok(Some(identity))
    })
}

/// The visitor the site's server named `user_id`, if one was verified before.
pub fn verified_visitor(
    conn: &mut DbConnection,
    site: SiteId,
    user_id: &str,
) -> Result<Option<VerifiedVisitor>, DbError> {
    Ok(verified_visitors::table
        .filter(verified_visitors::site_id.eq(site))
        .filter(verified_visitors::user_id.eq(user_id))
        .select(VerifiedVisitor::as_select())
        .first(conn)
        .optional()?)
}

/// Whom the visitor was verified as, if they were.
pub fn of_visitor(
    conn: &mut DbConnection,
    visitor: VisitorId,
) -> Result<Option<VerifiedVisitor>, DbError> {
    Ok(verified_visitors::table
        .find(visitor)
        .select(VerifiedVisitor::as_select())
        .first(conn)
        .optional()?)
}

/// The verified ones among these visitors.
pub fn of_visitors(
    conn: &mut DbConnection,
    visitors: &[VisitorId],
) -> Result<Vec<VerifiedVisitor>, DbError> {
    if visitors.is_empty() {
        return Ok(Vec::new());
    }
    Ok(verified_visitors::table
        .filter(verified_visitors::visitor_id.eq_any(visitors))
        .select(VerifiedVisitor::as_select())
        .load(conn)?)
}

/// Records that the visitor is `user_id` of their site. A unique violation means another
/// visitor already is (two browsers verified at once): the caller looks again.
pub fn verify(conn: &mut DbConnection, verified: &VerifiedVisitor) -> Result<(), DbError> {
    diesel::insert_into(verified_visitors::table)
        .values(verified.clone())
        .execute(conn)?;
    Ok(())
}
