//! Who a widget session is for: a returning visitor (their id and the hash of their
//! secret match, and they are not blocked) gets their conversation back; anyone else —
//! a first visit, a cleared browser, a stale or foreign secret — is a new visitor with a
//! new conversation, so no secret but the right one ever reaches someone's messages.
//! A verified visitor (see [`crate::identity`]) is not reached by a secret at all.

use pintalk_core::ErrorCode;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SiteId, VisitorId};
use pintalk_core::protocol::{ParticipantKind, RoomStatus};
use pintalk_core::secret::{new_token, token_hash};
use pintalk_db::models::{Room, Visitor};
use pintalk_db::{DbConnection, DbError, identities, messages, read_cursors, rooms, visitors};

use crate::error::ApiError;

/// How stale a returning visitor's `last_seen_at` may get before a session rewrites it.
const LAST_SEEN_PRECISION_MS: i64 = 60_000;

/// Whom a session request says it is: a visitor id and the hash of its secret.
pub type Returning = Option<(VisitorId, String)>;

/// The visitor, their conversation, and — for a new visitor — the secret to keep.
pub fn find_or_create(
    conn: &mut DbConnection,
    site: SiteId,
    returning: Returning,
    name: Option<String>,
    email: Option<String>,
) -> Result<(Visitor, Room, Option<String>), ApiError> {
    if let Some((id, hash)) = returning
        && let Some(visitor) = visitors::find(conn, site, id)?
        && visitor.secret_hash == hash
        // A verified visitor is reached with their user_hash only: a browser whose user
        // signed out starts afresh rather than keep reading their conversation.
        && identities::of_visitor(conn, visitor.id)?.is_none()
    {
        if visitor.blocked_at.is_some() {
            return Err(ApiError::new(
                ErrorCode::VisitorBlocked,
                "this visitor was blocked",
            ));
        }
        // Minute precision is plenty, and a reconnect storm of recent visitors
        // then costs the database no writes.
        if now_ms() - visitor.last_seen_at >= LAST_SEEN_PRECISION_MS {
            visitors::touch(conn, visitor.id)?;
        }
        visitors::identify(conn, visitor.id, name.clone(), email.clone())?;
        let visitor = Visitor {
            name: name.or(visitor.name),
            email: email.or(visitor.email),
            ..visitor
        };
        if let Some(room) = rooms::latest_for_visitor(conn, visitor.id)? {
            return Ok((visitor, room, None));
        }
        let room = new_room(conn, site, visitor.id)?;
        return Ok((visitor, room, None));
    }
    let secret = new_token();
    let (visitor, room) = new_visitor(conn, site, token_hash(&secret), name, email)?;
    Ok((visitor, room, Some(secret)))
}

/// A new visitor of `site`, known by `secret_hash`, with a first conversation.
pub(crate) fn new_visitor(
    conn: &mut DbConnection,
    site: SiteId,
    secret_hash: String,
    name: Option<String>,
    email: Option<String>,
) -> Result<(Visitor, Room), DbError> {
    let now = now_ms();
    let visitor = Visitor {
        id: VisitorId::new(),
        site_id: site,
        secret_hash,
        name,
        email,
        blocked_at: None,
        created_at: now,
        last_seen_at: now,
    };
    visitors::insert(conn, visitor.clone())?;
    let room = new_room(conn, site, visitor.id)?;
    Ok((visitor, room))
}

/// Whether [`find_or_create`] would give this request an existing conversation back
/// (a known, unverified visitor with the right secret and a room) rather than start a new
/// one: new conversations are what `limits.conversations_per_ip` counts.
pub fn would_return(
    conn: &mut DbConnection,
    site: SiteId,
    returning: &Returning,
) -> Result<bool, ApiError> {
    let Some((id, hash)) = returning else {
        return Ok(false);
    };
    match visitors::find(conn, site, *id)? {
        Some(visitor)
            if visitor.secret_hash == *hash
                && identities::of_visitor(conn, visitor.id)?.is_none() =>
        {
            Ok(visitor.blocked_at.is_some()
                || rooms::latest_for_visitor(conn, visitor.id)?.is_some())
        }
        _ => Ok(false),
    }
}

/// The visitor a mail's reopen link names, back in `room` (which must be of `site`): the
/// same browser keeps its secret; another gets a new one, which replaces the old (the
/// first browser then starts afresh — the link's holder is the one who reads the mail).
pub fn reopen(
    conn: &mut DbConnection,
    site: SiteId,
    room: RoomId,
    returning: Returning,
) -> Result<(Visitor, Room, Option<String>), ApiError> {
    let gone = || {
        ApiError::new(
            ErrorCode::InvalidReopenLink,
            "this link's conversation is gone",
        )
    };
    let room = rooms::find(conn, room)?
        .filter(|r| r.site_id == site)
        .ok_or_else(gone)?;
    let visitor = visitors::find(conn, site, room.visitor_id)?.ok_or_else(gone)?;
    if visitor.blocked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::VisitorBlocked,
            "this visitor was blocked",
        ));
    }
    let same_browser =
        matches!(&returning, Some((id, hash)) if *id == visitor.id && *hash == visitor.secret_hash);
    if same_browser {
        return Ok((visitor, room, None));
    }
    let secret = new_token();
    visitors::replace_secret(conn, visitor.id, token_hash(&secret))?;
    let visitor = Visitor {
        secret_hash: token_hash(&secret),
        ..visitor
    };
    Ok((visitor, room, Some(secret)))
}

/// A new, open conversation of the visitor.
pub(crate) fn new_room(
    conn: &mut DbConnection,
    site: SiteId,
    visitor: VisitorId,
) -> Result<Room, DbError> {
    let now = now_ms();
    let room = Room {
        id: RoomId::new(),
        site_id: site,
        visitor_id: visitor,
        status: RoomStatus::Open,
        last_seq: 0,
        created_at: now,
        updated_at: now,
        closed_at: None,
        assignee: None,
    };
    rooms::insert(conn, room.clone())?;
    Ok(room)
}

/// Where a returning visitor's conversation stands for them, from what SQL holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// The owners' messages after the visitor's read cursor: their unread badge.
    pub unread: i64,
    /// How far the site's owners have read: the visitor's messages up to it were seen.
    pub owner_read_seq: i64,
    /// The visitor rated the conversation (after it was last closed or before).
    pub rated: bool,
}

/// The visitor's unread count and the owners' read cursor in their room (nothing to look
/// up in a room without messages).
pub fn standing(
    conn: &mut DbConnection,
    visitor: &Visitor,
    room: &Room,
) -> Result<Standing, ApiError> {
    if room.last_seq == 0 {
        return Ok(Standing::default());
    }
    let visitor_id = visitor.id.to_string();
    let read = read_cursors::seq_of(conn, room.id, ParticipantKind::Visitor, &visitor_id)?;
    Ok(Standing {
        unread: messages::count_after(conn, room.id, ParticipantKind::Owner, read)?,
        owner_read_seq: read_cursors::furthest_of(conn, room.id, ParticipantKind::Owner)?,
        rated: pintalk_db::ratings::is_rated(conn, room.id)?,
    })
}
