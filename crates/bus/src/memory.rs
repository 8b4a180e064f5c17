//! The in-process store: right for one process (the all-in-one binary), and the
//! reference the Redis store must behave like. Everything sits behind one mutex; every
//! operation is a few map lookups.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SessionId, SiteId};
use pintalk_core::protocol::{Message, Participant};
use tokio::sync::{Notify, mpsc};

use crate::realtime::{
    Appended, Bus, Draft, OutboxEntry, OutboxItem, Publication, RECENT_WINDOW, Recent, SentCid,
    Topic, cid_key, contiguous_after, frame_halves, frame_text, read_receipt,
};
use crate::{BusError, Counter, Counters, TicketUse, Tickets};

/// Everything in this process's memory.
#[derive(Default)]
pub struct MemoryBus {
    state: Mutex<State>,
    /// Wakes `outbox_read` callers waiting for new entries.
    outbox_ready: Notify,
}

#[derive(Default)]
struct State {
    counters: HashMap<String, (Counter, Instant)>,
    rooms: HashMap<RoomId, Room>,
    outbox: Outbox,
    seed_requests: HashSet<RoomId>,
    /// key → member → expiry.
    presence: HashMap<String, HashMap<String, Instant>>,
    subscriptions: HashSet<Topic>,
    listener: Option<mpsc::UnboundedSender<Publication>>,
    /// Tickets that opened a socket, until they expire.
    used_tickets: Lapsing<String>,
    /// Sessions that ended, while their tickets could still be presented.
    revoked_sessions: Lapsing<SessionId>,
}

/// Keys that lapse. Swept whenever the map has doubled since the last sweep, so memory
/// stays bounded by the live keys at an amortised constant cost per insert.
struct Lapsing<K> {
    /// Each key and when it lapses; lapsed keys linger until a sweep.
    until: HashMap<K, Instant>,
    /// The size at which the next insert sweeps.
    sweep_at: usize,
}

impl<K> Default for Lapsing<K> {
    fn default() -> Self {
        Self {
            until: HashMap::new(),
            sweep_at: 1024,
        }
    }
}

impl<K: Hash + Eq> Lapsing<K> {
    fn live(&self, key: &K, now: Instant) -> bool {
        self.until.get(key).is_some_and(|until| *until > now)
    }

    /// Keeps `key` until `until`.
    fn keep(&mut self, key: K, until: Instant, now: Instant) {
        if self.until.len() >= self.sweep_at {
            self.until.retain(|_, lapses| *lapses > now);
            self.sweep_at = (2 * self.until.len()).max(1024);
        }
        self.until.insert(key, until);
    }

    /// Keeps `key` until `until` unless it is live already; true if it was not.
    fn claim(&mut self, key: K, until: Instant, now: Instant) -> bool {
        if self.live(&key, now) {
            return false;
        }
        self.keep(key, until, now);
        true
    }
}

#[derive(Default)]
struct Room {
    /// `None` until seeded.
    seq: Option<i64>,
    /// When the room was seeded: its numbering's epoch. The memory dies with the
    /// process, so a restart seeds again from SQL with a later epoch.
    epoch: i64,
    site: Option<SiteId>,
    /// seq → message and its frame text, the last RECENT_WINDOW of them.
    window: BTreeMap<i64, (Message, Arc<str>)>,
    /// (sender, cid) key → (seq, ts); bounded like the window's big brother.
    cids: HashMap<String, (i64, i64)>,
    cid_order: VecDeque<String>,
}

impl Room {
    fn remember(&mut self, key: String, seq: i64, ts: i64) {
        if self.cids.contains_key(&key) {
            return;
        }
        self.cids.insert(key.clone(), (seq, ts));
        self.cid_order.push_back(key);
        if self.cid_order.len() > MEMORY_CIDS_PER_ROOM
            && let Some(old) = self.cid_order.pop_front()
        {
            self.cids.remove(&old);
        }
    }
}

/// How many cids a room remembers in memory (Redis remembers them for a day instead).
const MEMORY_CIDS_PER_ROOM: usize = 10_000;

#[derive(Default)]
struct Outbox {
    next_id: u64,
    fresh: VecDeque<(u64, OutboxItem)>,
    /// Read but not acknowledged: id → (item, consumer, when read).
    pending: BTreeMap<u64, (OutboxItem, String, Instant)>,
}

impl Outbox {
    fn push(&mut self, item: OutboxItem) {
        self.next_id += 1;
        self.fresh.push_back((self.next_id, item));
    }

    fn len(&self) -> u64 {
        (self.fresh.len() + self.pending.len()) as u64
    }
}

impl MemoryBus {
    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state consistent before it could panic.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    fn deliver(&self, topics: &[Topic], frame: &Arc<str>) {
        let Some(listener) = &self.listener else {
            return;
        };
        for topic in topics {
            if self.subscriptions.contains(topic) {
                let _ = listener.send((*topic, frame.clone()));
            }
        }
    }

    fn present(&mut self, key: &str) -> u64 {
        let now = Instant::now();
        let Some(members) = self.presence.get_mut(key) else {
            return 0;
        };
        members.retain(|_, expires| *expires > now);
        members.len() as u64
    }
}

