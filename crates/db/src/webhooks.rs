//! Sites' webhook endpoints, and the events that queue deliveries to them.
//!
//! An event is queued in the transaction that stores what it tells of: the persister's
//! batch queues `conversation.created`, `message.created` and a visitor's
//! `conversation.reopened`; [`change_room_status`] queues a close or reopen by the owner.
//! One row per event and subscribed endpoint goes into `webhook_deliveries` (see
//! [`crate::deliveries`] for how they leave). The event id of a stored message is derived
//! from its room and seq, so a replayed batch queues nothing twice.

use std::collections::BTreeMap;

use diesel::prelude::*;
use pintalk_core::clock::{now_ms, rfc3339};
use pintalk_core::ids::{DeliveryId, OwnerId, RoomId, SiteId, VisitorId, WebhookId};
use pintalk_core::protocol::RoomStatus;
use pintalk_core::secret::{hex, random_bytes, token_hash};
use pintalk_core::webhook::{DeliveryStatus, WebhookEvent};
use serde_json::{Value, json};

use crate::models::{Delivery, StoredMessage, Webhook, WebhookChange};
use crate::schema::{messages as messages_table, rooms as rooms_table, webhooks};
use crate::{DbConnection, DbError, backend, rooms};

/// Stores a new endpoint unless its site has `max` already; whether it was stored.
pub fn insert(conn: &mut DbConnection, webhook: &Webhook, max: i64) -> Result<bool, DbError> {
    crate::write_transaction(conn, |conn| {
        let count: i64 = webhooks::table
            .filter(webhooks::site_id.eq(webhook.site_id))
            .count()
            .get_result(conn)?;
        if count >= max {
            return Ok(false);
        }
        diesel::insert_into(webhooks::table)
            .values(webhook.clone())
            .execute(conn)?;
        Ok(true)
    })
}

/// The site's endpoints, oldest first.
pub fn list_for_site(conn: &mut DbConnection, site: SiteId) -> Result<Vec<Webhook>, DbError> {
    Ok(webhooks::table
        .filter(webhooks::site_id.eq(site))
        .order(webhooks::id.asc())
        .select(Webhook::as_select())
        .load(conn)?)
}

/// The endpoint `id` of `site`; `None` if it is another site's.
pub fn find_for_site(
    conn: &mut DbConnection,
    site: SiteId,
    id: WebhookId,
) -> Result<Option<Webhook>, DbError> {
    Ok(webhooks::table
        .find(id)
        .filter(webhooks::site_id.eq(site))
        .select(Webhook::as_select())
        .first(conn)
        .optional()?)
}

/// Applies `change` to the site's endpoint; returns it as stored, or `None`.
pub fn update(
    conn: &mut DbConnection,
    site: SiteId,
    id: WebhookId,
    change: &WebhookChange,
) -> Result<Option<Webhook>, DbError> {
    crate::write_transaction(conn, |conn| {
        let updated = diesel::update(webhooks::table.find(id).filter(webhooks::site_id.eq(site)))
            .set(change)
            .execute(conn)?;
        if updated == 0 {
            return Ok(None);
        }
        find_for_site(conn, site, id)
    })
}

/// Deletes the site's endpoint with its deliveries; whether there was one.
pub fn delete(conn: &mut DbConnection, site: SiteId, id: WebhookId) -> Result<bool, DbError> {
    let deleted = diesel::delete(webhooks::table.find(id).filter(webhooks::site_id.eq(site)))
        .execute(conn)?;
    Ok(deleted > 0)
}

/// Sets a room's status as [`rooms::set_status`] does and, if it changed, queues the
/// `conversation.closed` or `conversation.reopened` event in the same transaction.
pub fn change_room_status(
    conn: &mut DbConnection,
    room: RoomId,
    status: RoomStatus,
) -> Result<bool, DbError> {
    crate::write_transaction(conn, |conn| {
        let changed = rooms::set_status(conn, room, status)?;
        if changed {
            let event = match status {
                RoomStatus::Open => WebhookEvent::ConversationReopened,
                RoomStatus::Closed => WebhookEvent::ConversationClosed,
            };
            // Every close or reopen is its own event.
            let id = format!("evt_{}", hex(&random_bytes::<16>()));
            queue(conn, &[room], |room| {
                vec![Occurrence::of_room(id.clone(), event, room, status)]
            })?;
        }
        Ok(changed)
    })
}

