//! Which rooms a socket may act in: a visitor its own, an owner those of their sites (a
//! room's site is looked up in the bus once and remembered).

use pintalk_core::ErrorCode;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::ServerFrame;

use super::Connection;
use crate::identity::Identity;

/// How many rooms' sites an owner socket remembers.
const REMEMBERED_ROOMS: usize = 10_000;

impl Connection {
    /// The site of `room` if this socket may act in it. A room the bus does not know
    /// (Redis lost its data) is `Unknown`: the persister is asked to restore it from SQL.
    pub(super) async fn site_of(&mut self, room: RoomId) -> Result<SiteId, NoAccess> {
        if let Identity::Visitor {
            room: own, site, ..
        } = &self.identity
        {
            return if *own == room {
                Ok(*site)
            } else {
                Err(NoAccess::NotGranted)
            };
        }
        if let Some(site) = self.room_sites.get(&room) {
            return Ok(*site);
        }
        let site = match self.gateway.bus.room_site(room).await {
            Ok(Some(site)) => site,
            Ok(None) => {
                if self.gateway.bus.request_seed(room).await.is_err() {
                    self.gateway.metrics.bus_errors.inc();
                }
                return Err(NoAccess::Unknown);
            }
            Err(_) => {
                self.gateway.metrics.bus_errors.inc();
                return Err(NoAccess::Unknown);
            }
        };
        if !self.identity.covers_site(site) {
            return Err(NoAccess::NotGranted);
        }
        if self.room_sites.len() < REMEMBERED_ROOMS {
            self.room_sites.insert(room, site);
        }
        Ok(site)
    }
}

/// Why a socket may not act in a room.
pub(super) enum NoAccess {
    /// The room is not this socket's (or its site is not the owner's).
    NotGranted,
    /// The bus does not know the room right now; it is being restored. Retriable.
    Unknown,
}

impl NoAccess {
    pub(super) fn frame(&self, room: RoomId, cid: Option<String>) -> ServerFrame {
        match self {
            NoAccess::NotGranted => room_not_granted(room, cid),
            NoAccess::Unknown => ServerFrame::Error {
                code: ErrorCode::RoomNotReady,
                message: "the room is being restored; retry shortly".into(),
                cid,
                room: Some(room),
                retriable: true,
            },
        }
    }
}

pub(super) fn room_not_granted(room: RoomId, cid: Option<String>) -> ServerFrame {
    ServerFrame::Error {
        code: ErrorCode::RoomNotGranted,
        message: "this socket may not act in that room".into(),
        cid,
        room: Some(room),
        retriable: false,
    }
}
