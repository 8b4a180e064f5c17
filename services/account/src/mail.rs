//! Outgoing mail: through SMTP when `mail.smtp_url` is set, otherwise written to
//! `data_dir/mail/*.txt` and logged, so a self-hoster without SMTP can still verify and
//! reset by opening the file.

use pintalk_core::domain::Role;
use std::path::PathBuf;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::{Message, SmtpTransport, Transport};
use pintalk_core::clock::now_ms;
use pintalk_core::settings::Settings;
use secrecy::ExposeSecret;

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: SmtpTransport,
        from: Mailbox,
    },
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

/// One mail to send.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// For mails an owner can turn off: the one-click unsubscribe URL (RFC 8058), sent as
    /// `List-Unsubscribe` with `List-Unsubscribe-Post`.
    pub unsubscribe: Option<String>,
    /// Where a reply to the mail goes (a reply address of the inbound listener).
    pub reply_to: Option<String>,
}

/// `List-Unsubscribe: <url>`.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: a POST to the URL unsubscribes,
/// so a mail client can offer it without opening a page.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .mail
            .from
            .parse()
            .context("mail.from is not an address")?;
        let url = settings.mail.smtp_url.expose_secret();
        if url.is_empty() {
            return Ok(Mailer::Files {
                dir: settings.data_dir.join("mail"),
                from,
            });
        }
        // lettre's URL form: smtp://host:port (plain), smtp://user:pass@host:587?tls=required
        // (STARTTLS), smtps://user:pass@host:465 (TLS).
        let transport = SmtpTransport::from_url(url)
            .context("mail.smtp_url is not a valid SMTP URL")?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Mailer::Smtp { transport, from })
    }

    /// Sends `mail` off the async executor; failures are returned for the caller to log.
    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let mailer = self.clone();
        actix_web::web::block(move || mailer.send_blocking(mail)).await?
    }

    fn send_blocking(&self, mail: Mail) -> anyhow::Result<()> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Files { from, .. } => from.clone(),
        };
        let mut builder = Message::builder()
            .from(from)
            .to(mail.to.parse().context("recipient is not an address")?)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN);
        if let Some(reply_to) = &mail.reply_to {
            builder = builder.reply_to(reply_to.parse().context("reply address")?);
        }
        if let Some(url) = &mail.unsubscribe {
            builder = builder
                .header(ListUnsubscribe(url.clone()))
                .header(ListUnsubscribePost);
        }
        let message = builder
            .body(mail.body.clone())
            .context("building the message")?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(&message).context("SMTP delivery")?;
                log::info!("mail sent: {:?}", mail.subject);
            }
            Mailer::Files { dir, .. } => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {dir:?}"))?;
                // Plain text, not the MIME-encoded message: quoted-printable would split
                // and escape the links a self-hoster needs to copy out of this file.
                let path = dir.join(format!("{}-{}.txt", now_ms(), sanitize(&mail.to)));
                let unsubscribe = mail
                    .unsubscribe
                    .as_ref()
                    .map(|url| format!("List-Unsubscribe: <{url}>\n"))
                    .unwrap_or_default();
                let reply_to = mail
                    .reply_to
                    .as_ref()
                    .map(|to| format!("Reply-To: {to}\n"))
                    .unwrap_or_default();
                let text = format!(
                    "To: {}\nSubject: {}\n{reply_to}{unsubscribe}\n{}",
                    mail.to, mail.subject, mail.body
                );
                std::fs::write(&path, text).with_context(|| format!("writing {path:?}"))?;
                log::info!(
                    "mail (no SMTP configured) {:?} written to {}",
                    mail.subject,
                    path.display()
                );
            }
        }
        Ok(())
    }
}

fn sanitize(address: &str) -> String {
    address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The mail with the link that verifies an owner's address.
pub fn verify_email(to: &str, name: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Verify your email for PinTalk".into(),
        body: format!(
            "Hi {name},\n\nWelcome to PinTalk. Open this link to verify your email address; \
             your sites' chat widgets go live once you have:\n\n{link}\n\n\
             If you did not sign up, ignore this mail.\n"
        ),
        unsubscribe: None,
        reply_to: None,
    }
}

/// The mail that invites someone to a workspace, with its single-use link.
pub fn invitation(to: &str, inviter: &str, workspace: &str, role: Role, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "You are invited to a team on PinTalk".into(),
        body: format!(
            "{inviter} invites you to answer chats with the team \"{workspace}\" on \
             PinTalk, as {role}. Open this link within 7 days to join (sign up first if you \
             have no account; the link works once):\n\n{link}\n\n\
             If you do not know why you got this, ignore it.\n"
        ),
        unsubscribe: None,
        reply_to: None,
    }
}

/// The mail with a single-use password reset link.
pub fn reset_password(to: &str, link: &str, valid_mins: u64) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Reset your PinTalk password".into(),
        body: format!(
            "Someone (hopefully you) asked to reset your PinTalk password. This link works \
             once, for {valid_mins} minutes:\n\n{link}\n\n\
             If it was not you, ignore this mail; your password stays as it is.\n"
        ),
        unsubscribe: None,
        reply_to: None,
    }
}

/// The notice that the password was changed.
pub fn password_changed(to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Your PinTalk password was changed".into(),
        body: "Your PinTalk password was just changed and every session was signed out.\n\n\
               If this was not you, reset your password at once.\n"
            .into(),
        unsubscribe: None,
        reply_to: None,
    }
}

/// The mail to an address an owner wants to move their account to: the account moves
/// only when this link is followed.
pub fn confirm_new_email(to: &str, name: &str, link: &str, valid_hours: u64) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Confirm your new email for PinTalk".into(),
        body: format!(
            "Hi {name},\n\nYou asked to use this address for your PinTalk account. Open this \
             link to confirm it; it works once, for {valid_hours} hours:\n\n{link}\n\n\
             Until then your account keeps its current address. If you did not ask for \
             this, ignore this mail.\n"
        ),
        unsubscribe: None,
        reply_to: None,
    }
}

/// The notice to the address an account just moved away from.
pub fn email_changed(old: &str, new: &str) -> Mail {
    Mail {
        to: old.to_owned(),
        subject: "Your PinTalk email was changed".into(),
        body: format!(
            "The email of your PinTalk account was just changed from {old} to {new}. \
             Mail about your account now goes there.\n\n\
             If this was not you, someone who knows your password did it: tell whoever \
             runs this PinTalk at once.\n"
        ),
        unsubscribe: None,
        reply_to: None,
    }
}

/// Sends in the background, so the response's timing never depends on the mail server
/// (and cannot tell whether an account exists); failures are logged.
pub fn send_later(mailer: &Mailer, mail: Mail) {
    let mailer = mailer.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = mailer.send(mail).await {
            log::error!("mail not sent: {e:#}");
        }
    });
}