/// Assigns a room (`None`: to nobody) and, if that changed it, queues its
/// `conversation.assigned`, in one transaction.
pub fn change_room_assignee(
    conn: &mut DbConnection,
    room: RoomId,
    assignee: Option<OwnerId>,
) -> Result<bool, DbError> {
    crate::write_transaction(conn, |conn| {
        let changed = rooms::set_assignee(conn, room, assignee)?;
        if changed {
            let status = rooms_table::table
                .find(room)
                .select(rooms_table::status)
                .first::<RoomStatus>(conn)?;
            // Every assignment is its own event.
            let id = format!("evt_{}", hex(&random_bytes::<16>()));
            queue(conn, &[room], |room| {
                let mut occurrence = Occurrence::of_room(
                    id.clone(),
                    WebhookEvent::ConversationAssigned,
                    room,
                    status,
                );
                occurrence.data["conversation"]["assignee"] = json!(assignee);
                vec![occurrence]
            })?;
        }
        Ok(changed)
    })
}

/// Queues the events of a persister batch, inside its transaction: `started` rooms'
/// `conversation.created`, every message's `message.created`, `reopened` rooms'
/// `conversation.reopened`.
pub(crate) fn queue_batch(
    conn: &mut DbConnection,
    messages: &[StoredMessage],
    started: &[RoomId],
    reopened: &[RoomId],
) -> Result<(), DbError> {
    let mut rooms: Vec<RoomId> = messages.iter().map(|m| m.room_id).collect();
    rooms.sort();
    rooms.dedup();
    if endpoints_of(conn, &rooms)?.is_empty() {
        return Ok(());
    }
    // Only what was stored is told of: a message skipped as a repeated cid is not news.
    let messages = &stored(conn, &rooms, messages)?;
    queue(conn, &rooms, |room| {
        let mut occurrences = Vec::new();
        if started.contains(&room.id) {
            let id = stable_id(&format!("conversation.created/{}", room.id));
            occurrences.push(Occurrence::of_room(
                id,
                WebhookEvent::ConversationCreated,
                room,
                RoomStatus::Open,
            ));
        }
        let mut newest = 0;
        for m in messages.iter().filter(|m| m.room_id == room.id) {
            newest = newest.max(m.seq);
            occurrences.push(Occurrence::of_message(room, m));
        }
        if reopened.contains(&room.id) {
            // A reopening is named by the message that reopened the room.
            let id = stable_id(&format!("conversation.reopened/{}/{newest}", room.id));
            occurrences.push(Occurrence::of_room(
                id,
                WebhookEvent::ConversationReopened,
                room,
                RoomStatus::Open,
            ));
        }
        occurrences
    })
}

/// The room an event is about, as its body names it.
struct RoomFacts {
    id: RoomId,
    site: SiteId,
    visitor: VisitorId,
}

/// One event, before it is fanned out to the endpoints subscribed to it.
struct Occurrence {
    id: String,
    event: WebhookEvent,
    site: SiteId,
    at: i64,
    data: Value,
}

impl Occurrence {
    fn of_room(id: String, event: WebhookEvent, room: &RoomFacts, status: RoomStatus) -> Self {
        Occurrence {
            id,
            event,
            site: room.site,
            at: now_ms(),
            data: json!({ "conversation": conversation(room, status) }),
        }
    }

    fn of_message(room: &RoomFacts, m: &StoredMessage) -> Self {
        Occurrence {
            id: stable_id(&format!("message.created/{}/{}", room.id, m.seq)),
            event: WebhookEvent::MessageCreated,
            site: room.site,
            at: m.created_at,
            data: json!({
                "conversation": conversation(room, RoomStatus::Open),
                "message": {
                    "seq": m.seq,
                    "sender": { "kind": m.sender_kind, "id": m.sender_id },
                    "body": m.body,
                    // An internal note goes to the site's own endpoints (the team's tools),
                    // flagged so a receiver never forwards it to the visitor.
                    "note": m.note,
                    "created_at": rfc3339(m.created_at),
                },
            }),
        }
    }

    /// The body every endpoint gets, the same bytes on every attempt.
    fn body(&self) -> String {
        json!({
            "id": self.id,
            "type": self.event,
            "created_at": rfc3339(self.at),
            "site_id": self.site,
            "data": self.data,
        })
        .to_string()
    }
}

fn conversation(room: &RoomFacts, status: RoomStatus) -> Value {
    json!({ "id": room.id, "visitor_id": room.visitor, "status": status })
}

