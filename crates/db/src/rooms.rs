//! Conversations. A member's lookups are scoped to the sites they were granted, so a room
//! of another site is simply not found.

use diesel::prelude::*;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{OwnerId, RoomId, SiteId, VisitorId};
use pintalk_core::protocol::{ParticipantKind, RoomStatus};
use pintalk_core::search::Search;

use crate::models::{Room, StoredMessage, Visitor};
use crate::schema::{
    messages, read_cursors, room_labels, room_terms, rooms, sites, visitor_terms, visitors,
};
use crate::{DbConnection, DbError};

pub fn insert(conn: &mut DbConnection, room: Room) -> Result<(), DbError> {
    diesel::insert_into(rooms::table)
        .values(room)
        .execute(conn)?;
    Ok(())
}

/// The visitor's conversation (the latest, if there were several).
pub fn latest_for_visitor(
    conn: &mut DbConnection,
    visitor: VisitorId,
) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .filter(rooms::visitor_id.eq(visitor))
        .order(rooms::id.desc())
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: RoomId) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .find(id)
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

/// The room if it belongs to one of the `granted` sites.
pub fn find_in(
    conn: &mut DbConnection,
    granted: &[SiteId],
    id: RoomId,
) -> Result<Option<Room>, DbError> {
    Ok(rooms::table
        .filter(rooms::id.eq(id))
        .filter(rooms::site_id.eq_any(granted))
        .select(Room::as_select())
        .first(conn)
        .optional()?)
}

/// One row of a site's inbox.
#[derive(Clone, Debug)]
pub struct InboxRow {
    pub room: Room,
    pub visitor: Visitor,
    pub last_message: Option<StoredMessage>,
    /// The owner's read cursor in the room.
    pub read_seq: i64,
    /// The visitor's read cursor: the owner's messages up to it were seen.
    pub visitor_read_seq: i64,
}

/// Where a page of the inbox starts: rooms updated before this, newest first.
#[derive(Clone, Copy, Debug)]
pub struct InboxCursor {
    pub updated_at: i64,
    pub id: RoomId,
}

/// What a page of the inbox holds.
#[derive(Clone, Debug)]
pub struct InboxPage<'a> {
    pub site: SiteId,
    pub status: Option<RoomStatus>,
    /// Only rooms where every word is found (see [`crate::search`]).
    pub search: Option<&'a Search>,
    /// Only rooms assigned to one member, or to nobody.
    pub assignee: Option<AssigneeFilter>,
    /// Only rooms with this label (as stored: checked and lower-cased).
    pub label: Option<&'a str>,
    pub after: Option<InboxCursor>,
    pub limit: i64,
}

/// The inbox's assignment filter: "mine" (assigned to this member) or "unassigned".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssigneeFilter {
    To(OwnerId),
    Nobody,
}

/// Whose inbox is read: the member (whose read cursor counts the unread) and the sites
/// they were granted.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    pub member: OwnerId,
    pub granted: &'a [SiteId],
}

/// A page of a granted site's conversations that have messages, most recently active
/// first. Empty for a site not granted (the caller tells "no such site" apart).
pub fn inbox(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    page: &InboxPage<'_>,
) -> Result<Vec<InboxRow>, DbError> {
    inbox_rows(conn, reader, Rows::Page(page))
}

/// One room of a granted site, as an inbox row.
pub fn inbox_row(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    id: RoomId,
) -> Result<Option<InboxRow>, DbError> {
    Ok(inbox_rows(conn, reader, Rows::Room(id))?.pop())
}

/// Which inbox rows to read.
enum Rows<'a> {
    Page(&'a InboxPage<'a>),
    Room(RoomId),
}

diesel::alias!(
    read_cursors as owner_cursor: OwnerCursor,
    read_cursors as visitor_cursor: VisitorCursor
);

/// A room with its visitor, last message and both read cursors, as one SELECT.
type Joined = (
    Room,
    Visitor,
    Option<StoredMessage>,
    Option<i64>,
    Option<i64>,
);

impl From<Joined> for InboxRow {
    fn from((room, visitor, last_message, read, visitor_read): Joined) -> Self {
        InboxRow {
            room,
            visitor,
            last_message,
            read_seq: read.unwrap_or(0),
            visitor_read_seq: visitor_read.unwrap_or(0),
        }
    }
}

/// The join of a room's read cursor of reader `kind` and id `reader`, under `alias`.
macro_rules! read_cursor {
    ($alias:ident, $kind:expr, $reader:expr) => {
        $alias.on($alias
            .field(read_cursors::room_id)
            .eq(rooms::id)
            .and($alias.field(read_cursors::reader_kind).eq($kind))
            .and($alias.field(read_cursors::reader_id).eq($reader)))
    };
}

