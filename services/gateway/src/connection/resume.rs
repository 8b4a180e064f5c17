//! After `auth`: `ready`, a visitor's view of owner presence, then each resumed room's gap
//! — replayed from the window, or a `resync` (see docs/protocol.md, Resume and Epochs).

use pintalk_bus::Recent;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::{ResumeFrom, ServerFrame, VERSION, limits};

use super::access::{NoAccess, room_not_granted};
use super::{Connection, Ending};
use crate::identity::Identity;

impl Connection {
    /// `ready`, the visitor's view of owner presence, then each resumed room's gap.
    pub(super) async fn greet(
        &mut self,
        resume: std::collections::BTreeMap<RoomId, ResumeFrom>,
    ) -> Result<(), Ending> {
        let (sites, rooms) = match &self.identity {
            Identity::Owner { sites, .. } => (sites.clone(), Vec::new()),
            Identity::Visitor { room, .. } => (Vec::new(), vec![*room]),
        };
        self.write_frame(&ServerFrame::Ready {
            protocol: VERSION,
            you: self.me.clone(),
            sites,
            rooms,
            heartbeat_secs: self.gateway.heartbeat().as_secs(),
            max_body_chars: limits::MAX_BODY_CHARS,
        })
        .await?;
        if let Identity::Visitor { site, .. } = self.identity {
            let online = self
                .gateway
                .presence
                .owner_online(site)
                .await
                .unwrap_or(false);
            let frame = ServerFrame::Presence {
                site,
                room: None,
                kind: pintalk_core::protocol::ParticipantKind::Owner,
                online,
            };
            self.write_frame(&frame).await?;
        }
        for (room, from) in resume {
            self.resume(room, from).await?;
        }
        Ok(())
    }

    /// Replays one resumed room's gap, or tells the client to fetch it (`resync`). A
    /// client whose seqs belong to another epoch than the room's current one drops them
    /// all (`after_seq` 0): seqs above the new epoch's start may name other messages now.
    async fn resume(&mut self, room: RoomId, from: ResumeFrom) -> Result<(), Ending> {
        let after = from.seq();
        let resync = |after_seq, epoch| ServerFrame::Resync {
            room,
            after_seq,
            epoch,
        };
        match self.site_of(room).await {
            Ok(_) => {}
            Err(NoAccess::NotGranted) => {
                return self.write_frame(&room_not_granted(room, None)).await;
            }
            // Not seeded: its next epoch is a new one, so nothing the client holds above
            // what SQL has can be trusted; it fetches over HTTP, which checks access.
            Err(NoAccess::Unknown) => return self.write_frame(&resync(0, None)).await,
        }
        match self.gateway.bus.recent(room, after).await {
            Ok(recent)
                if from
                    .epoch()
                    .is_some_and(|held| Some(held) != recent.epoch()) =>
            {
                self.write_frame(&resync(0, recent.epoch())).await
            }
            Ok(Recent::Complete { messages, .. }) => {
                let visitor = matches!(self.identity, Identity::Visitor { .. });
                let mut last = after;
                for message in messages {
                    last = message.seq;
                    // The window holds the room's notes too; a visitor never gets one.
                    if visitor && message.note {
                        continue;
                    }
                    self.write_frame(&ServerFrame::Message(message)).await?;
                }
                self.sent.insert(room, last);
                Ok(())
            }
            Ok(Recent::Gap { epoch }) => self.write_frame(&resync(after, Some(epoch))).await,
            Ok(Recent::NotSeeded) => {
                if self.gateway.bus.request_seed(room).await.is_err() {
                    self.gateway.metrics.bus_errors.inc();
                }
                self.write_frame(&resync(0, None)).await
            }
            Err(e) => {
                log::warn!("resume of {room}: {e}");
                self.gateway.metrics.bus_errors.inc();
                self.write_frame(&resync(after, None)).await
            }
        }
    }
}
