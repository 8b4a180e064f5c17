//! The Redis store's tickets and ended sessions.

use std::time::Duration;

use async_trait::async_trait;
use pintalk_core::ids::SessionId;

use super::RedisBus;
use crate::BusError;
use crate::tickets::{TicketUse, Tickets};

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Tickets for RedisBus {
    async fn revoke_sessions(
        &self,
        sessions: &[SessionId],
        at_ms: i64,
        ttl: Duration,
    ) -> Result<(), BusError> {
        if sessions.is_empty() {
            return Ok(());
        }
        let commands = sessions
            .iter()
            .map(|session| {
                let mut cmd = redis::cmd("SET");
                cmd.arg(self.keys.revoked_session(*session))
                    .arg(at_ms)
                    .arg("PX")
                    .arg(millis(ttl));
                cmd
            })
            .collect();
        let mut conn = self.pool.get().await?;
        let _: Vec<redis::Value> = conn.query_each(commands).await?;
        Ok(())
    }

    async fn use_ticket(
        &self,
        jti: &str,
        session: Option<SessionId>,
        issued_ms: i64,
        ttl: Duration,
    ) -> Result<TicketUse, BusError> {
        // One atomic round trip; both keys carry the session's hash tag.
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.keys.ticket(jti, session))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl));
        if let Some(session) = session {
            pipe.get(self.keys.revoked_session(session));
        }
        let mut conn = self.pool.get().await?;
        let (claimed, revoked_at): (Option<String>, Option<String>) = if session.is_some() {
            pipe.query_async(&mut conn).await?
        } else {
            let (claimed,): (Option<String>,) = pipe.query_async(&mut conn).await?;
            (claimed, None)
        };
        // A record that is not a time (written by an older release: "1") refuses all.
        let revoked =
            revoked_at.is_some_and(|at| at.parse::<i64>().map_or(true, |at| issued_ms <= at));
        Ok(if revoked {
            TicketUse::Revoked
        } else if claimed.is_some() {
            TicketUse::First
        } else {
            TicketUse::Reused
        })
    }
}
