//! The visitor of a verified `user_id`: found by it on any browser, or — the first time —
//! the browser's own anonymous visitor (their conversation goes on, now verified), or a
//! new one. No visitor secret is handed out or replaced: every browser of the user
//! proves who it is with the hash, so one browser's start never ends another's session.

use diesel::Connection;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::SiteId;
use pintalk_core::secret::{new_token, token_hash};
use pintalk_db::models::{Room, VerifiedVisitor, Visitor};
use pintalk_db::{DbConnection, DbError, identities, rooms, visitors, webhooks};

use super::UserId;
use crate::visitors::{Returning, new_room, new_visitor};

/// The user's visitor and conversation, or [`Blocked`].
pub type Found = Result<(Visitor, Room), Blocked>;

/// The owner blocked this user's visitor.
#[derive(Debug)]
pub struct Blocked;

/// The visitor `user_id` is on `site`, with their latest conversation (a new one if they
/// have none). `returning` is the browser's anonymous visitor, adopted the first time the
/// user is seen. The first verification queues `visitor.identified` in its transaction.
pub fn find_or_create(
    conn: &mut DbConnection,
    site: SiteId,
    user_id: &UserId,
    returning: &Returning,
    name: Option<String>,
    email: Option<String>,
) -> Result<Found, DbError> {
    // Two browsers of a new user at once: one records the user, the other's insert
    // breaks the unique (site, user_id) and, looking again, finds that one.
    match attempt(conn, site, user_id, returning, name.clone(), email.clone()) {
        Err(e) if e.is_unique_violation() => attempt(conn, site, user_id, returning, name, email),
        done => done,
    }
}

fn attempt(
    conn: &mut DbConnection,
    site: SiteId,
    user_id: &UserId,
    returning: &Returning,
    name: Option<String>,
    email: Option<String>,
) -> Result<Found, DbError> {
    conn.transaction(|conn| {
        if let Some(known) = identities::verified_visitor(conn, site, user_id.as_str())? {
            let Some(visitor) = visitors::find(conn, site, known.visitor_id)? else {
                return Err(DbError::Query(diesel::result::Error::NotFound));
            };
            return back(conn, visitor, name, email);
        }
        let adopted = match returning {
            Some((id, hash)) => visitors::find(conn, site, *id)?.filter(|v| v.secret_hash == *hash),
            None => None,
        };
        let adopted = match adopted {
            // A browser that was another verified user's is not this one's to adopt.
            Some(v) if identities::of_visitor(conn, v.id)?.is_none() => Some(v),
            _ => None,
        };
        let (visitor, room) = match adopted {
            Some(visitor) => match back(conn, visitor, name, email)? {
                Ok(found) => found,
                Err(Blocked) => return Ok(Err(Blocked)),
            },
            // Nobody holds the secret: this visitor is reached by the hash alone.
            None => new_visitor(conn, site, token_hash(&new_token()), name, email)?,
        };
        identities::verify(
            conn,
            &VerifiedVisitor {
                visitor_id: visitor.id,
                site_id: site,
                user_id: user_id.as_str().to_owned(),
                verified_at: now_ms(),
            },
        )?;
        webhooks::queue_visitor_identified(conn, room.id, room.status, &visitor, user_id.as_str())?;
        Ok(Ok((visitor, room)))
    })
}

/// A known visitor back: refused if blocked, else seen now, with what they identified as
/// and their latest conversation.
fn back(
    conn: &mut DbConnection,
    visitor: Visitor,
    name: Option<String>,
    email: Option<String>,
) -> Result<Found, DbError> {
    if visitor.blocked_at.is_some() {
        return Ok(Err(Blocked));
    }
    visitors::touch(conn, visitor.id)?;
    visitors::identify(conn, visitor.id, name.clone(), email.clone())?;
    let visitor = Visitor {
        name: name.or(visitor.name),
        email: email.or(visitor.email),
        ..visitor
    };
    let room = match rooms::latest_for_visitor(conn, visitor.id)? {
        Some(room) => room,
        None => new_room(conn, visitor.site_id, visitor.id)?,
    };
    Ok(Ok((visitor, room)))
}
