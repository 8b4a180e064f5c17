//! Who a socket is, from its `auth` frame's token: an owner with the sites they may see, or
//! a visitor with their one conversation. The socket's `Origin` must be the one the token
//! was issued for (a visitor) or the dashboard's (an owner). A ticket opens one socket,
//! and none once its session has ended: [`Ticket::claim`] asks the bus.

use std::time::Duration;

use pintalk_bus::{TicketUse, Tickets};
use pintalk_core::ErrorCode;
use pintalk_core::clock::now_secs;
use pintalk_core::ids::{OwnerId, RoomId, SessionId, SiteId, VisitorId};
use pintalk_core::protocol::{Participant, ParticipantKind, close};
use pintalk_core::token::{Claims, LEEWAY_SECS, OwnerSocketGrant, Verifier, VisitorSocketGrant};

/// An authenticated socket's identity and grants.
#[derive(Clone, Debug)]
pub enum Identity {
    Owner {
        id: OwnerId,
        /// The login session the ticket came from; its end closes the socket.
        session: SessionId,
        name: String,
        sites: Vec<SiteId>,
    },
    Visitor {
        id: VisitorId,
        name: Option<String>,
        site: SiteId,
        room: RoomId,
        /// The site's bound on this visitor's messages per minute, from the ticket (else
        /// the gateway's default), counted over all their sockets.
        messages_per_minute: Option<u32>,
    },
}

/// Why `auth` failed; the socket closes with 4001 (1011 if the bus did not answer).
#[derive(Debug)]
pub struct Refusal {
    pub code: ErrorCode,
    pub reason: &'static str,
}

impl Refusal {
    fn token(reason: &'static str) -> Self {
        Refusal {
            code: ErrorCode::InvalidToken,
            reason,
        }
    }

    /// The close code that follows the `error` frame.
    pub fn close_code(&self) -> u16 {
        match self.code {
            ErrorCode::Unavailable => close::INTERNAL,
            _ => close::AUTH_FAILED,
        }
    }
}

/// What makes a verified ticket usable once: its id, its session, when it expires.
#[derive(Debug)]
pub struct Ticket {
    /// Claimed once in the bus: the second `auth` with it is refused.
    jti: String,
    /// An owner's login session, whose end refuses the ticket; visitors have none.
    session: Option<SessionId>,
    /// Seconds since the epoch; the claim is remembered until then plus the leeway.
    exp: i64,
    /// When it was issued (unix ms): a revocation of its session since then refuses it.
    issued_ms: i64,
}

impl Ticket {
    fn of<G>(
        claims: &Claims<G>,
        session: Option<SessionId>,
        issued_ms: i64,
    ) -> Result<Self, Refusal> {
        if claims.jti.is_empty() {
            return Err(Refusal::token("ticket without jti"));
        }
        Ok(Ticket {
            jti: claims.jti.clone(),
            session,
            exp: claims.exp,
            issued_ms,
        })
    }

    /// Claims the ticket in the bus (one round trip): refused if it opened a socket
    /// before or its session has ended.
    pub async fn claim(&self, bus: &dyn Tickets) -> Result<(), Refusal> {
        // Remembered until no verifier would accept it any more.
        let left = self.exp.saturating_add_unsigned(LEEWAY_SECS) - now_secs();
        let ttl = Duration::from_secs(u64::try_from(left).unwrap_or(0).max(1));
        match bus
            .use_ticket(&self.jti, self.session, self.issued_ms, ttl)
            .await
        {
            Ok(TicketUse::First) => Ok(()),
            Ok(TicketUse::Reused) => Err(Refusal::token("ticket used before")),
            Ok(TicketUse::Revoked) => Err(Refusal::token("session ended or access changed")),
            Err(e) => {
                log::warn!("ticket check: {e}");
                Err(Refusal {
                    code: ErrorCode::Unavailable,
                    reason: "bus unavailable",
                })
            }
        }
    }
}

impl Identity {
    /// Verifies `token` as a visitor or an owner socket token and checks the origin; the
    /// ticket still has to be claimed.
    pub fn authenticate(
        verifier: &Verifier,
        token: &str,
        socket_origin: Option<&str>,
        dashboard_origin: &str,
    ) -> Result<(Self, Ticket), Refusal> {
        if let Ok(claims) = verifier.verify::<VisitorSocketGrant>(token) {
            if socket_origin != Some(claims.grant.origin.as_str()) {
                return Err(Refusal {
                    code: ErrorCode::OriginNotAllowed,
                    reason: "origin mismatch",
                });
            }
            let id = claims
                .sub
                .parse()
                .map_err(|_| Refusal::token("bad subject"))?;
            let ticket = Ticket::of(&claims, None, 0)?;
            let identity = Identity::Visitor {
                id,
                name: claims.grant.name,
                site: claims.grant.site,
                room: claims.grant.room,
                messages_per_minute: claims.grant.messages_per_minute,
            };
            return Ok((identity, ticket));
        }
        match verifier.verify::<OwnerSocketGrant>(token) {
            Ok(claims) => {
                if socket_origin != Some(dashboard_origin) {
                    return Err(Refusal {
                        code: ErrorCode::OriginNotAllowed,
                        reason: "origin mismatch",
                    });
                }
                let id = claims
                    .sub
                    .parse()
                    .map_err(|_| Refusal::token("bad subject"))?;
                let ticket = Ticket::of(&claims, Some(claims.grant.sid), claims.grant.issued_ms)?;
                let identity = Identity::Owner {
                    id,
                    session: claims.grant.sid,
                    name: claims.grant.name,
                    sites: claims.grant.sites,
                };
                Ok((identity, ticket))
            }
            Err(_) => Err(Refusal::token("token refused")),
        }
    }

    /// How this socket appears as a sender.
    pub fn participant(&self) -> Participant {
        match self {
            Identity::Owner { id, name, .. } => Participant {
                kind: ParticipantKind::Owner,
                id: id.to_string(),
                name: Some(name.clone()),
            },
            Identity::Visitor { id, name, .. } => Participant {
                kind: ParticipantKind::Visitor,
                id: id.to_string(),
                name: name.clone(),
            },
        }
    }

    /// Whether the socket may act in a room of `site`.
    pub fn covers_site(&self, site: SiteId) -> bool {
        match self {
            Identity::Owner { sites, .. } => sites.contains(&site),
            Identity::Visitor { site: own, .. } => *own == site,
        }
    }
}
