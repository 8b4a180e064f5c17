use actix_web::{HttpResponse, web};
use pintalk_db::sessions;

use crate::auth::{AuthOwner, end_sessions};
use crate::error::ApiError;
use crate::state::AppState;

/// Ends the current session: its refresh token, access tokens and socket tickets stop
/// working, and its sockets close.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "logged out")))]
pub async fn logout(state: web::Data<AppState>, auth: AuthOwner) -> Result<HttpResponse, ApiError> {
    let session = auth.session;
    state
        .db(move |conn| Ok(sessions::revoke(conn, session)?))
        .await?;
    end_sessions(&state, &[session]).await;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session of the owner, on every device.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "every session ended")))]
pub async fn logout_all(
    state: web::Data<AppState>,
    auth: AuthOwner,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let ended = state
        .db(move |conn| Ok(sessions::revoke_all(conn, owner)?))
        .await?;
    end_sessions(&state, &ended).await;
    Ok(HttpResponse::NoContent().finish())
}
