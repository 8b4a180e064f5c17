//! A site's identity verification (see [`crate::identity`]): its secret, generated and
//! rotated here and shown only in that answer, and whether visitors must be verified.

pub mod get;
pub mod rotate_secret;
pub mod update;

use pintalk_core::clock::rfc3339;
use pintalk_core::ids::SiteId;
use pintalk_db::models::SiteIdentity;
use pintalk_db::sites;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// A site's identity verification as the owner sees it: never the secret.
#[derive(Serialize, ToSchema)]
pub struct IdentityView {
    /// An identity secret exists: pages can verify their users.
    pub configured: bool,
    /// An identify without a valid `user_hash` is refused (`identity_required`).
    pub verification_required: bool,
    /// With `verification_required`: visitors who do not identify may still chat,
    /// unverified.
    pub anonymous_allowed: bool,
    /// When the secret was last generated or a setting changed; absent before the first.
    pub updated_at: Option<String>,
}

impl IdentityView {
    pub(crate) fn of(identity: Option<&SiteIdentity>) -> Self {
        match identity {
            Some(i) => IdentityView {
                configured: true,
                verification_required: i.verification_required,
                anonymous_allowed: i.anonymous_allowed,
                updated_at: Some(rfc3339(i.updated_at)),
            },
            None => IdentityView {
                configured: false,
                verification_required: false,
                anonymous_allowed: true,
                updated_at: None,
            },
        }
    }
}

/// Fails with "not found" unless the site is the owner's.
pub(crate) fn check_owner(
    conn: &mut pintalk_db::DbConnection,
    granted: &[SiteId],
    site: SiteId,
) -> Result<(), ApiError> {
    sites::find_in(conn, granted, site)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("site"))
}

/// The site's identity verification, if the site is the owner's.
pub(crate) async fn load(
    state: &AppState,
    granted: Vec<SiteId>,
    site: SiteId,
) -> Result<Option<SiteIdentity>, ApiError> {
    state
        .db(move |conn| {
            check_owner(conn, &granted, site)?;
            Ok(pintalk_db::identities::find(conn, site)?)
        })
        .await
}
