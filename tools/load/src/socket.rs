//! One client WebSocket, opened the way each system expects, with small buffers so that
//! thousands of them fit in the load tool.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::system::{Event, System};

/// How long opening and joining may take before the tool calls it a failure.
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);

/// Loopback addresses the tool connects from, in turn, so that tens of thousands of
/// sockets never run out of ephemeral ports to one server port.
const SOURCE_ADDRESSES: u8 = 16;

/// What a socket joins: PinTalk's auth token (with an optional resume point), or a
/// peer's room name.
pub enum Join<'a> {
    Pintalk {
        token: &'a str,
        room: &'a str,
        resume_from: Option<u64>,
    },
    Peer {
        room: &'a str,
    },
}

pub struct Socket {
    ws: WebSocketStream<TcpStream>,
    pub system: System,
}

impl Socket {
    /// Connects (from the `n`-th source address), sends `Origin`, and joins: PinTalk's
    /// first-frame auth until `ready`, Socket.IO's namespace connect, then the peer's join.
    pub async fn open(
        system: System,
        url: &str,
        origin: &str,
        n: usize,
        join: Join<'_>,
    ) -> Result<Socket> {
        tokio::time::timeout(OPEN_TIMEOUT, Self::open_inner(system, url, origin, n, join))
            .await
            .map_err(|_| anyhow!("opening a socket to {url} timed out"))?
    }

    async fn open_inner(
        system: System,
        url: &str,
        origin: &str,
        n: usize,
        join: Join<'_>,
    ) -> Result<Socket> {
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin)?);
        let host = request.uri().host().context("URL without a host")?;
        let port = request.uri().port_u16().unwrap_or(80);
        let server: SocketAddr = format!("{host}:{port}")
            .parse()
            .context("the tool takes IP addresses")?;
        let stream = connect_from(server, n).await?;
        // Small buffers: the tool holds tens of thousands of sockets, each mostly idle.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0)
            .max_write_buffer_size(1 << 20);
        let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
            .await
            .with_context(|| format!("WebSocket handshake with {url}"))?;
        let mut socket = Socket { ws, system };
        socket.join(join).await?;
        Ok(socket)
    }

    async fn join(&mut self, join: Join<'_>) -> Result<()> {
        match join {
            Join::Pintalk {
                token,
                room,
                resume_from,
            } => {
                let resume = resume_from
                    .map(|seq| format!(r#","resume":{{"{room}":{seq}}}"#))
                    .unwrap_or_default();
                self.send(format!(r#"{{"type":"auth","token":"{token}"{resume}}}"#))
                    .await?;
                self.until(|e| matches!(e, Event::Ready)).await
            }
            Join::Peer { room } => {
                if self.system == System::Socketio {
                    self.until(|e| matches!(e, Event::Open)).await?;
                    self.send("40".into()).await?;
                    // Events emitted before the server's `40` are dropped silently.
                    self.until(|e| matches!(e, Event::Ready)).await?;
                }
                if let Some(frame) = self.system.join_frame(room) {
                    self.send(frame).await?;
                }
                Ok(())
            }
        }
    }

    /// Reads frames until one satisfies `wanted`; an error frame or a close fails.
    async fn until(&mut self, wanted: impl Fn(&Event<'_>) -> bool) -> Result<()> {
        loop {
            let text = self.next_text().await?.context("closed while joining")?;
            let event = self.system.decode(&text);
            if wanted(&event) {
                return Ok(());
            }
            if let Event::Error(code) = event {
                bail!("refused while joining: {code}");
            }
        }
    }

    pub async fn send(&mut self, text: String) -> Result<()> {
        self.ws.send(Message::text(text)).await?;
        Ok(())
    }

    /// The next text frame; `None` when the socket closed. Answers Socket.IO's pings on
    /// the way (WebSocket pings are answered by tungstenite itself).
    pub async fn next_text(&mut self) -> Result<Option<String>> {
        while let Some(message) = self.ws.next().await {
            match message? {
                Message::Text(text) => {
                    if self.system == System::Socketio && text.as_str() == "2" {
                        self.send("3".into()).await?;
                        continue;
                    }
                    return Ok(Some(text.as_str().to_owned()));
                }
                Message::Close(_) => return Ok(None),
                _ => {}
            }
        }
        Ok(None)
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

async fn connect_from(server: SocketAddr, n: usize) -> Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    if server.ip().is_loopback() {
        let last = 1 + (n % usize::from(SOURCE_ADDRESSES)) as u8;
        socket.bind(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)),
            0,
        ))?;
    }
    let stream = socket
        .connect(server)
        .await
        .with_context(|| format!("connecting to {server}"))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}
