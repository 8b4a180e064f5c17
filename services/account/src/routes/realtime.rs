//! Gateway tokens for owners: what the dashboard opens its socket with.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use pintalk_core::token::OwnerSocketGrant;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// A short-lived token to open a gateway socket with, and where.
#[derive(Serialize, ToSchema)]
pub struct SocketTicket {
    /// Send it in the socket's first frame: `{"type":"auth","token":...}`. It opens one
    /// socket, and none once this login session has ended.
    pub token: String,
    /// The WebSocket URL to open.
    pub gateway_url: String,
    /// Seconds the token stays valid for opening a socket.
    pub expires_in: u64,
}

/// A gateway token granting every site the signed-in member may see, in every workspace
/// they belong to.
#[utoipa::path(post, path = "/api/v1/realtime/token", tag = "realtime", security(("bearer" = [])),
    responses((status = 200, body = SocketTicket)))]
pub async fn owner_token(
    state: web::Data<AppState>,
    auth: SessionAccess,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.owner.id;
    let sites = auth.sites(Action::ReadConversations);
    let ttl = state.settings.gateway.token_ttl_secs;
    let grant = OwnerSocketGrant {
        sid: auth.session,
        sites,
        name: auth.owner.name.clone(),
        issued_ms: pintalk_core::clock::now_ms(),
    };
    let token = state
        .signer
        .sign(&owner.to_string(), Duration::from_secs(ttl), grant)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().json(SocketTicket {
        token,
        gateway_url: state.settings.gateway_url(),
        expires_in: ttl,
    }))
}
