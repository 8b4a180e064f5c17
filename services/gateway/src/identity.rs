//! Who a socket is, from its `auth` frame's token: an owner with the sites they may see, or
//! a visitor with their one conversation. The socket's `Origin` must be the one the token
//! was issued for (a visitor) or the dashboard's (an owner).

use pintalk_core::ErrorCode;
use pintalk_core::ids::{OwnerId, RoomId, SiteId, VisitorId};
use pintalk_core::protocol::{Participant, ParticipantKind};
use pintalk_core::token::{OwnerSocketGrant, Verifier, VisitorSocketGrant};

/// An authenticated socket's identity and grants.
#[derive(Clone, Debug)]
pub enum Identity {
    Owner {
        id: OwnerId,
        name: String,
        sites: Vec<SiteId>,
    },
    Visitor {
        id: VisitorId,
        name: Option<String>,
        site: SiteId,
        room: RoomId,
    },
}

/// Why `auth` failed; the socket closes with 4001.
#[derive(Debug)]
pub struct Refusal {
    pub code: ErrorCode,
    pub reason: &'static str,
}

impl Identity {
    /// Verifies `token` as a visitor or an owner socket token and checks the origin.
    pub fn authenticate(
        verifier: &Verifier,
        token: &str,
        socket_origin: Option<&str>,
        dashboard_origin: &str,
    ) -> Result<Self, Refusal> {
        let refuse = |reason| Refusal {
            code: ErrorCode::InvalidToken,
            reason,
        };
        if let Ok(claims) = verifier.verify::<VisitorSocketGrant>(token) {
            if socket_origin != Some(claims.grant.origin.as_str()) {
                return Err(Refusal {
                    code: ErrorCode::OriginNotAllowed,
                    reason: "origin mismatch",
                });
            }
            let id = claims.sub.parse().map_err(|_| refuse("bad subject"))?;
            return Ok(Identity::Visitor {
                id,
                name: claims.grant.name,
                site: claims.grant.site,
                room: claims.grant.room,
            });
        }
        match verifier.verify::<OwnerSocketGrant>(token) {
            Ok(claims) => {
                if socket_origin != Some(dashboard_origin) {
                    return Err(Refusal {
                        code: ErrorCode::OriginNotAllowed,
                        reason: "origin mismatch",
                    });
                }
                let id = claims.sub.parse().map_err(|_| refuse("bad subject"))?;
                Ok(Identity::Owner {
                    id,
                    name: claims.grant.name,
                    sites: claims.grant.sites,
                })
            }
            Err(_) => Err(refuse("token refused")),
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
