//! Replies by email: a small SMTP listener (`mail.inbound_listen`, off by default) for the
//! `reply+<token>@<mail.inbound_domain>` addresses of PinTalk's mails. An operator points
//! an MX record or a relay at it. It refuses unknown recipients at `RCPT`, and appends the
//! reply's new text to the conversation through the same bus append as a socket send, with
//! the `Message-ID` as its cid — a mail delivered twice is stored once.
//!
//! What it does not check: SPF, DKIM or DMARC. The reply address itself is the credential
//! (an HMAC, see [`token`]); whoever holds a mail holds its address.

mod append;
mod text;
pub mod token;

use std::time::Duration;

use actix_web::web;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::background::Worker;
use crate::limits::within;
use crate::state::AppState;
use token::{BadToken, ReplyTo, ReplyTokens};

/// The longest command line (RFC 5321 allows 512 octets; some clients send more).
const MAX_LINE: usize = 2048;
/// A client silent this long is hung up on.
const IDLE: Duration = Duration::from_secs(60);
/// Mails accepted per client IP and per reply address in an hour.
const PER_IP_HOUR: u32 = 120;
const PER_ADDRESS_HOUR: u32 = 30;
/// Connections served at once; more wait in the kernel's backlog.
const MAX_SESSIONS: usize = 64;

/// Binds `mail.inbound_listen` and serves it until stopped; `None` when it is not set.
pub fn start(state: &web::Data<AppState>) -> anyhow::Result<Option<Worker>> {
    let address = state.settings.mail.inbound_listen.trim();
    if address.is_empty() {
        return Ok(None);
    }
    let listener = std::net::TcpListener::bind(address)
        .map_err(|e| anyhow::anyhow!("mail.inbound_listen {address}: {e}"))?;
    listener.set_nonblocking(true)?;
    log::info!("inbound mail: listening on {address}");
    let state = state.clone();
    Ok(Some(Worker::spawn("inbound mail", move |stop| {
        serve(state, listener, stop)
    })))
}

async fn serve(
    state: web::Data<AppState>,
    listener: std::net::TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        log::error!("inbound mail: the listener could not join the runtime");
        return;
    };
    let sessions = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_SESSIONS));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopping| *stopping) => return,
        };
        let Ok((socket, peer)) = accepted else {
            continue;
        };
        let Ok(permit) = sessions.clone().acquire_owned().await else {
            return;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let (read, write) = socket.into_split();
            if let Err(e) = Session::new(&state, peer.ip().to_string(), read, write)
                .run()
                .await
            {
                log::debug!("inbound mail from {peer}: {e}");
            }
            drop(permit);
        });
    }
}

/// One SMTP conversation.
struct Session<'a, R, W> {
    state: &'a AppState,
    tokens: ReplyTokens,
    ip: String,
    read: BufReader<R>,
    write: W,
    /// The accepted recipient of the mail in progress.
    to: Option<(String, ReplyTo)>,
}

impl<'a, R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Session<'a, R, W> {
    fn new(state: &'a AppState, ip: String, read: R, write: W) -> Self {
        Self {
            state,
            tokens: ReplyTokens::new(&state.signer, state.clock.clone()),
            ip,
            read: BufReader::new(read),
            write,
            to: None,
        }
    }

    async fn run(mut self) -> anyhow::Result<()> {
        let domain = self.state.settings.mail.inbound_domain.clone();
        self.say(&format!("220 {domain} PinTalk ESMTP")).await?;
        loop {
            let Some(line) = self.line(MAX_LINE).await? else {
                return Ok(());
            };
            let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            let reply = match verb.as_str() {
                "EHLO" => format!(
                    "250-{domain}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250 SMTPUTF8",
                    self.state.settings.mail.inbound_max_bytes
                ),
                "HELO" => format!("250 {domain}"),
                "MAIL" => {
                    self.to = None;
                    "250 2.1.0 OK".into()
                }
                "RCPT" => self.recipient(&line).await,
                "DATA" if self.to.is_none() => "503 5.5.1 no valid recipient yet".into(),
                "DATA" => {
                    self.say("354 end with <CRLF>.<CRLF>").await?;
                    self.data().await?
                }
                "RSET" => {
                    self.to = None;
                    "250 2.0.0 OK".into()
                }
                "NOOP" => "250 2.0.0 OK".into(),
                "QUIT" => {
                    self.say("221 2.0.0 bye").await?;
                    return Ok(());
                }
                _ => "502 5.5.2 command not implemented".into(),
            };
            self.say(&reply).await?;
        }
    }

