//! Where everything lives in Redis. Every key a script touches at once shares one hash
//! tag — `{<namespace>:o<shard>}` — so the layout works unchanged on Redis Cluster: a
//! room's counter, window, cids and its shard's outbox stream sit in one slot, and so
//! does the room's pub/sub channel, which the append script publishes to (on a cluster
//! with `SPUBLISH`, whose channel must be in the script's slot).

use pintalk_core::ids::{RoomId, SessionId, SiteId};

use crate::fanout::Topic;

pub use crate::outbox::SHARDS;

#[derive(Clone, Debug)]
pub struct Keys {
    ns: String,
}

impl Keys {
    pub fn new(namespace: &str) -> Self {
        Self {
            ns: namespace.to_owned(),
        }
    }

    /// The shard of a room (see [`crate::outbox::shard`]).
    pub fn shard(room: RoomId) -> u32 {
        crate::outbox::shard(room)
    }

    fn tag(&self, shard: u32) -> String {
        format!("{{{}:o{shard}}}", self.ns)
    }

    /// The room's seq counter; absent means "not seeded".
    pub fn seq(&self, room: RoomId) -> String {
        format!("{}:seq:{room}", self.tag(Self::shard(room)))
    }

    /// The site the room belongs to.
    pub fn site(&self, room: RoomId) -> String {
        format!("{}:site:{room}", self.tag(Self::shard(room)))
    }

    /// The room's recent-history window: a sorted set of frames scored by seq.
    pub fn window(&self, room: RoomId) -> String {
        format!("{}:window:{room}", self.tag(Self::shard(room)))
    }

    /// The room's current epoch and the generation it was started in: "<epoch>:<gen>".
    pub fn epoch(&self, room: RoomId) -> String {
        format!("{}:epoch:{room}", self.tag(Self::shard(room)))
    }

    /// A shard's generation: goes up each time a restarted Redis is noticed.
    pub fn generation(&self, shard: u32) -> String {
        format!("{}:generation", self.tag(shard))
    }

    pub fn generation_of(&self, room: RoomId) -> String {
        self.generation(Self::shard(room))
    }

    /// The run id of the Redis process a shard's generation was recorded on.
    pub fn run_id(&self, shard: u32) -> String {
        format!("{}:run-id", self.tag(shard))
    }

    pub fn run_id_of(&self, room: RoomId) -> String {
        self.run_id(Self::shard(room))
    }

    /// Set while a forgotten room must not be seeded again (see `Log::forget`).
    pub fn forgotten(&self, room: RoomId) -> String {
        format!("{}:forgotten:{room}", self.tag(Self::shard(room)))
    }

    /// The room's (sender, cid) → "seq:ts" hash for de-duplication.
    pub fn cids(&self, room: RoomId) -> String {
        format!("{}:cids:{room}", self.tag(Self::shard(room)))
    }

    /// A shard's outbox stream.
    pub fn outbox(&self, shard: u32) -> String {
        format!("{}:outbox", self.tag(shard))
    }

    pub fn outbox_of(&self, room: RoomId) -> String {
        self.outbox(Self::shard(room))
    }

    pub fn all_outboxes(&self) -> Vec<String> {
        (0..SHARDS).map(|s| self.outbox(s)).collect()
    }

    pub fn channel(&self, topic: Topic) -> String {
        match topic {
            Topic::Room(room) => format!("{}:room:{room}", self.tag(Self::shard(room))),
            Topic::Site(site) => format!("{}:site:{site}", self.ns),
            Topic::SiteVisitors(site) => format!("{}:site-visitors:{site}", self.ns),
            Topic::Session(session) => format!("{}:session:{session}", self.ns),
        }
    }

    /// The topic a pub/sub channel name stands for.
    pub fn topic(&self, channel: &str) -> Option<Topic> {
        if let Some((_, id)) = channel.split_once("}:room:") {
            let topic = Topic::Room(id.parse::<RoomId>().ok()?);
            return (self.channel(topic) == channel).then_some(topic);
        }
        let rest = channel.strip_prefix(&self.ns)?.strip_prefix(':')?;
        if let Some(id) = rest.strip_prefix("site-visitors:") {
            return id.parse::<SiteId>().ok().map(Topic::SiteVisitors);
        }
        if let Some(id) = rest.strip_prefix("session:") {
            return id.parse::<SessionId>().ok().map(Topic::Session);
        }
        let id = rest.strip_prefix("site:")?;
        id.parse::<SiteId>().ok().map(Topic::Site)
    }

    pub fn seed_requests(&self) -> String {
        format!("{}:seed-requests", self.ns)
    }

    pub fn presence(&self, key: &str) -> String {
        format!("{}:presence:{key}", self.ns)
    }

    pub fn counter(&self, key: &str) -> String {
        format!("{}:counter:{key}", self.ns)
    }

    /// A session's hash tag: its revocation mark and its tickets' claims share a slot, so
    /// `auth` checks both in one atomic round trip.
    fn session_tag(&self, session: SessionId) -> String {
        format!("{{{}:s{session}}}", self.ns)
    }

    /// Present while tickets of this ended session could still be presented.
    pub fn revoked_session(&self, session: SessionId) -> String {
        format!("{}:revoked", self.session_tag(session))
    }

    /// Present once the ticket `jti` opened a socket, until it has expired.
    pub fn ticket(&self, jti: &str, session: Option<SessionId>) -> String {
        match session {
            Some(session) => format!("{}:ticket:{jti}", self.session_tag(session)),
            None => format!("{}:ticket:{jti}", self.ns),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rooms_keys_share_one_hash_tag_with_its_outbox() {
        let keys = Keys::new("pt");
        let room = RoomId::new();
        let tag = |k: String| k[..k.find('}').unwrap() + 1].to_owned();
        let outbox = tag(keys.outbox_of(room));
        for key in [
            keys.seq(room),
            keys.site(room),
            keys.window(room),
            keys.cids(room),
            keys.epoch(room),
            keys.generation_of(room),
            keys.channel(Topic::Room(room)),
        ] {
            assert_eq!(tag(key), outbox);
        }
    }

    #[test]
    fn channels_map_back_to_topics() {
        let keys = Keys::new("pt");
        for topic in [
            Topic::Site(SiteId::new()),
            Topic::Room(RoomId::new()),
            Topic::SiteVisitors(SiteId::new()),
            Topic::Session(SessionId::new()),
        ] {
            assert_eq!(keys.topic(&keys.channel(topic)), Some(topic));
        }
        assert_eq!(keys.topic("other:site:x"), None);
        let room = keys.channel(Topic::Room(RoomId::new()));
        assert_eq!(keys.topic(&room.replace("pt:", "other:")), None);
    }
}
