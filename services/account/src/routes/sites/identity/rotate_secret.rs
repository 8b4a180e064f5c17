//! `POST /api/v1/sites/{id}/identity/secret`: a new identity secret.

use actix_web::{HttpResponse, web};
use pintalk_db::identities;
use serde::Serialize;
use utoipa::ToSchema;

use super::{IdentityView, check_owner};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::identity::new_secret;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::state::AppState;

/// A fresh identity secret, in the only answer that ever shows it.
#[derive(Serialize, ToSchema)]
pub struct IdentitySecret {
    /// Keep it on the site's server: `user_hash` = hex HMAC-SHA256(secret, user_id).
    pub secret: String,
    pub identity: IdentityView,
}

/// Generates the site's identity secret, or replaces it: hashes made with the old one
/// stop verifying at once (visitors already verified stay so, and are verified again
/// with the new hashes). The settings are kept.
#[utoipa::path(post, path = "/api/v1/sites/{id}/identity/secret", tag = "sites", security(("bearer" = [])),
    params(SitePath), responses((status = 200, body = IdentitySecret)))]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site) = (auth.permitted(path.id, Action::ManageSites)?, path.id);
    let secret = new_secret();
    let kept = secret.clone();
    let identity = state
        .db(move |conn| {
            check_owner(conn, &granted, site)?;
            Ok(identities::set_secret(conn, site, &kept)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(IdentitySecret {
        secret,
        identity: IdentityView::of(Some(&identity)),
    }))
}
