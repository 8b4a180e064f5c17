//! The kinds of token PinTalk signs: each grant fixes its one audience, so no token can
//! stand in for another.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ids::{RoomId, SessionId, SiteId};

/// What a token may be used for; one audience per kind of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// An owner's short-lived access to the HTTP API.
    Access,
    /// An owner's permission to open a gateway socket for their sites.
    Gateway,
    /// A visitor's permission to open a gateway socket for their own conversation.
    Visitor,
    /// The one-click unsubscribe link of a notification mail (RFC 8058).
    Unsubscribe,
}

impl Audience {
    /// The `aud` claim's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Access => "pintalk:access",
            Audience::Gateway => "pintalk:gateway",
            Audience::Visitor => "pintalk:visitor",
            Audience::Unsubscribe => "pintalk:unsubscribe",
        }
    }
}

/// The kind-specific part of a token's claims; fixes the kind's audience.
pub trait Grant: Serialize + DeserializeOwned {
    /// The only audience a token carrying this grant is valid for.
    const AUDIENCE: Audience;
}

/// An owner's HTTP access: tied to one login session so that logging out or changing the
/// password ends it at once, not when the token expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGrant {
    /// The session (refresh-token family) this access token was issued for.
    pub sid: SessionId,
}

impl Grant for AccessGrant {
    const AUDIENCE: Audience = Audience::Access;
}

/// An owner's permission to open a gateway socket: the sites whose conversations it may
/// see and answer. Short-lived: it only has to last until the socket is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSocketGrant {
    /// The login session it was issued from: ending that session closes the socket and
    /// refuses the ticket.
    pub sid: SessionId,
    pub sites: Vec<SiteId>,
    /// The owner's display name, shown as the sender of their messages.
    pub name: String,
    /// When it was issued, in unix milliseconds: a revocation of the session since (a
    /// change of the member's access) refuses it. Absent in older tickets: 0.
    #[serde(default)]
    pub issued_ms: i64,
}

impl Grant for OwnerSocketGrant {
    const AUDIENCE: Audience = Audience::Gateway;
}

/// A visitor's permission to open a gateway socket for their one conversation, from the
/// page origin the account service checked against the site's allow-list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorSocketGrant {
    pub site: SiteId,
    pub room: RoomId,
    /// The socket's `Origin` must equal this.
    pub origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The site's bound on this visitor's messages per minute, as it was when the ticket
    /// was issued; absent: the gateway's `limits.visitor_messages_per_minute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_per_minute: Option<u32>,
}

impl Grant for VisitorSocketGrant {
    const AUDIENCE: Audience = Audience::Visitor;
}

/// The unsubscribe link of an owner's notification mails: turns their email
/// notifications off (the owner is the token's `sub`). Long-lived: mails are read late.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeGrant {}

impl Grant for UnsubscribeGrant {
    const AUDIENCE: Audience = Audience::Unsubscribe;
}
