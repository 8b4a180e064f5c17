//! The memory store's message log.

use std::sync::Arc;

use async_trait::async_trait;
use pintalk_core::clock::now_ms;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::Message;

use super::MemoryBus;
use crate::BusError;
use crate::log::{
    Appended, Draft, FORGOTTEN_FOR, Log, RECENT_WINDOW, Recent, SentCid, cid_key, contiguous_after,
    frame_halves, frame_text,
};
use crate::outbox::OutboxItem;

#[async_trait]
impl Log for MemoryBus {
    async fn append(&self, draft: &Draft, max_backlog: u64) -> Result<Appended, BusError> {
        let mut state = self.state();
        let backlog = state.outbox.shard_len(draft.room);
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
        if max_backlog > 0 && backlog >= crate::outbox::shard_backlog(max_backlog) {
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
            note: draft.note,
        };
        room.window.insert(seq, (message.clone(), frame.clone()));
        while room.window.len() > RECENT_WINDOW {
            room.window.pop_first();
        }
        room.remember(key, seq, ts);
        state.outbox.push(OutboxItem::Message(message));
        state.deliver(&draft.topics(), &frame);
        drop(state);
        self.outbox_ready.notify_waiters();
        Ok(Appended::Stored { seq, ts, epoch })
    }

    async fn forget(&self, room: RoomId, persisted_seq: i64) -> Result<bool, BusError> {
        let mut state = self.state();
        if state
            .rooms
            .get(&room)
            .and_then(|r| r.seq)
            .is_some_and(|seq| seq > persisted_seq)
        {
            return Ok(false);
        }
        state.rooms.remove(&room);
        state
            .forgotten
            .insert(room, std::time::Instant::now() + FORGOTTEN_FOR);
        Ok(true)
    }

    async fn seed(
        &self,
        room: RoomId,
        site: SiteId,
        last_seq: i64,
        cids: &[SentCid],
    ) -> Result<i64, BusError> {
        let mut state = self.state();
        let now = std::time::Instant::now();
        state.forgotten.retain(|_, until| *until > now);
        if state.forgotten.contains_key(&room) {
            return Err(BusError::Forgotten(room));
        }
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
}
