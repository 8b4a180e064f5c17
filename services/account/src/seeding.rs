//! Seeding a room's counter in the bus from SQL: a new room, or one whose Redis lost
//! data. The bus starts a new epoch continuing from the highest seq SQL (or Redis) holds,
//! so no stored seq is handed out again, and gets back the cids of the latest stored
//! messages, so a resend after the loss is still recognised as one.

use anyhow::Context;
use pintalk_bus::log::CID_MEMORY;
use pintalk_bus::{Bus, BusError, SEEDED_CIDS, SentCid};
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::Participant;
use pintalk_db::{Pool, messages, rooms};

/// Seeds `room` unless the bus has it already; its current epoch, or `None` if SQL has no
/// such room or it is being deleted (the bus forgot it moments ago).
pub async fn seed_room(pool: &Pool, bus: &dyn Bus, room: RoomId) -> anyhow::Result<Option<i64>> {
    let pool = pool.clone();
    let Some(seed) = tokio::task::spawn_blocking(move || seed_of(&pool, room))
        .await
        .context("the seed lookup task")?
        .context("reading the room's seed from SQL")?
    else {
        return Ok(None);
    };
    match bus.seed(room, seed.site, seed.last_seq, &seed.cids).await {
        Ok(epoch) => Ok(Some(epoch)),
        // Forgotten moments ago: its SQL row is being deleted (see `Log::forget`).
        Err(BusError::Forgotten(_)) => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context("seeding the bus")),
    }
}

/// What SQL knows to seed a room with.
struct Seed {
    site: SiteId,
    last_seq: i64,
    cids: Vec<SentCid>,
}

fn seed_of(pool: &Pool, room: RoomId) -> anyhow::Result<Option<Seed>> {
    let mut conn = pool.get()?;
    let Some(row) = rooms::find(&mut conn, room)? else {
        return Ok(None);
    };
    let last_seq = messages::max_seq(&mut conn, room)?;
    let since = now_ms() - i64::try_from(CID_MEMORY.as_millis()).unwrap_or(i64::MAX);
    let limit = i64::try_from(SEEDED_CIDS).unwrap_or(i64::MAX);
    let cids = messages::latest(&mut conn, room, since, limit)?
        .into_iter()
        .map(|m| SentCid {
            sender: Participant {
                kind: m.sender_kind,
                id: m.sender_id,
                name: None,
            },
            cid: m.cid,
            seq: m.seq,
            ts: m.created_at,
        })
        .collect();
    Ok(Some(Seed {
        site: row.site_id,
        last_seq,
        cids,
    }))
}
