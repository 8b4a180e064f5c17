//! `POST /widget/sessions`: a visitor starts, or comes back to, their conversation. (The
//! path keeps its first name; what it hands out is a visitor's start — id, room and a
//! socket ticket — not a session in the owner's sense.)

use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::availability::Availability;
use pintalk_core::ids::{RoomId, VisitorId};
use pintalk_core::protocol::ParticipantKind;
use pintalk_core::protocol::RoomStatus;
use pintalk_core::secret::token_hash;
use pintalk_core::token::VisitorSocketGrant;
use pintalk_db::identities;
use pintalk_db::models::Site;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

use super::{site_for_origin, with_cors};
use crate::abuse::EffectiveLimits;
use crate::body::Json;
use crate::domain::email::EmailAddress;
use crate::domain::hours::availability;
use crate::domain::text::bounded;
use crate::error::ApiError;
use crate::identity::Claim;
use crate::identity::visitors::Blocked;
use crate::inbound::token::ReplyTokens;
use crate::limits::{client_ip, enforce, enforce_window};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    pub site_key: String,
    /// A returning visitor's id and secret, from the widget's storage.
    #[serde(default)]
    pub visitor_id: Option<String>,
    #[serde(default)]
    pub visitor_secret: Option<String>,
    /// From the page's `PinTalk('identify', {name, email})`: shown to the owner.
    /// Up to 100 characters.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The token of a mail's reopen link (`#pintalk=<token>` on the page): the visitor
    /// it names, back in its conversation, on this browser.
    #[serde(default)]
    pub reopen: Option<String>,
    /// From `PinTalk('identify', {user_id, user_hash})`: the site's own id of its
    /// signed-in user (1 to 128 bytes), and the hex HMAC-SHA256 of it keyed with the
    /// site's identity secret, computed by the site's server. A valid pair makes this the
    /// user's one visitor on every browser.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub user_hash: Option<String>,
}

/// A visitor's conversation as the widget sees it.
#[derive(Serialize, ToSchema)]
pub struct VisitorRoom {
    pub id: RoomId,
    pub status: RoomStatus,
    /// The highest persisted seq; newer messages arrive over the socket.
    pub last_seq: i64,
    /// The owners' messages the visitor has not read (after their read cursor, which
    /// their `read` frames and their own messages move): the widget's badge on a later
    /// visit, before the socket says more. Counts persisted messages.
    pub unread: i64,
    /// How far the site's owners have read the room: the visitor's messages up to this
    /// seq were seen (an owner's reply moves it too). 0 when none was.
    pub owner_read_seq: i64,
    /// The visitor rated this conversation (`PUT /rooms/{id}/rating`): a closed one
    /// needs no rating prompt.
    pub rated: bool,
}

/// What the widget needs to talk: who it is, its conversation, and a socket ticket.
#[derive(Serialize, ToSchema)]
pub struct VisitorStart {
    pub visitor_id: VisitorId,
    /// Keep it (localStorage) to come back to the same conversation; only its hash is
    /// stored. Absent when the visitor came back with theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor_secret: Option<String>,
    pub room: VisitorRoom,
    /// For the socket's `auth` frame (it opens one socket), and as a bearer token for this
    /// room's history until it expires.
    pub token: String,
    pub gateway_url: String,
    pub expires_in: u64,
    /// Whether the site is within its business hours now, and when that changes.
    pub availability: Availability,
    /// The visitor is the site's verified user (a valid `user_hash`).
    pub verified: bool,
}