    /// `RCPT TO:<reply+token@domain>`: only a reply address of this PinTalk, for a room
    /// that is open, and one per mail.
    async fn recipient(&mut self, line: &str) -> String {
        if self.to.is_some() {
            return "452 4.5.3 one recipient per mail".into();
        }
        let address = line
            .split_once(':')
            .map(|(_, rest)| rest.trim())
            .and_then(|rest| rest.strip_prefix('<'))
            .and_then(|rest| rest.split_once('>'))
            .map(|(address, _)| address.to_ascii_lowercase())
            .unwrap_or_default();
        let domain = self.state.settings.mail.inbound_domain.to_ascii_lowercase();
        let token = address
            .strip_suffix(&format!("@{domain}"))
            .and_then(|local| local.strip_prefix("reply+"));
        let Some(token) = token else {
            return "550 5.1.1 no such mailbox here".into();
        };
        match self.tokens.open(token) {
            Ok(to) => match append::still_open(self.state, to.room).await {
                Ok(true) => {
                    self.to = Some((token.to_owned(), to));
                    "250 2.1.5 OK".into()
                }
                Ok(false) => "550 5.7.1 this conversation is closed or gone".into(),
                Err(e) => {
                    log::warn!("inbound mail: {e:#}");
                    "451 4.3.0 try again later".into()
                }
            },
            Err(BadToken::Expired) => "550 5.7.1 this reply address has expired".into(),
            Err(BadToken::Forged) => "550 5.1.1 no such mailbox here".into(),
        }
    }

    /// Reads the mail up to `.` alone on a line, then appends it.
    async fn data(&mut self) -> anyhow::Result<String> {
        let max = self.state.settings.mail.inbound_max_bytes;
        let mut raw = Vec::new();
        let mut too_big = false;
        loop {
            let Some(line) = self.line(max.saturating_add(8)).await? else {
                anyhow::bail!("the client left in the middle of DATA");
            };
            if line == "." {
                break;
            }
            // Dot-stuffing (RFC 5321 §4.5.2).
            let line = line.strip_prefix('.').unwrap_or(&line);
            if raw.len() + line.len() + 2 > max {
                too_big = true;
                continue;
            }
            raw.extend_from_slice(line.as_bytes());
            raw.extend_from_slice(b"\r\n");
        }
        let Some((token, to)) = self.to.take() else {
            return Ok("503 5.5.1 no valid recipient".into());
        };
        if too_big {
            return Ok(format!("552 5.3.4 the mail is larger than {max} bytes"));
        }
        let counters = self.state.bus.as_ref();
        let allowed = within(
            counters,
            &format!("inbound:ip:{}", self.ip),
            PER_IP_HOUR,
            3600,
        )
        .await?
            && within(
                counters,
                &format!("inbound:to:{token}"),
                PER_ADDRESS_HOUR,
                3600,
            )
            .await?;
        if !allowed {
            return Ok("450 4.7.1 too many mails; try again later".into());
        }
        let reply = match text::reply_of(&raw) {
            Ok(reply) => reply,
            Err(unusable) => return Ok(unusable.to_string()),
        };
        Ok(append::append(self.state, to, reply).await)
    }

    /// One line without its CRLF, at most `max` bytes (longer lines are cut here and
    /// refused by the caller's bound); `None` at end of stream.
    async fn line(&mut self, max: usize) -> anyhow::Result<Option<String>> {
        let mut bytes = Vec::new();
        let read = tokio::time::timeout(IDLE, async {
            let mut limited = (&mut self.read).take(u64::try_from(max).unwrap_or(u64::MAX));
            limited.read_until(b'\n', &mut bytes).await
        })
        .await??;
        if read == 0 {
            return Ok(None);
        }
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    async fn say(&mut self, reply: &str) -> std::io::Result<()> {
        self.write.write_all(reply.as_bytes()).await?;
        self.write.write_all(b"\r\n").await?;
        self.write.flush().await
    }
}
