//! The notifier: mails an owner about conversations whose visitor messages nobody read
//! within `notify.unread_delay_secs` — one mail per conversation per quiet period, or one
//! digest per `notify.digest_secs`, or none, as the owner chose — and a visitor who left
//! an email about the owner's answers they have not seen `notify.visitor_offline_secs`
//! after them, with no socket open.
//!
//! The schedule is SQL's (`pintalk_db::notifications`): the persister adds a due row with
//! the visitor message it stores; each pass here claims the due rows of a few owners (one
//! conditional UPDATE per owner, so replicas never share a claim), mails, and marks each
//! row right after its mail. A notifier that dies mid-pass leaves its claim to expire after
//! `notify.claim_secs`; only a mail sent in the instant before the death can go twice.
//!
//! The mail server down (or refusing): the rows not yet mailed wait, claimed by nobody,
//! `notify.retry_first_secs` at first and then as long again as they are overdue, up to
//! `notify.retry_max_secs` — so a long outage costs a few attempts an hour, and the mails
//! go once it is back. Messages are stored and fanned out meanwhile as ever: mail is only
//! ever sent from here, never on a message's path.

mod compose;
mod push;

use std::time::Duration;

use actix_web::web;
use pintalk_core::domain::{EmailNotifications, Recipient};
use pintalk_core::ids::OwnerId;
use pintalk_core::protocol::ParticipantKind;
use pintalk_db::models::{DueNotification, Owner};
use pintalk_db::notifications::{self, Unread};
use pintalk_db::owners;
use tokio::sync::watch;

use crate::background::{Worker, pause, secs_ms};
use crate::push::PushClient;
use crate::state::AppState;

/// Owners handled per pass; the rest wait for the next (a second later at most).
const OWNERS_PER_PASS: i64 = 20;
/// Messages quoted in a mail; the rest are counted.
const QUOTED: i64 = 10;

pub struct Notifier {
    state: web::Data<AppState>,
    /// This notifier's name on its claims.
    claimer: String,
    /// Posts pushes, when the server has a VAPID key.
    push: Option<PushClient>,
}

/// What one owner's claimed rows come to.
struct Claimed {
    owner: Owner,
    setting: EmailNotifications,
    rows: Vec<DueNotification>,
}

impl Notifier {
    pub fn new(state: web::Data<AppState>) -> anyhow::Result<Self> {
        let push = match state.vapid {
            Some(_) => Some(PushClient::start()?),
            None => None,
        };
        Ok(Self {
            state,
            claimer: pintalk_core::ids::MessageId::new().to_string(),
            push,
        })
    }

    /// Starts the notifier on its own task; [`Worker::stop`] ends it.
    pub fn spawn(self) -> Worker {
        Worker::spawn("notifier", |stopping| self.run(stopping))
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let every = Duration::from_millis(self.state.settings.notify.poll_ms.max(10));
        while !*stop.borrow() {
            match self.pass().await {
                // A full page: more may be due; go on at once.
                Ok(handled) if handled == OWNERS_PER_PASS => continue,
                Ok(_) => {}
                Err(e) => log::warn!("notifier: {e:#}"),
            }
            pause(&mut stop, every).await;
        }
    }

    /// Claims and mails what is due now for a page of owners; how many it looked at. One
    /// owner's failure (the mail server down, say) backs their unsent rows off (see the
    /// module's doc), and does not hold up the others.
    async fn pass(&self) -> anyhow::Result<i64> {
        let now = self.state.clock.now_ms();
        let owners = self
            .state
            .background_db(move |conn| notifications::due_owners(conn, now, OWNERS_PER_PASS))
            .await?;
        let handled = i64::try_from(owners.len()).unwrap_or(i64::MAX);
        for owner in owners {
            let claimed = match self.claim(owner, now).await {
                Ok(Some(claimed)) => claimed,
                Ok(None) => continue,
                Err(e) => {
                    log::warn!("notifier: owner {owner}: {e:#}");
                    continue;
                }
            };
            let overdue = claimed.rows.iter().map(|r| now - r.due_at).max();
            if let Err(e) = self.handle(claimed, now).await {
                let retry_at = now + self.retry_after(overdue.unwrap_or(0));
                log::warn!("notifier: owner {owner}: {e:#}; trying again at {retry_at}");
                let claimer = self.claimer.clone();
                if let Err(e) = self
                    .state
                    .background_db(move |conn| {
                        notifications::back_off(conn, owner, &claimer, retry_at)
                    })
                    .await
                {
                    // The claim lapses after `notify.claim_secs` instead.
                    log::warn!("notifier: owner {owner}: backing off: {e:#}");
                }
            }
        }
        Ok(handled)
    }

    /// How long mails that are `overdue_ms` late wait after a failure: as long again
    /// (the delays double), within `notify.retry_first_secs..=retry_max_secs`.
    fn retry_after(&self, overdue_ms: i64) -> i64 {
        let notify = &self.state.settings.notify;
        let first = secs_ms(notify.retry_first_secs);
        overdue_ms.clamp(first, secs_ms(notify.retry_max_secs).max(first))
    }

    async fn claim(&self, owner: OwnerId, now: i64) -> anyhow::Result<Option<Claimed>> {
        let claimer = self.claimer.clone();
        let until = now + secs_ms(self.state.settings.notify.claim_secs);
        self.state
            .background_db(move |conn| {
                let rows = notifications::claim(conn, owner, &claimer, now, until)?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let Some(owner) = owners::find(conn, owner)? else {
                    return Ok(None);
                };
                let setting = notifications::email_setting(conn, owner.id)?;
                Ok(Some(Claimed {
                    owner,
                    setting,
                    rows,
                }))
            })
            .await
    }