/// Starts or resumes a visitor's conversation and hands out a gateway token scoped to
/// it. Rate-limited per IP and per site.
#[utoipa::path(post, path = "/api/v1/widget/sessions", tag = "widget", request_body = StartRequest,
    params(("Origin" = String, Header, description = "the embedding page's origin; must be on the site's allow-list")),
    responses(
        (status = 200, body = VisitorStart),
        (status = 400, description = "invalid_reopen_link: the mail's link is forged or expired, or its conversation is gone", body = crate::error::ErrorBody),
        (status = 403, description = "origin_not_allowed, site_not_live, visitor_blocked, invalid_user_hash (a forged or stale user_hash), identity_required (the site requires verified visitors) or ip_banned (the site banned this address or its network)", body = crate::error::ErrorBody),
        (status = 404, description = "no site has this key", body = crate::error::ErrorBody),
        (status = 429, description = "too_many_requests: past the site's sessions or new conversations per IP (Retry-After says when the window closes)", body = crate::error::ErrorBody),
    ))]
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<StartRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let (site, origin, verified) = site_for_origin(&state, &req, &request.site_key).await?;
    let result = start_visitor(&state, &req, site, &origin, verified, request).await;
    Ok(with_cors(
        match result {
            Ok(start) => HttpResponse::Ok().json(start),
            Err(e) => actix_web::ResponseError::error_response(&e),
        },
        &origin,
    ))
}

