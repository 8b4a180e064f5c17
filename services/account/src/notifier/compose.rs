//! The unread-conversation mail: plain text, the visitor's words quoted as they wrote
//! them (control characters replaced), a link straight to each conversation, and the
//! one-click unsubscribe link (RFC 8058).

use std::fmt::Write;
use std::time::Duration;

use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{OwnerId, RoomId};
use pintalk_core::protocol::ParticipantKind;
use pintalk_core::settings::Settings;
use pintalk_core::token::UnsubscribeGrant;
use pintalk_db::models::Owner;
use pintalk_db::notifications::Unread;

use crate::inbound::token::{ReplyTo, ReplyTokens};
use crate::mail::Mail;
use crate::state::AppState;

/// How long an unsubscribe link works: mails are read late, and the link only turns mail
/// off (turning it on again needs the dashboard).
const UNSUBSCRIBE_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// The one-click unsubscribe URL of `owner`'s notification mails.
pub fn unsubscribe_url(state: &AppState, owner: OwnerId) -> anyhow::Result<String> {
    let token = state
        .signer
        .sign(&owner.to_string(), UNSUBSCRIBE_TTL, UnsubscribeGrant {})?;
    Ok(format!(
        "{}/api/v1/notifications/unsubscribe?token={token}",
        state.settings.public_base()
    ))
}

/// The address `kind`'s reply to a mail about `room` goes to, when replies by email are on.
pub fn reply_address(state: &AppState, room: RoomId, kind: ParticipantKind) -> Option<String> {
    let mail = &state.settings.mail;
    if mail.inbound_listen.trim().is_empty() {
        return None;
    }
    let token = ReplyTokens::new(&state.signer, state.clock.clone()).seal(ReplyTo { room, kind });
    Some(format!("reply+{token}@{}", mail.inbound_domain))
}

/// The link in a visitor's mail that reopens their chat, in the same conversation, on the
/// page they left their email on: `<page>#pintalk=<token>`, the token sealed for their
/// room and expiring (never their secret). None when no page is known.
pub fn reopen_url(state: &AppState, unread: &Unread) -> Option<String> {
    let page = unread.visitor_page.as_deref()?;
    let page = page.split('#').next().unwrap_or(page);
    let token = ReplyTokens::reopen_links(&state.signer, state.clock.clone()).seal(ReplyTo {
        room: unread.room,
        kind: ParticipantKind::Visitor,
    });
    Some(format!("{page}#pintalk={token}"))
}

/// The mail about one conversation, or a digest of several.
pub fn unread_mail(
    settings: &Settings,
    owner: &Owner,
    rooms: &[Unread],
    unsubscribe: String,
    reply_to: Option<String>,
) -> Mail {
    let base = settings.public_base();
    let subject = match rooms {
        [one] => format!(
            "{} wrote on {}",
            one_line(&visitor_label(one)),
            one_line(&one.site_name)
        ),
        many => format!("{} conversations wait for an answer", many.len()),
    };
    let mut body = format!("Hi {},\n\n", one_line(&owner.name));
    for unread in rooms {
        let _ = writeln!(
            body,
            "{} wrote on {} and nobody has read it yet:\n",
            visitor_label(unread),
            unread.site_name
        );
        quote(&mut body, unread);
        let _ = writeln!(
            body,
            "Answer: {base}/sites/{}/rooms/{}\n",
            unread.site, unread.room
        );
    }
    let _ = writeln!(
        body,
        "{}You get this mail because nobody read these messages in time. Choose how you hear \
         of them in your account settings ({base}/account), or stop these mails: \
         {unsubscribe}",
        if reply_to.is_some() {
            "Reply to this mail to answer the visitor: your reply shows in the chat.\n\n"
        } else {
            ""
        }
    );
    Mail {
        to: owner.email.clone(),
        subject,
        body,
        unsubscribe: Some(unsubscribe),
        reply_to,
    }
}

/// The mail to a visitor about the owner's answers they have not seen.
pub fn visitor_mail(
    owner: &Owner,
    unread: &Unread,
    reply_to: Option<String>,
    reopen: Option<String>,
) -> Mail {
    let site = one_line(&unread.site_name);
    let mut body = format!(
        "Hi {},\n\n{site} answered you:\n\n",
        unread
            .visitor_name
            .as_deref()
            .map_or_else(|| "there".to_owned(), one_line)
    );
    quote(&mut body, unread);
    if let Some(reopen) = &reopen {
        let _ = writeln!(body, "Continue the chat: {reopen}\n");
    }
    let _ = writeln!(
        body,
        "{}— {}, {site}",
        if reply_to.is_some() {
            "Reply to this mail to answer: your reply shows in the chat.\n\n"
        } else if reopen.is_none() {
            "Open the chat on our site to answer.\n\n"
        } else {
            ""
        },
        one_line(&owner.name)
    );
    Mail {
        to: unread.visitor_email.clone().unwrap_or_default(),
        subject: format!("{site} answered you"),
        body,
        unsubscribe: None,
        reply_to,
    }
}

/// The unread messages of `unread`, quoted, with the count of the rest.
fn quote(body: &mut String, unread: &Unread) {
    for message in &unread.messages {
        let _ = writeln!(body, "  {}", stamp(message.created_at));
        for line in plain(&message.body).lines() {
            let _ = writeln!(body, "  > {line}");
        }
        body.push('\n');
    }
    let quoted = i64::try_from(unread.messages.len()).unwrap_or(i64::MAX);
    if unread.count > quoted {
        let _ = writeln!(body, "  … and {} more.\n", unread.count - quoted);
    }
}

pub(super) fn visitor_label(unread: &Unread) -> String {
    match (&unread.visitor_name, &unread.visitor_email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (Some(name), None) => name.clone(),
        (None, Some(email)) => email.clone(),
        (None, None) => "A visitor".to_owned(),
    }
}

/// "2026-12-02 14:03 UTC".
fn stamp(ms: i64) -> String {
    let text = rfc3339(ms);
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => text,
    }
}

/// A visitor's text as plain mail text: every control character but newline and tab
/// becomes U+FFFD, so nothing they wrote can act on the mail or the terminal reading it.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// For a subject or greeting: one line.
fn one_line(text: &str) -> String {
    plain(text).replace(['\n', '\t'], " ")
}

#[cfg(test)]
mod tests {
    use super::{one_line, plain, stamp};

    #[test]
    fn control_characters_never_reach_the_mail() {
        assert_eq!(
            plain("a\r\nb\u{1b}[31mc\td"),
            "a\u{FFFD}\nb\u{FFFD}[31mc\td"
        );
        assert_eq!(one_line("Bad\nSubject: x"), "Bad Subject: x");
    }

    #[test]
    fn a_stamp_is_minutes_in_utc() {
        assert_eq!(stamp(0), "1970-01-01 00:00 UTC");
    }
}
