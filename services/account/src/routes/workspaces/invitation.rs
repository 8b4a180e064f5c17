//! `POST /api/v1/invitations/lookup`: what an invitation link offers, before signing in.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::rfc3339;
use pintalk_core::domain::Role;
use pintalk_core::secret::token_hash;
use pintalk_db::invitations;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::body::Json;
use crate::error::ApiError;
use crate::state::AppState;

/// The token of an invitation link (the link's `#token=`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    #[schema(max_length = 128)]
    pub token: String,
}

/// What a live invitation offers.
#[derive(Serialize, ToSchema)]
pub struct InvitationOffer {
    pub workspace_name: String,
    pub role: Role,
    /// Where it was mailed.
    pub email: String,
    pub expires_at: String,
}

/// What an invitation link offers (no sign-in needed: the token is the proof).
#[utoipa::path(post, path = "/api/v1/invitations/lookup", tag = "workspaces",
    request_body = InvitationToken,
    responses((status = 200, body = InvitationOffer),
        (status = 410, body = crate::error::ErrorBody, description = "invalid_invitation")))]
pub async fn lookup_invitation(
    state: web::Data<AppState>,
    body: Json<InvitationToken>,
) -> Result<HttpResponse, ApiError> {
    let (hash, now) = (token_hash(body.token.trim()), state.clock.now_ms());
    let (invitation, workspace) = state
        .db(move |conn| Ok(invitations::find_live(conn, &hash, now)?))
        .await?
        .ok_or_else(invalid_invitation)?;
    Ok(HttpResponse::Ok().json(InvitationOffer {
        workspace_name: workspace.name,
        role: invitation.role,
        email: invitation.email,
        expires_at: rfc3339(invitation.expires_at),
    }))
}

/// The refusal of a link that is unknown, used, revoked or expired.
pub(crate) fn invalid_invitation() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidInvitation,
        "this invitation is no longer valid (used, revoked or expired); ask for a new one",
    )
}
