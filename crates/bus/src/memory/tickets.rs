//! The memory store's tickets and ended sessions.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use pintalk_core::ids::SessionId;

use super::MemoryBus;
use crate::BusError;
use crate::tickets::{TicketUse, Tickets};

#[async_trait]
impl Tickets for MemoryBus {
    async fn revoke_sessions(
        &self,
        sessions: &[SessionId],
        at_ms: i64,
        ttl: Duration,
    ) -> Result<(), BusError> {
        let now = Instant::now();
        let mut state = self.state();
        for session in sessions {
            state.revoked_sessions.keep(*session, now + ttl, now);
            state.revoked_at.insert(*session, at_ms);
        }
        let state = &mut *state;
        let lapsing = &state.revoked_sessions;
        state.revoked_at.retain(|s, _| lapsing.live(s, now));
        Ok(())
    }

    async fn use_ticket(
        &self,
        jti: &str,
        session: Option<SessionId>,
        issued_ms: i64,
        ttl: Duration,
    ) -> Result<TicketUse, BusError> {
        let now = Instant::now();
        let mut state = self.state();
        let first = state.used_tickets.claim(jti.to_owned(), now + ttl, now);
        Ok(
            if session.is_some_and(|s| {
                state.revoked_sessions.live(&s, now)
                    && state.revoked_at.get(&s).is_some_and(|at| issued_ms <= *at)
            }) {
                TicketUse::Revoked
            } else if first {
                TicketUse::First
            } else {
                TicketUse::Reused
            },
        )
    }
}