async fn start_visitor(
    state: &AppState,
    req: &HttpRequest,
    site: Site,
    origin: &str,
    verified: bool,
    request: StartRequest,
) -> Result<VisitorStart, ApiError> {
    let StartRequest {
        visitor_id,
        visitor_secret,
        name,
        email,
        reopen,
        user_id,
        user_hash,
        ..
    } = request;
    // Bounded before it is looked at: a hex SHA-256 is 64 characters.
    let user_hash = user_hash.map(|h| if h.len() <= 64 { h } else { String::new() });
    let name = name
        .map(|n| bounded("name", &n, 0, 100, false))
        .transpose()?
        .filter(|n| !n.is_empty());
    let email = email
        .filter(|e| !e.trim().is_empty())
        .map(|e| EmailAddress::parse(&e).map(|e| e.as_str().to_owned()))
        .transpose()?;
    if !verified {
        return Err(ApiError::new(
            ErrorCode::SiteNotLive,
            "this site's owner has not verified their email yet",
        ));
    }
    let returning = match (
        visitor_id.and_then(|v| v.parse::<VisitorId>().ok()),
        visitor_secret,
    ) {
        (Some(id), Some(secret)) if secret.len() <= 100 => Some((id, token_hash(&secret))),
        _ => None,
    };
    let ip = client_ip(req, &state.settings);
    let (site_id, now) = (site.id, state.clock.now_ms());
    let (banned, limits, returns) = {
        let (ip, returning) = (ip.clone(), returning.clone());
        let reopening = reopen.is_some();
        // A known verified user on a new browser comes back to their conversation: not a
        // new one. Only with a hash, which is checked below before anything is created
        // (without one the start is anonymous, and counted).
        let user = user_id
            .clone()
            .filter(|u| u.len() <= 128 && user_hash.is_some());
        state
            .db(move |conn| {
                let banned = crate::abuse::is_banned(conn, site_id, &ip, now)?;
                let limits = pintalk_db::bans::limits(conn, site_id)?;
                let returns = reopening
                    || crate::visitors::would_return(conn, site_id, &returning)?
                    || match &user {
                        Some(user) => identities::verified_visitor(conn, site_id, user)?.is_some(),
                        None => false,
                    };
                Ok((banned, limits, returns))
            })
            .await?
    };
    if banned {
        return Err(ApiError::new(
            ErrorCode::IpBanned,
            "this site does not accept chats from this network",
        ));
    }
    let defaults = &state.settings.limits;
    let limits = EffectiveLimits::of(&limits, defaults);
    enforce_window(
        &*state.bus,
        &format!("session:site:{site_id}:ip:{ip}"),
        limits.sessions_per_ip,
        defaults.sessions_window_secs,
        "chat sessions",
    )
    .await?;
    enforce(
        &*state.bus,
        &format!("session:site:{}", site.id),
        defaults.sessions_per_site,
        defaults.sessions_window_secs,
    )
    .await?;
    if !returns {
        enforce_window(
            &*state.bus,
            &format!("conversation:site:{site_id}:ip:{ip}"),
            limits.conversations_per_ip,
            defaults.conversations_window_secs,
            "new conversations",
        )
        .await?;
    }
    let reopened = reopen
        .map(|token| {
            let links = ReplyTokens::reopen_links(&state.signer, state.clock.clone());
            // Bounded before it is looked at; a longer one is no token of ours.
            let bounded = if token.len() <= 128 {
                token.as_str()
            } else {
                ""
            };
            match links.open(bounded) {
                Ok(to) if to.kind == ParticipantKind::Visitor => Ok(to.room),
                _ => Err(ApiError::new(
                    ErrorCode::InvalidReopenLink,
                    "this link is not valid any more; the chat starts afresh without it",
                )),
            }
        })
        .transpose()?;
    let (visitor, room, secret, standing, verified) = state
        .db(move |conn| {
            let identity = identities::find(conn, site_id)?;
            let claim = crate::identity::judge(identity.as_ref(), user_id, user_hash)?;
            let (visitor, room, secret) = match (claim, reopened) {
                (Claim::Verified(user), _) => {
                    match crate::identity::visitors::find_or_create(
                        conn, site_id, &user, &returning, name, email,
                    )? {
                        Ok((visitor, room)) => (visitor, room, None),
                        Err(Blocked) => {
                            return Err(ApiError::new(
                                ErrorCode::VisitorBlocked,
                                "this visitor was blocked",
                            ));
                        }
                    }
                }
                (Claim::Anonymous, Some(room)) => {
                    crate::visitors::reopen(conn, site_id, room, returning)?
                }
                (Claim::Anonymous, None) => {
                    crate::visitors::find_or_create(conn, site_id, returning, name, email)?
                }
            };
            let verified = identities::of_visitor(conn, visitor.id)?.is_some();
            let standing = crate::visitors::standing(conn, &visitor, &room)?;
            Ok((visitor, room, secret, standing, verified))
        })
        .await?;
    // A new room starts its numbering here; a known one only if the bus lost it, so a
    // returning visitor's start costs one look-up, not a seed.
    let seeded = if room.last_seq == 0 {
        match state.bus.seed(room.id, site_id, 0, &[]).await {
            Err(pintalk_bus::BusError::Forgotten(_)) => false,
            seeded => seeded.map(|_| true)?,
        }
    } else if state.bus.last_seq(room.id).await?.is_none() {
        crate::seeding::seed_room(&state.pool, state.bus.as_ref(), room.id)
            .await
            .map_err(ApiError::Internal)?
            .is_some()
    } else {
        true
    };
    if !seeded {
        // The conversation is being deleted (retention): once it is gone the visitor's
        // next start begins a new one.
        return Err(ApiError::new(
            ErrorCode::RoomNotReady,
            "this conversation is being deleted; try again shortly",
        ));
    }
    let ttl = state.settings.gateway.token_ttl_secs;
    let grant = VisitorSocketGrant {
        site: site_id,
        room: room.id,
        origin: origin.to_owned(),
        name: visitor.name.clone(),
        messages_per_minute: Some(limits.messages_per_minute),
    };
    let token = state
        .signer
        .sign(&visitor.id.to_string(), Duration::from_secs(ttl), grant)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(VisitorStart {
        visitor_id: visitor.id,
        visitor_secret: secret,
        room: VisitorRoom {
            id: room.id,
            status: room.status,
            last_seq: room.last_seq,
            unread: standing.unread,
            owner_read_seq: standing.owner_read_seq,
            rated: standing.rated,
        },
        token,
        gateway_url: state.settings.gateway_url(),
        expires_in: ttl,
        availability: availability(
            site.business_hours.as_ref().map(|h| h.hours()),
            state.clock.now_ms(),
        ),
        verified,
    })
}
