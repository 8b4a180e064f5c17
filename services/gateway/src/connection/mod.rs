//! One socket, from handshake to close: first-frame authentication within the deadline,
//! joining the fan-out's topics, replaying what a resuming client missed, then a loop that
//! reads client frames, writes queued frames, answers orders (close) and keeps the
//! heartbeat.

mod access;
mod frames;
mod lifecycle;
mod read;
mod resume;
mod send;
mod typing;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{
    AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError, Session,
};
use pintalk_bus::Topic;
use pintalk_core::ErrorCode;
use pintalk_core::ids::{RoomId, SiteId};
use pintalk_core::protocol::{ClientFrame, Participant, ResumeFrom, ServerFrame, close, limits};
use tokio::sync::mpsc;

use crate::Gateway;
use crate::bucket::TokenBucket;
use crate::fanout::{Control, Outgoing};
use crate::identity::{Identity, Refusal};

/// How long one frame may wait for a client to take it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// `GET /ws`: admits the socket (capacity, per-IP bound) and hands it to its own task.
pub async fn open(
    req: HttpRequest,
    body: web::Payload,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, actix_web::Error> {
    if gateway.is_stopping() {
        return Ok(HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "1"))
            .json(serde_json::json!({
                "error": ErrorCode::Unavailable,
                "message": "this gateway is restarting; connect to another",
            })));
    }
    let ip = gateway.client_ip(&req);
    let Some(slot) = gateway.admission.admit(&ip) else {
        return Ok(HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "5"))
            .json(serde_json::json!({
                "error": ErrorCode::TooManyRequests,
                "message": "too many sockets; try again shortly",
            })));
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let (response, socket, stream) = actix_ws::handle(&req, body)?;
    // The stream admits the larger `auth` frame; frames after it are held to
    // MAX_FRAME_BYTES as they arrive (`Connection::receive`).
    let stream = stream
        .max_frame_size(limits::MAX_AUTH_FRAME_BYTES)
        .aggregate_continuations()
        .max_continuation_size(limits::MAX_AUTH_FRAME_BYTES);
    let gateway = gateway.into_inner();
    actix_web::rt::spawn(async move {
        let _slot = slot;
        run(gateway, socket, stream, origin).await;
    });
    Ok(response)
}

/// How a socket's life ended, for the close frame.
struct Ending {
    code: u16,
    reason: &'static str,
}

impl Ending {
    fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason }
    }
}

fn close_reason(ending: Ending) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::Other(ending.code),
        description: Some(ending.reason.into()),
    })
}

fn protocol_ending(error: &ProtocolError) -> Ending {
    match error {
        ProtocolError::Overflow => Ending::new(close::TOO_BIG, "frame too big"),
        ProtocolError::Io(e) if e.to_string().contains("maximum continuation size") => {
            Ending::new(close::TOO_BIG, "frame too big")
        }
        _ => Ending::new(close::PROTOCOL, "protocol error"),
    }
}

async fn run(
    gateway: Arc<Gateway>,
    mut socket: Session,
    mut stream: AggregatedMessageStream,
    origin: Option<String>,
) {
    let (token, resume) = match first_frame(&mut socket, &mut stream).await {
        Ok(auth) => auth,
        Err(Some(ending)) => {
            let _ = socket.close(close_reason(ending)).await;
            return;
        }
        Err(None) => return,
    };
    let (identity, ticket) = match Identity::authenticate(
        gateway.verifier(),
        &token,
        origin.as_deref(),
        &gateway.dashboard_origin,
    ) {
        Ok(authenticated) => authenticated,
        Err(refusal) => {
            let _ = socket.text(refusal_frame(&refusal).to_text()).await;
            let _ = socket.close(close_reason(refusal_ending(&refusal))).await;
            return;
        }
    };
    let mut connection = Connection::new(gateway, socket, identity);
    let ending = connection.serve(ticket, resume, &mut stream).await;
    connection.finish(ending).await;
}

