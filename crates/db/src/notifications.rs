//! The durable schedule of unread-conversation mails and pushes (`notifications_due`) and
//! each owner's choice of how to hear of them by mail (`notification_settings`).
//!
//! A row per room at most. The persister adds one, in the same transaction as the visitor
//! message it stores, due after the unread delay; a notifier claims an owner's due rows
//! with one conditional UPDATE (a compare-and-set on `claimed_until`, the same on every
//! backend), so a restart or a second replica neither loses nor doubles a mail.

use diesel::prelude::*;
use pintalk_core::domain::{EmailNotifications, Recipient};
use pintalk_core::ids::{OwnerId, RoomId, SiteId, VisitorId};
use pintalk_core::protocol::ParticipantKind;

use crate::backend;
use crate::models::{DueNotification, StoredMessage};
use crate::schema::{
    messages, notification_settings, notifications_due, read_cursors, rooms, sites, visitors,
};
use crate::{DbConnection, DbError};

/// One (room, recipient) a persister batch tells of: when the first of its messages is
/// due, and the seq of the last.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Due {
    pub room: RoomId,
    pub recipient: Recipient,
    pub due_at: i64,
    pub latest_seq: i64,
}

/// Schedules a mail (or push) for each (room, recipient) that has none, due at the given
/// time; one already scheduled (or quiet after a mail) keeps its row and its time, and
/// learns the newer seq. A push goes only to an owner with a subscribed browser. Runs
/// inside the persister's batch.
///
/// The seq is raised before the insert: an existing row is then locked by this
/// transaction until it commits, so a notifier ending the row meanwhile waits and sees
/// the newer seq ([`done`]); a row the notifier deleted first is gone by the insert, which
/// makes a new one.
pub(crate) fn schedule(conn: &mut DbConnection, due: &[Due], now: i64) -> Result<(), DbError> {
    if due.is_empty() {
        return Ok(());
    }
    for d in due {
        diesel::update(
            notifications_due::table
                .filter(notifications_due::room_id.eq(d.room))
                .filter(notifications_due::recipient.eq(d.recipient))
                .filter(notifications_due::latest_seq.lt(d.latest_seq)),
        )
        .set(notifications_due::latest_seq.eq(d.latest_seq))
        .execute(conn)?;
    }
    let ids: Vec<RoomId> = due.iter().map(|d| d.room).collect();
    let owners: Vec<(RoomId, OwnerId)> = rooms::table
        .inner_join(sites::table)
        .filter(rooms::id.eq_any(&ids))
        .select((rooms::id, sites::owner_id))
        .load(conn)?;
    let pushing = if due.iter().any(|d| d.recipient == Recipient::OwnerPush) {
        let of_rooms: Vec<OwnerId> = owners.iter().map(|(_, owner)| *owner).collect();
        crate::push_subscriptions::subscribed(conn, &of_rooms)?
    } else {
        Vec::new()
    };
    let rows: Vec<DueNotification> = due
        .iter()
        .filter_map(|d| {
            let owner = owners.iter().find(|(r, _)| *r == d.room)?.1;
            if d.recipient == Recipient::OwnerPush && !pushing.contains(&owner) {
                return None;
            }
            Some(DueNotification {
                room_id: d.room,
                recipient: d.recipient,
                owner_id: owner,
                due_at: d.due_at,
                notified_seq: 0,
                claimed_by: None,
                claimed_until: 0,
                created_at: now,
                latest_seq: d.latest_seq,
            })
        })
        .collect();
    backend::insert_due_notifications_ignoring_duplicates(conn, &rows)
}

/// `reader` read these rooms: a room quiet after a mail to them may mail again, at
/// `due_at`, for what is still unread then.
pub(crate) fn read(
    conn: &mut DbConnection,
    reader: ParticipantKind,
    rooms_read: &[RoomId],
    due_at: i64,
) -> Result<(), DbError> {
    if rooms_read.is_empty() {
        return Ok(());
    }
    diesel::update(
        notifications_due::table
            .filter(notifications_due::room_id.eq_any(rooms_read))
            .filter(notifications_due::recipient.eq(Recipient::mail(reader)))
            .filter(notifications_due::notified_seq.gt(0))
            .filter(notifications_due::due_at.gt(due_at)),
    )
    .set(notifications_due::due_at.eq(due_at))
    .execute(conn)?;
    Ok(())
}

/// Every row scheduled for `owner`, due or quiet.
pub fn scheduled(conn: &mut DbConnection, owner: OwnerId) -> Result<Vec<DueNotification>, DbError> {
    Ok(notifications_due::table
        .filter(notifications_due::owner_id.eq(owner))
        .select(DueNotification::as_select())
        .load(conn)?)
}

