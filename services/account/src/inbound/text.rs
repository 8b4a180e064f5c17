//! What of a mail becomes a chat message: the new text of a reply, without the quoted
//! history or the signature mail clients add, and a note for attachments (dropped).

use mail_parser::{MessageParser, MimeHeaders};
use pintalk_core::protocol::limits::MAX_BODY_CHARS;

/// A reply's text, and the id it is stored once under.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// From the `Message-ID`, or the whole mail's hash: a mail delivered twice is one
    /// message.
    pub cid: String,
}

/// Why a mail is not appended; each has its SMTP reply.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("554 5.6.0 the mail could not be parsed")]
    Malformed,
    #[error("554 5.6.0 the mail has no text above the quoted history")]
    Empty,
    #[error("552 5.3.4 the reply is longer than a chat message may be (4000 characters)")]
    TooLong,
}

/// The reply a raw RFC 5322 mail carries.
pub fn reply_of(raw: &[u8]) -> Result<Reply, Unusable> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(Unusable::Malformed)?;
    // The first text part; an HTML-only mail's HTML is converted to text by the parser.
    let body = message.body_text(0).ok_or(Unusable::Empty)?;
    let mut text = new_text(&body);
    let dropped: Vec<String> = message
        .attachments()
        .map(|a| a.attachment_name().unwrap_or("unnamed").to_owned())
        .collect();
    if text.is_empty() {
        return Err(Unusable::Empty);
    }
    if !dropped.is_empty() {
        text.push_str(&format!(
            "\n\n[{} attachment(s) not shown: {}]",
            dropped.len(),
            dropped.join(", ")
        ));
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(Unusable::TooLong);
    }
    let id = message
        .message_id()
        .map(|id| id.as_bytes().to_vec())
        .unwrap_or_else(|| raw.to_vec());
    let digest = pintalk_core::secret::hex(&<sha2::Sha256 as sha2::Digest>::digest(&id));
    Ok(Reply {
        text,
        cid: format!("mail-{}", &digest[..40]),
    })
}

/// The lines above the quoted history and the signature, trimmed.
fn new_text(body: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in body.lines() {
        let bare = line.trim_end_matches('\r');
        if starts_history(bare) || bare == "-- " || bare == "--" {
            break;
        }
        kept.push(bare);
    }
    kept.join("\n").trim().to_owned()
}

/// Where the mail clients people use start the quoted history.
fn starts_history(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('>')
        // Gmail, Apple Mail, Thunderbird: "On <date>, <name> wrote:" (Korean: "… 작성:").
        || (t.starts_with("On ") && t.ends_with("wrote:"))
        || t.ends_with("작성:")
        // Outlook.
        || t.starts_with("-----Original Message-----")
        || t.starts_with("________________________________")
        || t.starts_with("From: ") && t.contains('@')
}

#[cfg(test)]
mod tests {
    use super::{Unusable, reply_of};

    fn mail(body: &str) -> Vec<u8> {
        format!(
            "From: a@example.com\r\nTo: reply+x@in.example\r\nSubject: Re: hi\r\n\
             Message-ID: <one@example.com>\r\n\r\n{body}"
        )
        .into_bytes()
    }

    #[test]
    fn the_quoted_history_and_signature_are_left_out() {
        let reply = reply_of(&mail(
            "Yes, it ships today.\r\n\r\n-- \r\nAnna\r\n\r\nOn Mon, 1 Dec 2026, Bo wrote:\r\n> Where is it?\r\n",
        ))
        .unwrap();
        assert_eq!(reply.text, "Yes, it ships today.");
        let other = reply_of(&mail("Thanks\r\nOn Tue, Bo <b@x> wrote:\r\n> old\r\n")).unwrap();
        assert_eq!(other.text, "Thanks");
        assert_eq!(
            reply.cid, other.cid,
            "the same Message-ID is the same message"
        );
    }

    #[test]
    fn an_empty_or_huge_reply_is_refused_and_attachments_are_named() {
        assert_eq!(reply_of(&mail("> only quotes\r\n")), Err(Unusable::Empty));
        assert_eq!(reply_of(&mail(&"x".repeat(4001))), Err(Unusable::TooLong));
        let with_file = "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
            See the photo\r\n--b\r\nContent-Type: image/png\r\n\
            Content-Disposition: attachment; filename=photo.png\r\n\r\nAAAA\r\n--b--\r\n";
        let reply = reply_of(with_file.as_bytes()).unwrap();
        assert_eq!(
            reply.text,
            "See the photo\n\n[1 attachment(s) not shown: photo.png]"
        );
    }
}
