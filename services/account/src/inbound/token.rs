//! The reply address of a mail: `reply+<token>@<mail.inbound_domain>`. The token names a
//! room, who replies there (the room's owner or its visitor), and the day it stops
//! working, sealed with an HMAC under a key derived from the signing key — so the
//! address alone is the proof, nothing is stored, and a forged or expired one is refused
//! at `RCPT`. Hex, lower-case: 27 bytes are 54 characters, within the 64 an address's
//! local part may have, and safe from mail systems that fold case.

use hmac::{Hmac, KeyInit, Mac};
use pintalk_core::clock::Clock;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::ParticipantKind;
use pintalk_core::secret::hex;
use sha2::Sha256;

/// The derived key's purpose.
const PURPOSE: &str = "pintalk reply address v1";
/// How long a reply address works.
pub const VALID_DAYS: u16 = 30;
/// The key of the other token sealed the same way: the link in a visitor's mail that
/// reopens their chat on the site's page (`#pintalk=<token>`), never their secret.
const REOPEN_PURPOSE: &str = "pintalk reopen link v1";
/// How long a reopen link works.
pub const REOPEN_VALID_DAYS: u16 = 7;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// Bytes of the MAC kept: 64 bits, checked in constant time.
const MAC_BYTES: usize = 8;

/// Who a reply address lets write, where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyTo {
    pub room: RoomId,
    pub kind: ParticipantKind,
}

/// Why an address is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadToken {
    #[error("not a reply address of this PinTalk")]
    Forged,
    #[error("the reply address has expired")]
    Expired,
}

/// Seals and opens tokens of one purpose with one key.
#[derive(Clone)]
pub struct ReplyTokens {
    mac: Hmac<Sha256>,
    /// The days a token works for.
    valid_days: u16,
    /// Whose "today" decides expiry (the tests move it).
    clock: Clock,
}

impl ReplyTokens {
    /// Reply addresses' tokens.
    pub fn new(signer: &pintalk_core::token::Signer, clock: Clock) -> Self {
        Self::with(signer, PURPOSE, VALID_DAYS, clock)
    }

    /// Reopen links' tokens (a visitor's, for their room).
    pub fn reopen_links(signer: &pintalk_core::token::Signer, clock: Clock) -> Self {
        Self::with(signer, REOPEN_PURPOSE, REOPEN_VALID_DAYS, clock)
    }

    fn with(
        signer: &pintalk_core::token::Signer,
        purpose: &str,
        valid_days: u16,
        clock: Clock,
    ) -> Self {
        let key = signer.derived_key(purpose);
        let mac = match Hmac::<Sha256>::new_from_slice(&key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes a key of any length"),
        };
        Self {
            mac,
            valid_days,
            clock,
        }
    }

    /// The token for `to`, working for its purpose's days from now.
    pub fn seal(&self, to: ReplyTo) -> String {
        self.seal_until(to, self.today().saturating_add(self.valid_days))
    }

    fn seal_until(&self, to: ReplyTo, until: u16) -> String {
        let mut bytes = payload(to, until);
        bytes.extend_from_slice(&self.mac(&bytes)[..MAC_BYTES]);
        hex(&bytes)
    }

    /// What a token grants, if this PinTalk sealed it and it has not expired.
    pub fn open(&self, token: &str) -> Result<ReplyTo, BadToken> {
        let bytes = unhex(token).ok_or(BadToken::Forged)?;
        if bytes.len() != 19 + MAC_BYTES {
            return Err(BadToken::Forged);
        }
        let (body, mac) = bytes.split_at(19);
        let mut check = self.mac.clone();
        check.update(body);
        check
            .verify_truncated_left(mac)
            .map_err(|_| BadToken::Forged)?;
        let room = uuid_from(&body[..16]).ok_or(BadToken::Forged)?;
        let kind = match body[16] {
            b'o' => ParticipantKind::Owner,
            b'v' => ParticipantKind::Visitor,
            _ => return Err(BadToken::Forged),
        };
        if u16::from_be_bytes([body[17], body[18]]) < self.today() {
            return Err(BadToken::Expired);
        }
        Ok(ReplyTo { room, kind })
    }