/// Owners with rows due and unclaimed at `now`, at most `limit`.
pub fn due_owners(conn: &mut DbConnection, now: i64, limit: i64) -> Result<Vec<OwnerId>, DbError> {
    Ok(notifications_due::table
        .filter(notifications_due::due_at.le(now))
        .filter(notifications_due::claimed_until.lt(now))
        .select(notifications_due::owner_id)
        .distinct()
        .limit(limit)
        .load(conn)?)
}

/// Claims every due, unclaimed row of `owner` for `claimer` until `until`, in one
/// conditional UPDATE: of two notifiers racing for the same rows, one gets them all.
/// Returns the claimed rows (none if another notifier was first).
pub fn claim(
    conn: &mut DbConnection,
    owner: OwnerId,
    claimer: &str,
    now: i64,
    until: i64,
) -> Result<Vec<DueNotification>, DbError> {
    diesel::update(
        notifications_due::table
            .filter(notifications_due::owner_id.eq(owner))
            .filter(notifications_due::due_at.le(now))
            .filter(notifications_due::claimed_until.lt(now)),
    )
    .set((
        notifications_due::claimed_by.eq(claimer),
        notifications_due::claimed_until.eq(until),
    ))
    .execute(conn)?;
    Ok(notifications_due::table
        .filter(notifications_due::owner_id.eq(owner))
        .filter(notifications_due::claimed_by.eq(claimer))
        .filter(notifications_due::claimed_until.eq(until))
        .select(DueNotification::as_select())
        .load(conn)?)
}

/// What a mail about one room tells: its site and visitor, and the messages the recipient
/// has not read and no earlier mail told of (the visitor's, to the owner; the owner's, to
/// the visitor).
#[derive(Clone, Debug)]
pub struct Unread {
    pub room: RoomId,
    pub recipient: Recipient,
    pub site: SiteId,
    pub site_name: String,
    pub visitor: VisitorId,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    /// The page the visitor left their email on: where a mail's link reopens the chat.
    pub visitor_page: Option<String>,
    /// The first `limit` of them, oldest first.
    pub messages: Vec<StoredMessage>,
    /// How many there are in all.
    pub count: i64,
    /// The newest of them: what a later mail must go beyond.
    pub last_seq: i64,
    /// The seq they start after (the owner's read cursor, or what a mail told of).
    pub after_seq: i64,
}

/// The unread visitor messages of a claimed row's room (`count` 0 if the owner read
/// them); `None` if the room is gone.
pub fn unread(
    conn: &mut DbConnection,
    row: &DueNotification,
    limit: i64,
) -> Result<Option<Unread>, DbError> {
    let Some((site, site_name, visitor, visitor_name, visitor_email, visitor_page)) = rooms::table
        .inner_join(sites::table)
        .inner_join(visitors::table)
        .filter(rooms::id.eq(row.room_id))
        .select((
            sites::id,
            sites::name,
            visitors::id,
            visitors::name,
            visitors::email,
            visitors::page_url,
        ))
        .first::<(
            SiteId,
            String,
            VisitorId,
            Option<String>,
            Option<String>,
            Option<String>,
        )>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let reader_kind = row.recipient.reader();
    let reader = match reader_kind {
        ParticipantKind::Owner => row.owner_id.to_string(),
        ParticipantKind::Visitor => visitor.to_string(),
    };
    let read: Option<i64> = read_cursors::table
        .filter(read_cursors::room_id.eq(row.room_id))
        .filter(read_cursors::reader_kind.eq(reader_kind))
        .filter(read_cursors::reader_id.eq(reader))
        .select(read_cursors::seq)
        .first(conn)
        .optional()?;
    let after_seq = read.unwrap_or(0).max(row.notified_seq);
    // Internal notes are never mailed (nor counted): the visitor must not learn of them.
    let unread = messages::table
        .filter(messages::room_id.eq(row.room_id))
        .filter(messages::sender_kind.eq(other(reader_kind)))
        .filter(messages::note.eq(false))
        .filter(messages::seq.gt(after_seq));
    let (count, last_seq): (i64, Option<i64>) = unread
        .select((diesel::dsl::count_star(), diesel::dsl::max(messages::seq)))
        .first(conn)?;
    let messages = unread
        .order(messages::seq.asc())
        .limit(limit)
        .select(StoredMessage::as_select())
        .load(conn)?;
    Ok(Some(Unread {
        room: row.room_id,
        recipient: row.recipient,
        site,
        site_name,
        visitor,
        visitor_name,
        visitor_email,
        visitor_page,
        messages,
        count,
        last_seq: last_seq.unwrap_or(after_seq),
        after_seq,
    }))
}

