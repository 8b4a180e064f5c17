//! `typing`: published to the room and its site, stored nowhere; typing a note only to
//! the site (members), never to the visitor's room.

use pintalk_bus::Topic;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::ServerFrame;

use super::{Connection, Ending};

impl Connection {
    /// The sender is (or stopped) typing in `room` (a note, when `note`).
    pub(super) async fn typing(
        &mut self,
        room: RoomId,
        active: bool,
        note: bool,
    ) -> Result<(), Ending> {
        if note && let Some(refusal) = self.refuse_note(room, None) {
            return self.write_frame(&refusal).await;
        }
        let site = match self.site_of(room).await {
            Ok(site) => site,
            Err(no) => return self.write_frame(&no.frame(room, None)).await,
        };
        let frame = ServerFrame::Typing {
            room,
            sender: self.me.clone(),
            active,
            note,
        };
        let topics: &[Topic] = if note {
            &[Topic::Site(site)]
        } else {
            &[Topic::Room(room), Topic::Site(site)]
        };
        if self
            .gateway
            .bus
            .publish(topics, frame.to_text().into())
            .await
            .is_err()
        {
            self.gateway.metrics.bus_errors.inc();
        }
        Ok(())
    }
}
