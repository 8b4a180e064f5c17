//! `read`: a read cursor, queued for SQL and told to the room and its site.

use pintalk_core::ErrorCode;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::ServerFrame;

use super::{Connection, Ending};

impl Connection {
    /// Everything up to `seq` in `room` has been read.
    pub(super) async fn read(&mut self, room: RoomId, seq: i64) -> Result<(), Ending> {
        let site = match self.site_of(room).await {
            Ok(site) => site,
            Err(no) => return self.write_frame(&no.frame(room, None)).await,
        };
        if seq < 1 {
            return self
                .write_frame(&ServerFrame::error(
                    ErrorCode::BadFrame,
                    "seq must be positive",
                    false,
                ))
                .await;
        }
        if self
            .gateway
            .bus
            .mark_read(room, site, &self.me, seq)
            .await
            .is_err()
        {
            self.gateway.metrics.bus_errors.inc();
            return self
                .write_frame(&ServerFrame::error(
                    ErrorCode::Unavailable,
                    "try again",
                    true,
                ))
                .await;
        }
        Ok(())
    }
}