/// A mail told of the room's messages up to `seq`: the row stays, quiet until `due_at`
/// (when anything newer and still unread is told of), and is released.
pub fn notified(
    conn: &mut DbConnection,
    room: RoomId,
    recipient: Recipient,
    claimer: &str,
    seq: i64,
    due_at: i64,
) -> Result<(), DbError> {
    diesel::update(claimed(room, recipient, claimer))
        .set((
            notifications_due::notified_seq.eq(seq),
            notifications_due::due_at.eq(due_at),
            notifications_due::claimed_by.eq(None::<String>),
            notifications_due::claimed_until.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

/// The mail server failed: every row `claimer` still holds of `owner` stays claimed —
/// by nobody, so nothing is mailed twice — until `retry_at`, its due time unchanged.
pub fn back_off(
    conn: &mut DbConnection,
    owner: OwnerId,
    claimer: &str,
    retry_at: i64,
) -> Result<(), DbError> {
    diesel::update(
        notifications_due::table
            .filter(notifications_due::owner_id.eq(owner))
            .filter(notifications_due::claimed_by.eq(claimer)),
    )
    .set((
        notifications_due::claimed_by.eq(None::<String>),
        notifications_due::claimed_until.eq(retry_at),
    ))
    .execute(conn)?;
    Ok(())
}

/// Releases a claimed row to come due again at `due_at` (a digest waits for its hour).
pub fn postpone(
    conn: &mut DbConnection,
    room: RoomId,
    recipient: Recipient,
    claimer: &str,
    due_at: i64,
) -> Result<(), DbError> {
    diesel::update(claimed(room, recipient, claimer))
        .set((
            notifications_due::due_at.eq(due_at),
            notifications_due::claimed_by.eq(None::<String>),
            notifications_due::claimed_until.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

/// Nothing of the room is left to tell beyond `after_seq`: deletes the claimed row — unless
/// a message for the recipient past it was stored meanwhile (or is being stored: its seq
/// is on the row), which then keeps the row (due now), so a message persisted during the
/// check is never left without a mail.
pub fn done(
    conn: &mut DbConnection,
    room: RoomId,
    recipient: Recipient,
    claimer: &str,
    after_seq: i64,
) -> Result<(), DbError> {
    let newer = messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::sender_kind.eq(other(recipient.reader())))
        .filter(messages::note.eq(false))
        .filter(messages::seq.gt(after_seq));
    // The seq on the row is what a concurrent persister raised (see `schedule`); the
    // messages themselves cover rows from before it was kept.
    let deleted = diesel::delete(
        claimed(room, recipient, claimer)
            .filter(notifications_due::latest_seq.le(after_seq))
            .filter(diesel::dsl::not(diesel::dsl::exists(newer))),
    )
    .execute(conn)?;
    if deleted == 0 {
        postpone(conn, room, recipient, claimer, 0)?;
    }
    Ok(())
}

/// The filter of one table by one column's value.
type By<Table, Column, Value> = diesel::dsl::Filter<Table, diesel::dsl::Eq<Column, Value>>;
/// A room's rows.
type OfRoom = By<notifications_due::table, notifications_due::room_id, RoomId>;
/// A room's row for one recipient.
type OfRecipient = By<OfRoom, notifications_due::recipient, Recipient>;

/// The row of `room` for `recipient` as `claimer` holds it.
fn claimed(
    room: RoomId,
    recipient: Recipient,
    claimer: &str,
) -> By<OfRecipient, notifications_due::claimed_by, String> {
    notifications_due::table
        .filter(notifications_due::room_id.eq(room))
        .filter(notifications_due::recipient.eq(recipient))
        .filter(notifications_due::claimed_by.eq(claimer.to_owned()))
}

/// Whose messages a reader is told of: the other side's.
fn other(reader: ParticipantKind) -> ParticipantKind {
    match reader {
        ParticipantKind::Owner => ParticipantKind::Visitor,
        ParticipantKind::Visitor => ParticipantKind::Owner,
    }
}

/// How `owner` wants to hear by email (the default when they never chose).
pub fn email_setting(
    conn: &mut DbConnection,
    owner: OwnerId,
) -> Result<EmailNotifications, DbError> {
    Ok(notification_settings::table
        .filter(notification_settings::owner_id.eq(owner))
        .select(notification_settings::email)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Records how `owner` wants to hear by email; "off" also drops what is scheduled.
pub fn set_email_setting(
    conn: &mut DbConnection,
    owner: OwnerId,
    email: EmailNotifications,
    now: i64,
) -> Result<(), DbError> {
    crate::write_transaction(conn, |conn| {
        diesel::delete(
            notification_settings::table.filter(notification_settings::owner_id.eq(owner)),
        )
        .execute(conn)?;
        diesel::insert_into(notification_settings::table)
            .values((
                notification_settings::owner_id.eq(owner),
                notification_settings::email.eq(email),
                notification_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
        if email == EmailNotifications::Off {
            diesel::delete(notifications_due::table.filter(notifications_due::owner_id.eq(owner)))
                .execute(conn)?;
        }
        Ok(())
    })
}
