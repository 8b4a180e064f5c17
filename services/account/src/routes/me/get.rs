//! `GET /me`.

use actix_web::{HttpResponse, web};

use super::{OwnerView, owner_view};
use crate::auth::AuthOwner;
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in owner's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = OwnerView)))]
pub async fn get_me(state: web::Data<AppState>, auth: AuthOwner) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(owner_view(&state, auth.owner).await?))
}