#[async_trait]
impl Counters for MemoryBus {
    async fn hit(&self, key: &str, window: Duration, now_ms: i64) -> Result<Counter, BusError> {
        let now = Instant::now();
        let mut state = self.state();
        let counters = &mut state.counters;
        // Drop expired entries now and then so memory stays bounded by live keys.
        if counters.len() > 10_000 {
            counters.retain(|_, (_, expires)| *expires > now);
        }
        let entry = counters
            .entry(key.to_owned())
            .or_insert((Counter::default(), now + window));
        if entry.1 <= now {
            entry.0 = Counter::default();
        }
        entry.0.count += 1;
        entry.0.last_hit_ms = now_ms;
        entry.1 = now + window;
        Ok(entry.0)
    }

    async fn get(&self, key: &str) -> Result<Counter, BusError> {
        let now = Instant::now();
        Ok(self
            .state()
            .counters
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(counter, _)| *counter)
            .unwrap_or_default())
    }

    async fn clear(&self, key: &str) -> Result<(), BusError> {
        self.state().counters.remove(key);
        Ok(())
    }

    async fn ping(&self) -> Result<(), BusError> {
        Ok(())
    }
}

#[async_trait]
impl Tickets for MemoryBus {
    async fn revoke_sessions(&self, sessions: &[SessionId], ttl: Duration) -> Result<(), BusError> {
        let now = Instant::now();
        let mut state = self.state();
        for session in sessions {
            state.revoked_sessions.keep(*session, now + ttl, now);
        }
        Ok(())
    }

    async fn use_ticket(
        &self,
        jti: &str,
        session: Option<SessionId>,
        ttl: Duration,
    ) -> Result<TicketUse, BusError> {
        let now = Instant::now();
        let mut state = self.state();
        let first = state.used_tickets.claim(jti.to_owned(), now + ttl, now);
        Ok(
            if session.is_some_and(|s| state.revoked_sessions.live(&s, now)) {
                TicketUse::Revoked
            } else if first {
                TicketUse::First
            } else {
                TicketUse::Reused
            },
        )
    }
}

#[async_trait]
impl Bus for MemoryBus {
    async fn append(&self, draft: &Draft, max_backlog: u64) -> Result<Appended, BusError> {
        let mut state = self.state();
        let backlog = state.outbox.len();
        let room = state.rooms.entry(draft.room).or_default();
        let Some(last) = room.seq else {
            return Ok(Appended::NotSeeded);
        };
        let epoch = room.epoch;
        let key = cid_key(&draft.sender, &draft.cid);
        if let Some(&(seq, ts)) = room.cids.get(&key) {
            return Ok(Appended::Duplicate { seq, ts, epoch });
        }
        if room.site != Some(draft.site) {
            return Ok(Appended::WrongSite);
        }
        if max_backlog > 0 && backlog >= max_backlog {
            return Ok(Appended::BacklogFull);
        }
        let (seq, ts) = (last + 1, now_ms());
        room.seq = Some(seq);
        let (head, tail) = frame_halves(draft);
        let frame: Arc<str> = frame_text(&head, seq, epoch, ts, &tail).into();
        let message = Message {
            room: draft.room,
            site: draft.site,
            seq,
            epoch,
            ts,
            cid: draft.cid.clone(),
            sender: draft.sender.clone(),
            body: draft.body.clone(),
        };
        room.window.insert(seq, (message.clone(), frame.clone()));
        while room.window.len() > RECENT_WINDOW {
            room.window.pop_first();
        }
        room.remember(key, seq, ts);
        state.outbox.push(OutboxItem::Message(message));
        state.deliver(&[Topic::Room(draft.room), Topic::Site(draft.site)], &frame);
        drop(state);
        self.outbox_ready.notify_waiters();
        Ok(Appended::Stored { seq, ts, epoch })
    }

    async fn seed(
        &self,
        room: RoomId,
        site: SiteId,
        last_seq: i64,
        cids: &[SentCid],
    ) -> Result<i64, BusError> {
        let mut state = self.state();
        let room = state.rooms.entry(room).or_default();
        room.site = Some(site);
        if room.seq.is_some() {
            return Ok(room.epoch);
        }
        room.seq = Some(last_seq);
        room.epoch = now_ms();
        for sent in cids {
            room.remember(cid_key(&sent.sender, &sent.cid), sent.seq, sent.ts);
        }
        Ok(room.epoch)
    }

    async fn room_site(&self, room: RoomId) -> Result<Option<SiteId>, BusError> {
        Ok(self.state().rooms.get(&room).and_then(|r| r.site))
    }

    async fn last_seq(&self, room: RoomId) -> Result<Option<i64>, BusError> {
        Ok(self.state().rooms.get(&room).and_then(|r| r.seq))
    }

