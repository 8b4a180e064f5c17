//! What an authenticated socket's client frames do: each is parsed, rate-limited, and
//! handed to its handler (`send.rs`, `typing.rs`, `read.rs`); `ping` and a second `auth`
//! are answered here.

use pintalk_core::ErrorCode;
use pintalk_core::protocol::{ClientFrame, ServerFrame};

use super::{Connection, Ending};

impl Connection {
    /// Handles one text frame from the client.
    pub(super) async fn handle(&mut self, text: &str) -> Result<(), Ending> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(e) => {
                return self
                    .write_frame(&ServerFrame::error(
                        ErrorCode::BadFrame,
                        e.to_string(),
                        false,
                    ))
                    .await;
            }
        };
        if !self.bucket.take() {
            let mut error = ServerFrame::error(ErrorCode::RateLimited, "slow down", true);
            if let (ServerFrame::Error { cid, .. }, ClientFrame::Send { cid: sent, .. }) =
                (&mut error, &frame)
            {
                *cid = Some(sent.clone());
            }
            return self.write_frame(&error).await;
        }
        match frame {
            ClientFrame::Auth { .. } => {
                self.write_frame(&ServerFrame::error(
                    ErrorCode::AlreadyAuthenticated,
                    "already authenticated",
                    false,
                ))
                .await
            }
            ClientFrame::Ping {} => self.write_frame(&ServerFrame::Pong).await,
            ClientFrame::Send {
                room,
                body,
                cid,
                note,
            } => {
                let answer = self.send(room, body, cid, note).await;
                self.write_frame(&answer).await
            }
            ClientFrame::Typing { room, active, note } => self.typing(room, active, note).await,
            ClientFrame::Read { room, seq } => self.read(room, seq).await,
        }
    }
}
