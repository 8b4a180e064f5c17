//! The in-process store: right for one process (the all-in-one binary), and the
//! reference the Redis store must behave like. Everything sits behind one mutex; every
//! operation is a few map lookups. One file per capability.

mod counters;
mod fanout;
mod log;
mod outbox;
mod presence;
mod tickets;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use pintalk_core::ids::{RoomId, SessionId, SiteId};
use pintalk_core::protocol::Message;
use tokio::sync::{Notify, mpsc};

use crate::Counter;
use crate::fanout::{Publication, Topic};
use crate::outbox::OutboxItem;

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
    /// Rooms forgotten lately, until they may be seeded again (see `Log::forget`).
    forgotten: HashMap<RoomId, Instant>,
    /// key → member → expiry.
    presence: HashMap<String, HashMap<String, Instant>>,
    subscriptions: HashSet<Topic>,
    listener: Option<mpsc::UnboundedSender<Publication>>,
    /// Tickets that opened a socket, until they expire.
    used_tickets: Lapsing<String>,
    /// Sessions that ended, while their tickets could still be presented.
    revoked_sessions: Lapsing<SessionId>,
    /// When each revoked session was revoked (unix ms): its tickets issued since pass.
    revoked_at: HashMap<SessionId, i64>,
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
    /// Unpersisted entries per shard: the backlog is bounded per shard, as in Redis.
    per_shard: [u64; crate::outbox::SHARDS as usize],
}

impl Outbox {
    fn push(&mut self, item: OutboxItem) {
        self.next_id += 1;
        self.per_shard[crate::outbox::shard(item.room()) as usize] += 1;
        self.fresh.push_back((self.next_id, item));
    }

    /// An entry persisted: it leaves its shard's backlog.
    fn acknowledged(&mut self, id: u64) {
        if let Some((item, ..)) = self.pending.remove(&id) {
            let count = &mut self.per_shard[crate::outbox::shard(item.room()) as usize];
            *count = count.saturating_sub(1);
        }
    }

    fn len(&self) -> u64 {
        (self.fresh.len() + self.pending.len()) as u64
    }

    /// Unpersisted entries of `room`'s shard.
    fn shard_len(&self, room: RoomId) -> u64 {
        self.per_shard[crate::outbox::shard(room) as usize]
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