    fn today(&self) -> u16 {
        u16::try_from(self.clock.now_ms() / DAY_MS).unwrap_or(u16::MAX)
    }

    fn mac(&self, bytes: &[u8]) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(bytes);
        mac.finalize().into_bytes().to_vec()
    }
}

/// Room (16 bytes), kind (`o`/`v`), last valid day (days since 1970, big-endian).
fn payload(to: ReplyTo, until: u16) -> Vec<u8> {
    let mut bytes = unhex(&to.room.to_string().replace('-', "")).unwrap_or_default();
    bytes.push(match to.kind {
        ParticipantKind::Owner => b'o',
        ParticipantKind::Visitor => b'v',
    });
    bytes.extend_from_slice(&until.to_be_bytes());
    bytes
}

fn uuid_from(bytes: &[u8]) -> Option<RoomId> {
    let h = hex(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        h.get(..8)?,
        h.get(8..12)?,
        h.get(12..16)?,
        h.get(16..20)?,
        h.get(20..)?
    )
    .parse()
    .ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{BadToken, ReplyTo, ReplyTokens};
    use pintalk_core::clock::Clock;
    use pintalk_core::ids::RoomId;
    use pintalk_core::protocol::ParticipantKind;
    use pintalk_core::token::{Signer, generate_private_pem};

    fn tokens() -> ReplyTokens {
        let signer = Signer::new("t", &generate_private_pem().unwrap(), &[]).unwrap();
        ReplyTokens::new(&signer, Clock::default())
    }

    #[test]
    fn a_sealed_token_opens_to_what_it_names_and_fits_a_local_part() {
        let tokens = tokens();
        let to = ReplyTo {
            room: RoomId::new(),
            kind: ParticipantKind::Visitor,
        };
        let token = tokens.seal(to);
        assert!(format!("reply+{token}").len() <= 64, "{token}");
        assert_eq!(tokens.open(&token), Ok(to));
        assert_eq!(
            tokens.open(&token.to_uppercase()),
            Ok(to),
            "case folded on the way"
        );
    }

    #[test]
    fn a_changed_or_foreign_token_is_forged() {
        let tokens = tokens();
        let token = tokens.seal(ReplyTo {
            room: RoomId::new(),
            kind: ParticipantKind::Owner,
        });
        let mut flipped = token.clone().into_bytes();
        flipped[33] = if flipped[33] == b'6' { b'7' } else { b'6' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(tokens.open(&flipped), Err(BadToken::Forged));
        assert_eq!(self::tokens().open(&token), Err(BadToken::Forged));
        assert_eq!(tokens.open("zz"), Err(BadToken::Forged));
        assert_eq!(tokens.open(""), Err(BadToken::Forged));
    }

    #[test]
    fn a_token_past_its_day_has_expired() {
        let tokens = tokens();
        let to = ReplyTo {
            room: RoomId::new(),
            kind: ParticipantKind::Owner,
        };
        let token = tokens.seal_until(to, tokens.today() - 1);
        assert_eq!(tokens.open(&token), Err(BadToken::Expired));
    }

    #[test]
    fn a_reopen_link_expires_when_the_clock_passes_its_week() {
        let signer = Signer::new("t", &generate_private_pem().unwrap(), &[]).unwrap();
        let clock = Clock::default();
        let links = ReplyTokens::reopen_links(&signer, clock.clone());
        let to = ReplyTo {
            room: RoomId::new(),
            kind: ParticipantKind::Visitor,
        };
        let token = links.seal(to);
        assert_eq!(links.open(&token), Ok(to));
        assert_eq!(
            ReplyTokens::new(&signer, clock.clone()).open(&token),
            Err(BadToken::Forged),
            "not a reply address"
        );
        clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
        assert_eq!(links.open(&token), Err(BadToken::Expired));
    }
}