    async fn recent(&self, room: RoomId, after_seq: i64) -> Result<Recent, BusError> {
        let state = self.state();
        let Some((room, last)) = state.rooms.get(&room).and_then(|r| Some((r, r.seq?))) else {
            return Ok(Recent::NotSeeded);
        };
        let epoch = room.epoch;
        if after_seq >= last {
            return Ok(Recent::Complete {
                epoch,
                messages: Vec::new(),
            });
        }
        let messages: Vec<Message> = room
            .window
            .range(after_seq + 1..)
            .map(|(_, (m, _))| m.clone())
            .collect();
        // Complete only if the window reaches back to the first wanted seq.
        if !messages.is_empty() && contiguous_after(after_seq, &messages) {
            Ok(Recent::Complete { epoch, messages })
        } else {
            Ok(Recent::Gap { epoch })
        }
    }

    async fn request_seed(&self, room: RoomId) -> Result<(), BusError> {
        self.state().seed_requests.insert(room);
        Ok(())
    }

    async fn take_seed_requests(&self, max: usize) -> Result<Vec<RoomId>, BusError> {
        let mut state = self.state();
        let taken: Vec<RoomId> = state.seed_requests.iter().take(max).copied().collect();
        for room in &taken {
            state.seed_requests.remove(room);
        }
        Ok(taken)
    }

    async fn publish(&self, topics: &[Topic], frame: Arc<str>) -> Result<(), BusError> {
        self.state().deliver(topics, &frame);
        Ok(())
    }

    async fn subscribe(&self, topic: Topic) -> Result<(), BusError> {
        self.state().subscriptions.insert(topic);
        Ok(())
    }

    async fn unsubscribe(&self, topic: Topic) -> Result<(), BusError> {
        self.state().subscriptions.remove(&topic);
        Ok(())
    }

    async fn listen(&self) -> Result<mpsc::UnboundedReceiver<Publication>, BusError> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.state().listener = Some(tx);
        Ok(rx)
    }

    async fn push_read(
        &self,
        room: RoomId,
        site: SiteId,
        reader: &Participant,
        seq: i64,
    ) -> Result<(), BusError> {
        let (item, frame, topics) = read_receipt(room, site, reader, seq);
        let frame: Arc<str> = frame.into();
        let mut state = self.state();
        state.outbox.push(item);
        state.deliver(&topics, &frame);
        drop(state);
        self.outbox_ready.notify_waiters();
        Ok(())
    }

    async fn outbox_read(
        &self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let deadline = tokio::time::Instant::now() + block;
        loop {
            let waiter = self.outbox_ready.notified();
            {
                let mut state = self.state();
                let now = Instant::now();
                let mut taken = Vec::new();
                while taken.len() < count {
                    let Some((id, item)) = state.outbox.fresh.pop_front() else {
                        break;
                    };
                    state
                        .outbox
                        .pending
                        .insert(id, (item.clone(), consumer.to_owned(), now));
                    taken.push(OutboxEntry {
                        id: id.to_string(),
                        item,
                    });
                }
                if !taken.is_empty() {
                    return Ok(taken);
                }
            }
            if tokio::time::timeout_at(deadline, waiter).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn outbox_claim(
        &self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<OutboxEntry>, BusError> {
        let mut state = self.state();
        let now = Instant::now();
        let mut claimed = Vec::new();
        for (id, (item, owner, read_at)) in state.outbox.pending.iter_mut() {
            if claimed.len() >= count {
                break;
            }
            if now.duration_since(*read_at) >= min_idle {
                *owner = consumer.to_owned();
                *read_at = now;
                claimed.push(OutboxEntry {
                    id: id.to_string(),
                    item: item.clone(),
                });
            }
        }
        Ok(claimed)
    }

    async fn outbox_ack(&self, ids: &[String]) -> Result<(), BusError> {
        let mut state = self.state();
        for id in ids {
            if let Ok(id) = id.parse::<u64>() {
                state.outbox.pending.remove(&id);
            }
        }
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<u64, BusError> {
        Ok(self.state().outbox.len())
    }

    async fn presence_join(&self, key: &str, member: &str, ttl: Duration) -> Result<u64, BusError> {
        let mut state = self.state();
        state
            .presence
            .entry(key.to_owned())
            .or_default()
            .insert(member.to_owned(), Instant::now() + ttl);
        Ok(state.present(key))
    }

    async fn presence_leave(&self, key: &str, member: &str) -> Result<u64, BusError> {
        let mut state = self.state();
        if let Some(members) = state.presence.get_mut(key) {
            members.remove(member);
        }
        let left = state.present(key);
        if left == 0 {
            state.presence.remove(key);
        }
        Ok(left)
    }

    async fn presence_counts(&self, keys: &[String]) -> Result<Vec<u64>, BusError> {
        let mut state = self.state();
        Ok(keys.iter().map(|key| state.present(key)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lapsed_keys_are_swept_so_memory_follows_the_live_ones() {
        let mut keys = Lapsing::default();
        let now = Instant::now();
        for i in 0..10_000 {
            keys.keep(i, now, now);
        }
        assert!(keys.until.len() <= 1024, "{}", keys.until.len());
        let live = now + Duration::from_secs(60);
        assert!(keys.claim(-1, live, now));
        assert!(!keys.claim(-1, live, now));
        assert!(
            keys.claim(9_999, live, now),
            "a lapsed key is claimable again"
        );
    }
}
