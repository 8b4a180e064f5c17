//! Socket tickets at the gateway, which never reads SQL: each ticket opens one socket
//! (its `jti` is claimed once), and a ticket of a session is refused when it was issued
//! before the session's last revocation — a session that ended, or whose access changed
//! (a member removed from a workspace: their next ticket, granting less, is accepted).
//! Both records live only as long as a ticket can (its lifetime plus the JWT leeway).

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::SessionId;

use crate::BusError;

/// What presenting a ticket at `auth` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketUse {
    /// Its first use, and its session (if it has one) is live: open the socket.
    First,
    /// It opened a socket before: refused.
    Reused,
    /// Its session ended, or its access changed, after it was issued: refused.
    Revoked,
}

/// Single-use tickets and ended sessions, shared by every gateway and account process.
#[async_trait]
pub trait Tickets: Send + Sync {
    /// Records, for `ttl` (as long as any of their tickets can live), that the tickets of
    /// `sessions` issued up to `at_ms` (unix ms, the issuer's clock) are refused.
    async fn revoke_sessions(
        &self,
        sessions: &[SessionId],
        at_ms: i64,
        ttl: Duration,
    ) -> Result<(), BusError>;

    /// Claims ticket `jti` (remembered for `ttl`, until it has expired) and checks that
    /// `session` was not revoked since `issued_ms` — one round trip.
    async fn use_ticket(
        &self,
        jti: &str,
        session: Option<SessionId>,
        issued_ms: i64,
        ttl: Duration,
    ) -> Result<TicketUse, BusError>;
}
