//! `GET /me`.

use actix_web::HttpResponse;

use super::OwnerView;
use crate::auth::AuthOwner;

/// The signed-in owner's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = OwnerView)))]
pub async fn get_me(auth: AuthOwner) -> HttpResponse {
    HttpResponse::Ok().json(OwnerView::from(auth.owner))
}
