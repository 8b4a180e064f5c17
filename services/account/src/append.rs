//! Appending a message from the account service (a reply by mail, a bot's post over
//! HTTP) as a socket send does: one bus append — de-duplicated on the sender's cid,
//! numbered, fanned out live, queued for SQL — with the room seeded first when the bus
//! does not know it yet.

use pintalk_bus::{Appended, Draft};

use crate::seeding;
use crate::state::AppState;

/// Appends `draft`; a room the bus has no counter for is seeded from SQL and tried once
/// more.
pub async fn append(state: &AppState, draft: &Draft) -> anyhow::Result<Appended> {
    let max_backlog = state.settings.gateway.max_backlog;
    let mut appended = state.bus.append(draft, max_backlog).await?;
    if appended == Appended::NotSeeded {
        seeding::seed_room(&state.pool, state.bus.as_ref(), draft.room).await?;
        appended = state.bus.append(draft, max_backlog).await?;
    }
    Ok(appended)
}