/// The `error` frame that tells a client why its `auth` was refused (logged here).
fn refusal_frame(refusal: &Refusal) -> ServerFrame {
    log::info!("socket refused: {}", refusal.reason);
    let retriable = refusal.code == ErrorCode::Unavailable;
    ServerFrame::error(refusal.code, "authentication failed", retriable)
}

fn refusal_ending(refusal: &Refusal) -> Ending {
    Ending::new(refusal.close_code(), "auth failed")
}

/// Waits (up to the deadline) for the `auth` frame; `Err(None)` means the client left.
async fn first_frame(
    socket: &mut Session,
    stream: &mut AggregatedMessageStream,
) -> Result<(String, std::collections::BTreeMap<RoomId, ResumeFrom>), Option<Ending>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(limits::AUTH_DEADLINE_SECS);
    loop {
        let next = tokio::time::timeout_at(deadline, stream.recv()).await;
        let message = match next {
            Err(_) => return Err(Some(Ending::new(close::AUTH_TIMEOUT, "auth timeout"))),
            Ok(None) | Ok(Some(Ok(AggregatedMessage::Close(_)))) => return Err(None),
            Ok(Some(Err(e))) => return Err(Some(protocol_ending(&e))),
            Ok(Some(Ok(message))) => message,
        };
        let text = match message {
            AggregatedMessage::Ping(bytes) => {
                let _ = socket.pong(&bytes).await;
                continue;
            }
            AggregatedMessage::Pong(_) => continue,
            AggregatedMessage::Text(text) => text,
            AggregatedMessage::Binary(_) | AggregatedMessage::Close(_) => {
                return Err(Some(Ending::new(close::PROTOCOL, "expected auth")));
            }
        };
        if text.len() > limits::MAX_AUTH_FRAME_BYTES {
            return Err(Some(Ending::new(close::TOO_BIG, "auth frame too big")));
        }
        return match serde_json::from_str::<ClientFrame>(&text) {
            Ok(ClientFrame::Auth { token, resume }) if resume.len() <= limits::MAX_RESUME_ROOMS => {
                Ok((token, resume))
            }
            _ => {
                let frame =
                    ServerFrame::error(ErrorCode::BadFrame, "the first frame must be auth", false);
                let _ = socket.text(frame.to_text()).await;
                Err(Some(Ending::new(close::PROTOCOL, "expected auth")))
            }
        };
    }
}

/// An authenticated socket.
struct Connection {
    /// What every socket of this process shares: bus, fan-out, presence, limits.
    gateway: Arc<Gateway>,
    /// The WebSocket itself (actix-ws's handle): where frames are written.
    socket: Session,
    /// Who the ticket says this is, and what it may see.
    identity: Identity,
    /// How this socket appears as the sender of its messages and events.
    me: Participant,
    /// This socket's id on this gateway.
    id: u64,
    /// Unique across gateways: its presence member name.
    member: String,
    /// Publications waiting to be written, bounded (`gateway.queue_frames`).
    queue: (mpsc::Sender<Arc<Outgoing>>, mpsc::Receiver<Arc<Outgoing>>),
    /// Orders from outside the task (close), unbounded so they are never dropped.
    control: (
        mpsc::UnboundedSender<Control>,
        mpsc::UnboundedReceiver<Control>,
    ),
    /// What it listens to: its room, or its sites and its session's control topic.
    topics: Vec<Topic>,
    /// Rooms an owner acted in, with their site (looked up in the bus once).
    room_sites: HashMap<RoomId, SiteId>,
    /// For resumed rooms: the last seq written, so live frames that overlap the replay
    /// are not sent twice.
    sent: HashMap<RoomId, i64>,
    /// Frames per second allowed from the client, with a burst.
    bucket: TokenBucket,
    /// When the client last sent anything (a pong counts): silence closes with 4009.
    last_heard: Instant,
    /// Whether its presence was announced, so that leaving is announced only then (a
    /// socket whose ticket is refused never arrived).
    arrived: bool,
}