    async fn handle(&self, claimed: Claimed, now: i64) -> anyhow::Result<()> {
        let Claimed {
            owner,
            setting,
            rows,
        } = claimed;
        // An address not verified gets no mail: its widgets are not live anyway.
        let mailing = owner.email_verified_at.is_some() && setting != EmailNotifications::Off;
        let digest = secs_ms(self.state.settings.notify.digest_secs).max(1);
        let mut told = Vec::new();
        let (mut to_visitors, mut to_owner, mut pushes) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            match row.recipient {
                Recipient::Visitor => to_visitors.push(row),
                Recipient::Owner => to_owner.push(row),
                Recipient::OwnerPush => pushes.push(row),
            }
        }
        // Pushes first: they are the quick ones.
        for row in pushes {
            self.push(row, now).await?;
        }
        for row in to_visitors {
            self.tell_visitor(&owner, row, now).await?;
        }
        for row in to_owner {
            let room = row.room_id;
            let owner_side = Recipient::Owner;
            // A digest goes on its period's boundary, with everything due by then: a row
            // whose boundary has come is in this one, however late it was looked at.
            let boundary = row.due_at.div_euclid(digest) * digest
                + if row.due_at.rem_euclid(digest) == 0 {
                    0
                } else {
                    digest
                };
            if mailing && setting == EmailNotifications::Digest && boundary > now {
                self.release(move |conn, claimer| {
                    notifications::postpone(conn, room, owner_side, claimer, boundary)
                })
                .await?;
                continue;
            }
            if !mailing {
                self.release(move |conn, claimer| {
                    notifications::done(conn, room, owner_side, claimer, i64::MAX)
                })
                .await?;
                continue;
            }
            let unread = self
                .state
                .background_db(move |conn| notifications::unread(conn, &row, QUOTED))
                .await?;
            match unread {
                Some(unread) if unread.count > 0 => {
                    if setting == EmailNotifications::Each {
                        self.mail(&owner, std::slice::from_ref(&unread)).await?;
                        self.notified(&unread, now).await?;
                    } else {
                        told.push(unread);
                    }
                }
                other => {
                    let after = other.map_or(i64::MAX, |u| u.after_seq);
                    self.release(move |conn, claimer| {
                        notifications::done(conn, room, owner_side, claimer, after)
                    })
                    .await?;
                }
            }
        }
        if !told.is_empty() {
            self.mail(&owner, &told).await?;
            for unread in &told {
                self.notified(unread, now).await?;
            }
        }
        Ok(())
    }

    /// The owner answered and the visitor did not read it: a mail if they left an address
    /// and have no socket open (a visitor online sees it there; look again later).
    async fn tell_visitor(
        &self,
        owner: &Owner,
        row: DueNotification,
        now: i64,
    ) -> anyhow::Result<()> {
        let room = row.room_id;
        let visitor_side = Recipient::Visitor;
        let online = self
            .state
            .bus
            .presence_count(&pintalk_bus::presence::visitor_key(room))
            .await?
            > 0;
        if online {
            let later = now + secs_ms(self.state.settings.notify.visitor_offline_secs);
            return self
                .release(move |conn, claimer| {
                    notifications::postpone(conn, room, visitor_side, claimer, later)
                })
                .await;
        }
        let unread = self
            .state
            .background_db(move |conn| notifications::unread(conn, &row, QUOTED))
            .await?;
        let Some(unread) = unread.filter(|u| u.count > 0 && u.visitor_email.is_some()) else {
            // Nothing unread, or nowhere to write: the row's work is done.
            let after = i64::MAX;
            return self
                .release(move |conn, claimer| {
                    notifications::done(conn, room, visitor_side, claimer, after)
                })
                .await;
        };
        let reply_to = compose::reply_address(&self.state, room, ParticipantKind::Visitor);
        let reopen = compose::reopen_url(&self.state, &unread);
        let mail = compose::visitor_mail(owner, &unread, reply_to, reopen);
        self.state.mailer.send(mail).await?;
        self.notified(&unread, now).await
    }

    async fn mail(&self, owner: &Owner, rooms: &[Unread]) -> anyhow::Result<()> {
        let unsubscribe = compose::unsubscribe_url(&self.state, owner.id)?;
        // A digest has no one conversation to reply into.
        let reply_to = match rooms {
            [one] => compose::reply_address(&self.state, one.room, ParticipantKind::Owner),
            _ => None,
        };
        let mail = compose::unread_mail(&self.state.settings, owner, rooms, unsubscribe, reply_to);
        self.state.mailer.send(mail).await
    }

    /// Marks a room told of up to its newest unread message, quiet for the reminder time.
    async fn notified(&self, unread: &Unread, now: i64) -> anyhow::Result<()> {
        let (room, recipient) = (unread.room, unread.recipient);
        let seq = unread.last_seq;
        let quiet_until = now + secs_ms(self.state.settings.notify.remind_after_secs);
        self.release(move |conn, claimer| {
            notifications::notified(conn, room, recipient, claimer, seq, quiet_until)
        })
        .await
    }

    /// Runs a statement that ends this notifier's claim on a row.
    async fn release<F>(&self, work: F) -> anyhow::Result<()>
    where
        F: FnOnce(&mut pintalk_db::DbConnection, &str) -> Result<(), pintalk_db::DbError>
            + Send
            + 'static,
    {
        let claimer = self.claimer.clone();
        self.state
            .background_db(move |conn| work(conn, &claimer))
            .await
    }
}
