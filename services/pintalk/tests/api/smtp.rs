//! A tiny real SMTP server for tests: accepts every mail and keeps it, so the service's
//! real SMTP client (lettre) is exercised end to end.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::eventually::eventually;

/// The port a mail box listens on, and its accept loop, while it is up.
type Listening = Option<(u16, tokio::task::JoinHandle<()>)>;

/// The mails received so far, as raw RFC 5322 text.
#[derive(Clone, Default)]
pub struct MailBox {
    mails: Arc<Mutex<Vec<String>>>,
    listening: Arc<Mutex<Listening>>,
}

impl MailBox {
    /// Starts listening on a free port; returns the box and the port.
    pub async fn start() -> (Self, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mailbox = MailBox::default();
        mailbox.serve(listener, port);
        (mailbox, port)
    }

    fn serve(&self, listener: TcpListener, port: u16) {
        let mails = self.mails.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let mails = mails.clone();
                tokio::spawn(async move {
                    let _ = session(socket, mails).await;
                });
            }
        });
        *self.listening.lock().unwrap() = Some((port, accepting));
    }

    /// The mail server goes down: its port refuses connections until [`MailBox::up`].
    pub async fn down(&self) -> u16 {
        let (port, accepting) = self.listening.lock().unwrap().take().expect("it was up");
        accepting.abort();
        let _ = accepting.await;
        port
    }

    /// The mail server is back, on the same port.
    pub async fn up(&self, port: u16) {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        self.serve(listener, port);
    }

    /// Every mail so far sent to `to`.
    pub fn sent_to(&self, to: &str) -> Vec<String> {
        let needle = format!("To: {to}");
        self.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.contains(&needle))
            .cloned()
            .collect()
    }

    /// Waits (up to 10 s) for the `n`-th mail to `to` whose text contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str, n: usize) -> String {
        eventually(
            Duration::from_secs(10),
            &format!("mail #{n} to {to} about {subject:?}"),
            async || {
                self.sent_to(to)
                    .into_iter()
                    .filter(|m| m.contains(subject))
                    .nth(n - 1)
            },
        )
        .await
    }
}

/// The token in a mail's link (`...#token=XYZ`).
pub fn link_token(mail: &str) -> String {
    let start = mail.find("token=").expect("a link with a token") + "token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Undoes quoted-printable (soft line breaks and `=XX` escapes), as a mail client would,
/// so tests read links as the recipient sees them. Headers pass through unchanged.
fn decode_quoted_printable(mail: &str) -> String {
    let joined = mail.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn session(
    socket: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 localhost test SMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                write
                    .write_all(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut mail = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    mail.push_str(line.strip_prefix('.').unwrap_or(&line));
                    mail.push('\n');
                }
                mails.lock().unwrap().push(decode_quoted_printable(&mail));
                write.write_all(b"250 queued\r\n").await?;
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
    Ok(())
}
