//! `typing`: published to the room and its site, stored nowhere.

use pintalk_bus::Topic;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::ServerFrame;

use super::{Connection, Ending};

impl Connection {
    /// The sender is (or stopped) typing in `room`.
    pub(super) async fn typing(&mut self, room: RoomId, active: bool) -> Result<(), Ending> {
        let site = match self.site_of(room).await {
            Ok(site) => site,
            Err(no) => return self.write_frame(&no.frame(room, None)).await,
        };
        let frame = ServerFrame::Typing {
            room,
            sender: self.me.clone(),
            active,
        };
        if self
            .gateway
            .bus
            .publish(
                &[Topic::Room(room), Topic::Site(site)],
                frame.to_text().into(),
            )
            .await
            .is_err()
        {
            self.gateway.metrics.bus_errors.inc();
        }
        Ok(())
    }
}
