//! The notifier's pushes: a claimed `owner_push` row becomes one push to each browser the
//! owner subscribed, of what is still unread; then the row is done (the next visitor
//! message schedules the next push). A push service that lost a subscription (404, 410)
//! has it deleted; one that fails leaves the claim to lapse and the push to be retried.

use pintalk_core::domain::Recipient;
use pintalk_db::models::DueNotification;
use pintalk_db::notifications::{self, Unread};
use pintalk_db::push_subscriptions;
use serde::Serialize;

use super::compose::visitor_label;
use super::{Notifier, QUOTED};
use crate::push::{self, Delivery};

/// The characters of the message a push shows: the last of those a mail would quote.
const PREVIEW_CHARS: usize = 200;

/// What the service worker is given to show (`web/dashboard/sw.js`).
#[derive(Serialize)]
struct Payload {
    /// The notification's tag: one per conversation, a newer push replaces it.
    room: String,
    title: String,
    body: String,
    /// How many messages are unread.
    count: i64,
    /// The dashboard path that opens the conversation.
    url: String,
}

impl Notifier {
    /// Pushes a claimed row's unread messages to the owner's browsers.
    pub(super) async fn push(&self, row: DueNotification, now: i64) -> anyhow::Result<()> {
        let room = row.room_id;
        let owner = row.owner_id;
        let (unread, subscriptions) = self
            .state
            .background_db(move |conn| {
                Ok((
                    notifications::unread(conn, &row, QUOTED)?,
                    push_subscriptions::of_owner(conn, owner)?,
                ))
            })
            .await?;
        let (Some(client), Some(vapid), Some(unread)) = (
            self.push.as_ref(),
            self.state.vapid.as_ref(),
            unread.filter(|u| u.count > 0),
        ) else {
            return self.pushed(room, i64::MAX).await;
        };
        let payload = serde_json::to_vec(&payload(&unread))?;
        let now_secs = u64::try_from(now / 1000).unwrap_or(0);
        let ttl = self.state.settings.push.ttl_secs;
        let mut accepted = 0;
        let mut failures = Vec::new();
        for subscription in subscriptions {
            let request = push::request(vapid, &subscription, &payload, ttl, now_secs)?;
            match client.post(request).await {
                Delivery::Accepted => accepted += 1,
                Delivery::Gone => {
                    let id = subscription.id;
                    self.state
                        .background_db(move |conn| push_subscriptions::expired(conn, id))
                        .await?;
                }
                Delivery::Failed(why) => failures.push(why),
            }
        }
        // Only when no browser took it is the push tried again: one that did must not
        // be shown the same push twice.
        if accepted == 0 && !failures.is_empty() {
            anyhow::bail!("no push service took the push: {}", failures.join("; "));
        }
        for why in failures {
            log::warn!("notifier: a push for room {room} failed: {why}");
        }
        self.pushed(room, unread.last_seq).await
    }

    /// Ends the claimed push row of `room`: what is unread up to `seq` was pushed.
    async fn pushed(&self, room: pintalk_core::ids::RoomId, seq: i64) -> anyhow::Result<()> {
        self.release(move |conn, claimer| {
            notifications::done(conn, room, Recipient::OwnerPush, claimer, seq)
        })
        .await
    }
}

fn payload(unread: &Unread) -> Payload {
    let newest = unread.messages.last().map_or("", |m| m.body.as_str());
    let mut body: String = newest.chars().take(PREVIEW_CHARS).collect();
    if newest.chars().count() > PREVIEW_CHARS {
        body.push('…');
    }
    Payload {
        room: unread.room.to_string(),
        title: format!("{} · {}", visitor_label(unread), unread.site_name),
        body,
        count: unread.count,
        url: format!("/sites/{}/rooms/{}", unread.site, unread.room),
    }
}