/// The rooms of the granted sites joined with all an inbox row shows, so that a page is
/// one query whatever its length (issue 10: one SQL query and one Redis pipeline).
fn inbox_rows(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    rows: Rows<'_>,
) -> Result<Vec<InboxRow>, DbError> {
    let owner_reads = read_cursor!(
        owner_cursor,
        ParticipantKind::Owner,
        reader.member.to_string()
    );
    let visitor_reads = read_cursor!(visitor_cursor, ParticipantKind::Visitor, rooms::visitor_id);
    let mut query = rooms::table
        .inner_join(visitors::table)
        .left_join(last_message())
        .left_join(owner_reads)
        .left_join(visitor_reads)
        .filter(rooms::site_id.eq_any(reader.granted))
        .select((
            Room::as_select(),
            Visitor::as_select(),
            messages::all_columns.nullable(),
            owner_cursor.field(read_cursors::seq).nullable(),
            visitor_cursor.field(read_cursors::seq).nullable(),
        ))
        .into_boxed();
    if let Rows::Room(id) = rows {
        query = query.filter(rooms::id.eq(id));
    }
    if let Rows::Page(page) = rows {
        query = query
            .filter(rooms::site_id.eq(page.site))
            .filter(rooms::last_seq.gt(0));
        if let Some(status) = page.status {
            query = query.filter(rooms::status.eq(status));
        }
        match page.assignee {
            Some(AssigneeFilter::To(member)) => query = query.filter(rooms::assignee.eq(member)),
            Some(AssigneeFilter::Nobody) => query = query.filter(rooms::assignee.is_null()),
            None => {}
        }
        if let Some(label) = page.label {
            let labelled = room_labels::table
                .filter(room_labels::site_id.eq(page.site))
                .filter(room_labels::label.eq(label.to_owned()))
                .select(room_labels::room_id);
            query = query.filter(rooms::id.eq_any(labelled));
        }
        if let Some(cursor) = page.after {
            query = query.filter(
                rooms::updated_at.lt(cursor.updated_at).or(rooms::updated_at
                    .eq(cursor.updated_at)
                    .and(rooms::id.lt(cursor.id))),
            );
        }
        // Each word: one of the room's messages, or its visitor's name or email, has a term
        // that starts with it — a range on the primary key of the term tables.
        for (from, to) in page.search.iter().flat_map(|search| search.ranges()) {
            let in_messages = room_terms::table
                .filter(room_terms::site_id.eq(page.site))
                .filter(room_terms::term.ge(from.clone()))
                .filter(room_terms::term.lt(to.clone()))
                .select(room_terms::room_id);
            let in_visitor = visitor_terms::table
                .filter(visitor_terms::site_id.eq(page.site))
                .filter(visitor_terms::term.ge(from))
                .filter(visitor_terms::term.lt(to))
                .select(visitor_terms::visitor_id);
            query = query.filter(
                rooms::id
                    .eq_any(in_messages)
                    .or(rooms::visitor_id.eq_any(in_visitor)),
            );
        }
        query = query
            .order((rooms::updated_at.desc(), rooms::id.desc()))
            .limit(page.limit);
    }
    let rows: Vec<Joined> = query.load(conn)?;
    Ok(rows.into_iter().map(InboxRow::from).collect())
}

/// A room's message at its `last_seq`.
type IsLastMessage = diesel::dsl::And<
    diesel::dsl::Eq<messages::room_id, rooms::id>,
    diesel::dsl::Eq<messages::seq, rooms::last_seq>,
>;

/// The join that brings a room's last message.
fn last_message() -> diesel::helper_types::On<messages::table, IsLastMessage> {
    messages::table.on(messages::room_id
        .eq(rooms::id)
        .and(messages::seq.eq(rooms::last_seq)))
}

/// Opens or closes a room; returns whether it changed.
pub fn set_status(
    conn: &mut DbConnection,
    id: RoomId,
    status: RoomStatus,
) -> Result<bool, DbError> {
    let now = now_ms();
    let closed_at = (status == RoomStatus::Closed).then_some(now);
    let changed = diesel::update(rooms::table.find(id).filter(rooms::status.ne(status)))
        .set((
            rooms::status.eq(status),
            rooms::closed_at.eq(closed_at),
            rooms::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Assigns the room to `assignee` (`None`: to nobody); whether that changed anything.
pub fn set_assignee(
    conn: &mut DbConnection,
    id: RoomId,
    assignee: Option<OwnerId>,
) -> Result<bool, DbError> {
    let target = rooms::table.find(id);
    let changed = match assignee {
        Some(who) => {
            diesel::update(target.filter(rooms::assignee.is_null().or(rooms::assignee.ne(who))))
                .set(rooms::assignee.eq(Some(who)))
                .execute(conn)?
        }
        None => diesel::update(target.filter(rooms::assignee.is_not_null()))
            .set(rooms::assignee.eq(None::<OwnerId>))
            .execute(conn)?,
    };
    Ok(changed > 0)
}

/// Deletes the room with its messages and read cursors.
pub fn delete(conn: &mut DbConnection, id: RoomId) -> Result<(), DbError> {
    diesel::delete(rooms::table.find(id)).execute(conn)?;
    Ok(())
}

/// A room with who may write in it: its site's owner (id, name) and its visitor's name.
pub type RoomParticipants = (Room, OwnerId, String, Option<String>);

/// Who may write in a room besides a socket, with the room itself; `None` if there is no
/// such room.
pub fn with_participants(
    conn: &mut DbConnection,
    id: RoomId,
) -> Result<Option<RoomParticipants>, DbError> {
    Ok(rooms::table
        .inner_join(visitors::table)
        .inner_join(sites::table.inner_join(crate::schema::owners::table))
        .filter(rooms::id.eq(id))
        .select((
            Room::as_select(),
            crate::schema::owners::id,
            crate::schema::owners::name,
            visitors::name,
        ))
        .first(conn)
        .optional()?)
}