/// An event id derived from what the event is about: the same fact, the same id.
fn stable_id(key: &str) -> String {
    format!("evt_{}", &token_hash(key)[..32])
}

/// Those of a batch's `messages` that SQL holds as they are (same sender and cid at
/// their seq).
fn stored(
    conn: &mut DbConnection,
    rooms: &[RoomId],
    messages: &[StoredMessage],
) -> Result<Vec<StoredMessage>, DbError> {
    let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
    let held: Vec<(RoomId, i64, String, String)> = messages_table::table
        .filter(messages_table::room_id.eq_any(rooms))
        .filter(messages_table::seq.eq_any(&seqs))
        .select((
            messages_table::room_id,
            messages_table::seq,
            messages_table::sender_id,
            messages_table::cid,
        ))
        .load(conn)?;
    Ok(messages
        .iter()
        .filter(|m| {
            held.iter().any(|(room, seq, sender, cid)| {
                *room == m.room_id && *seq == m.seq && *sender == m.sender_id && *cid == m.cid
            })
        })
        .cloned()
        .collect())
}

/// The enabled endpoints of these rooms' sites.
fn endpoints_of(conn: &mut DbConnection, room_ids: &[RoomId]) -> Result<Vec<Webhook>, DbError> {
    if room_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(webhooks::table
        .filter(webhooks::enabled.eq(true))
        .filter(
            webhooks::site_id.eq_any(
                rooms_table::table
                    .filter(rooms_table::id.eq_any(room_ids))
                    .select(rooms_table::site_id),
            ),
        )
        .select(Webhook::as_select())
        .load(conn)?)
}

/// Queues, for the enabled endpoints of these rooms' sites, the events `of` each room
/// that they subscribed to. One query when no endpoint is concerned.
fn queue<F>(conn: &mut DbConnection, room_ids: &[RoomId], of: F) -> Result<(), DbError>
where
    F: Fn(&RoomFacts) -> Vec<Occurrence>,
{
    let endpoints = endpoints_of(conn, room_ids)?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let rooms: Vec<(RoomId, SiteId, VisitorId)> = rooms_table::table
        .filter(rooms_table::id.eq_any(room_ids))
        .select((
            rooms_table::id,
            rooms_table::site_id,
            rooms_table::visitor_id,
        ))
        .load(conn)?;
    let mut by_site: BTreeMap<SiteId, Vec<&Webhook>> = BTreeMap::new();
    for endpoint in &endpoints {
        by_site.entry(endpoint.site_id).or_default().push(endpoint);
    }
    let now = now_ms();
    let mut rows = Vec::new();
    for (id, site, visitor) in rooms {
        let Some(endpoints) = by_site.get(&site) else {
            continue;
        };
        for occurrence in of(&RoomFacts { id, site, visitor }) {
            let body = occurrence.body();
            for endpoint in endpoints {
                if endpoint.events.contains(occurrence.event) {
                    rows.push(Delivery {
                        id: DeliveryId::new(),
                        webhook_id: endpoint.id,
                        event_id: occurrence.id.clone(),
                        event: occurrence.event,
                        payload: body.clone(),
                        status: DeliveryStatus::Pending,
                        attempts: 0,
                        next_at: now,
                        // Moved to the configured retry period at the first attempt.
                        give_up_at: i64::MAX,
                        claimed_by: None,
                        claimed_until: 0,
                        last_attempt_at: None,
                        last_status: None,
                        last_error: None,
                        created_at: now,
                        delivered_at: None,
                    });
                }
            }
        }
    }
    backend::insert_deliveries_ignoring_duplicates(conn, &rows)
}

/// Queues `visitor.identified` for a visitor verified for the first time as `user_id`,
/// inside the transaction that records it; `room` is their conversation. One event per
/// visitor: its id is derived from the visitor.
pub fn queue_visitor_identified(
    conn: &mut DbConnection,
    room: RoomId,
    status: RoomStatus,
    visitor: &crate::models::Visitor,
    user_id: &str,
) -> Result<(), DbError> {
    let id = stable_id(&format!("visitor.identified/{}", visitor.id));
    let data = json!({
        "visitor": {
            "id": visitor.id,
            "user_id": user_id,
            "name": visitor.name,
            "email": visitor.email,
        },
    });
    queue(conn, &[room], |room| {
        let mut data = data.clone();
        data["conversation"] = conversation(room, status);
        vec![Occurrence {
            id: id.clone(),
            event: WebhookEvent::VisitorIdentified,
            site: room.site,
            at: now_ms(),
            data,
        }]
    })
}
