//! The workspace export: the owner's account, sites, visitors, conversations and messages
//! as one JSON document, written page by page into a bounded channel the response streams
//! from, so a workspace of any size costs a few pages of memory, never all of it.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use actix_web::web::Bytes;
use pintalk_core::clock::rfc3339;
use pintalk_core::ids::OwnerId;
use pintalk_db::models::{Room, StoredMessage, Visitor};
use pintalk_db::{DbConnection, DbError, Pool, export, owners, retention, sites};
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// Rows read per query.
const PAGE: i64 = 500;
/// Chunks waiting to be sent before the writer waits for the client.
const CHUNKS_IN_FLIGHT: usize = 8;
/// Exports running at once in this process: each holds a database connection for as long
/// as its client takes to download, so they must leave the pool to everything else.
const EXPORTS_AT_ONCE: usize = 2;
/// A client that takes no chunk for this long is given up on (and its connection freed).
const STALLED: Duration = Duration::from_secs(30);

static EXPORTS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(EXPORTS_AT_ONCE)));

/// A slot to run one export in, if one is free.
pub fn slot() -> Option<OwnedSemaphorePermit> {
    EXPORTS.clone().try_acquire_owned().ok()
}

/// Starts writing `owner`'s workspace on the blocking pool; the receiver yields its chunks.
/// A failure midway ends the stream early (the client sees a truncated document, which no
/// JSON parser accepts) and is logged.
/// The export holds `slot` until it ends.
pub fn stream(
    pool: Pool,
    owner: OwnerId,
    now: i64,
    slot: OwnedSemaphorePermit,
) -> mpsc::Receiver<Result<Bytes, std::io::Error>> {
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let mut out = Writer {
            tx,
            runtime,
            failed: false,
        };
        let result = pool
            .get()
            .map_err(DbError::from)
            .and_then(|mut conn| write(&mut conn, owner, now, &mut out));
        if let Err(e) = result {
            log::error!("export of owner {owner}: {e}");
            let _ = out
                .tx
                .blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    rx
}

/// Sends text to the response; stops early once the client is gone or stalls.
struct Writer {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    runtime: tokio::runtime::Handle,
    failed: bool,
}

impl Writer {
    fn put(&mut self, text: String) {
        if self.failed {
            return;
        }
        let sent = self
            .runtime
            .block_on(self.tx.send_timeout(Ok(Bytes::from(text)), STALLED));
        if sent.is_err() {
            self.failed = true;
        }
    }

    /// `items` as the elements of a JSON array (the caller writes the brackets).
    fn elements(&mut self, first: &mut bool, items: impl IntoIterator<Item = Value>) {
        for item in items {
            let comma = if std::mem::take(first) { "" } else { "," };
            self.put(format!("{comma}{item}"));
        }
    }
}

fn write(
    conn: &mut DbConnection,
    owner: OwnerId,
    now: i64,
    out: &mut Writer,
) -> Result<(), DbError> {
    let Some(account) = owners::find(conn, owner)? else {
        return Ok(());
    };
    let head = json!({
        "exported_at": rfc3339(now),
        "owner": {
            "id": account.id,
            "email": account.email,
            "name": account.name,
            "company": account.company,
            "language": account.language,
            "created_at": rfc3339(account.created_at),
        },
    })
    .to_string();
    // The head object without its closing brace, then the sites.
    out.put(format!("{},\"sites\":[", &head[..head.len() - 1]));
    let mut first_site = true;
    // The sites of the workspaces the account owns: the data it answers for.
    let mut owned = Vec::new();
    for (workspace, _) in pintalk_db::workspaces::owned_by(conn, owner)? {
        owned.extend(sites::of_workspace(conn, workspace)?);
    }
    for site in owned {
        let days = retention::days(conn, site.id)?;
        let view = json!({
            "id": site.id,
            "name": site.name,
            "allowed_origins": site.allowed_origins.as_slice(),
            "retention_days": days,
            "created_at": rfc3339(site.created_at),
        })
        .to_string();
        let comma = if std::mem::take(&mut first_site) {
            ""
        } else {
            ","
        };
        out.put(format!("{comma}{},\"visitors\":[", &view[..view.len() - 1]));
        let (mut after, mut first) = (None, true);
        loop {
            let page = export::visitors_after(conn, site.id, after, PAGE)?;
            after = page.last().map(|v| v.id);
            out.elements(&mut first, page.iter().map(visitor_json));
            if page.len() < PAGE as usize || out.failed {
                break;
            }
        }
        out.put("],\"conversations\":[".into());
        let (mut after, mut first) = (None, true);
        loop {
            let page = export::rooms_after(conn, site.id, after, PAGE)?;
            after = page.last().map(|r| r.id);
            for room in &page {
                write_room(conn, room, &mut first, out)?;
            }
            if page.len() < PAGE as usize || out.failed {
                break;
            }
        }
        out.put("]}".into());
    }
    out.put("]}".into());
    Ok(())
}

fn write_room(
    conn: &mut DbConnection,
    room: &Room,
    first: &mut bool,
    out: &mut Writer,
) -> Result<(), DbError> {
    let labels = pintalk_db::labels::of_room(conn, room.id)?;
    let view = json!({
        "id": room.id,
        "visitor_id": room.visitor_id,
        "status": room.status,
        "assignee": room.assignee,
        "labels": labels,
        "created_at": rfc3339(room.created_at),
        "updated_at": rfc3339(room.updated_at),
        "closed_at": room.closed_at.map(rfc3339),
    })
    .to_string();
    let comma = if std::mem::take(first) { "" } else { "," };
    out.put(format!("{comma}{},\"messages\":[", &view[..view.len() - 1]));
    let (mut after, mut first_message) = (0, true);
    loop {
        let page = export::messages_after(conn, room.id, after, PAGE)?;
        after = page.last().map_or(after, |m| m.seq);
        out.elements(&mut first_message, page.iter().map(message_json));
        if page.len() < PAGE as usize || out.failed {
            break;
        }
    }
    out.put("]}".into());
    Ok(())
}

fn visitor_json(v: &Visitor) -> Value {
    json!({
        "id": v.id,
        "name": v.name,
        "email": v.email,
        "blocked_at": v.blocked_at.map(rfc3339),
        "created_at": rfc3339(v.created_at),
        "last_seen_at": rfc3339(v.last_seen_at),
    })
}

fn message_json(m: &StoredMessage) -> Value {
    json!({
        "seq": m.seq,
        "sender_kind": m.sender_kind,
        "sender_id": m.sender_id,
        "body": m.body,
        "note": m.note,
        "created_at": rfc3339(m.created_at),
    })
}
