//! Verified visitors: the page says who its signed-in user is with
//! `PinTalk('identify', {user_id, user_hash})`, where `user_hash` is the hex
//! HMAC-SHA256 of `user_id` keyed with the site's identity secret, computed by the site's
//! own server. A valid hash makes the visitor *the* visitor of that `user_id` on the
//! site, on every device and browser (see [`visitors`]); the secret never leaves the
//! account service except once, to the owner, when it is generated.

pub mod visitors;

use hmac::{Hmac, KeyInit, Mac};
use pintalk_core::ErrorCode;
use pintalk_core::secret::new_token;
use pintalk_db::models::SiteIdentity;
use sha2::Sha256;

use crate::error::ApiError;

/// The longest `user_id`, in bytes: room for a UUID, an email or a URL-ish key.
pub const USER_ID_MAX: usize = 128;

/// A fresh identity secret (`idsec_` and 256 random bits).
pub fn new_secret() -> String {
    format!("idsec_{}", new_token())
}

/// A site's user id, as its server signed it: 1 to [`USER_ID_MAX`] bytes, no control
/// characters. Never trimmed: the HMAC is over the exact bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserId(String);

impl UserId {
    pub fn parse(raw: String) -> Result<Self, ApiError> {
        if raw.is_empty() || raw.len() > USER_ID_MAX || raw.chars().any(char::is_control) {
            return Err(ApiError::invalid_field(
                "user_id",
                &format!("must be 1 to {USER_ID_MAX} bytes without control characters"),
            ));
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a session request says the visitor is.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// Nobody in particular (no `user_id`, or one without a hash where that is allowed).
    Anonymous,
    /// The site's server vouched for this user.
    Verified(UserId),
}

/// Judges a session request's `user_id` and `user_hash` against the site's identity
/// settings (`None`: the site never generated a secret).
///
/// A `user_hash` that does not verify is always refused, whatever the settings: a page
/// that sends one means to verify, and a forged one must never pass as anonymous. A
/// `user_id` without a hash is refused where verification is required, else ignored.
/// Without any `user_id`, the visitor is anonymous — refused where verification is
/// required and anonymous visitors are not allowed.
pub fn judge(
    identity: Option<&SiteIdentity>,
    user_id: Option<String>,
    user_hash: Option<String>,
) -> Result<Claim, ApiError> {
    let required = identity.is_some_and(|i| i.verification_required);
    let Some(user_id) = user_id else {
        if user_hash.is_some() {
            return Err(ApiError::invalid_field("user_hash", "comes with user_id"));
        }
        if required && !identity.is_some_and(|i| i.anonymous_allowed) {
            return Err(ApiError::new(
                ErrorCode::IdentityRequired,
                "this site's chat is for signed-in users: identify with user_id and user_hash",
            ));
        }
        return Ok(Claim::Anonymous);
    };
    let user_id = UserId::parse(user_id)?;
    let Some(user_hash) = user_hash else {
        if required {
            return Err(ApiError::new(
                ErrorCode::IdentityRequired,
                "this site verifies its users: user_id needs its user_hash",
            ));
        }
        return Ok(Claim::Anonymous);
    };
    let forged = || {
        ApiError::new(
            ErrorCode::InvalidUserHash,
            "user_hash is not HMAC-SHA256(the site's identity secret, user_id) in hex",
        )
    };
    let identity = identity.ok_or_else(forged)?;
    if hash_matches(&identity.secret, user_id.as_str(), &user_hash) {
        Ok(Claim::Verified(user_id))
    } else {
        Err(forged())
    }
}

/// Whether `hash` is the lowercase or uppercase hex HMAC-SHA256 of `user_id` keyed with
/// `secret`, compared in constant time (the MAC's own `verify_slice`).
pub fn hash_matches(secret: &str, user_id: &str, hash: &str) -> bool {
    let Some(given) = from_hex(hash) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(user_id.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The 32 bytes of a 64-digit hex string; `None` for anything else.
fn from_hex(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pintalk_core::ids::SiteId;

    fn identity(required: bool, anonymous: bool) -> SiteIdentity {
        SiteIdentity {
            site_id: SiteId::new(),
            secret: "idsec_test".into(),
            verification_required: required,
            anonymous_allowed: anonymous,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn sign(secret: &str, user: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(user.as_bytes());
        pintalk_core::secret::hex(&mac.finalize().into_bytes())
    }

    fn code(r: Result<Claim, ApiError>) -> ErrorCode {
        r.unwrap_err().code()
    }

    #[test]
    fn a_real_hash_verifies_in_either_case_and_a_forged_one_never_does() {
        let site = identity(false, true);
        let hash = sign("idsec_test", "user-42");
        let verified = judge(Some(&site), Some("user-42".into()), Some(hash.clone()));
        assert_eq!(verified.unwrap(), Claim::Verified(UserId("user-42".into())));
        let upper = judge(
            Some(&site),
            Some("user-42".into()),
            Some(hash.to_uppercase()),
        );
        assert!(matches!(upper.unwrap(), Claim::Verified(_)));
        let other = judge(Some(&site), Some("user-43".into()), Some(hash.clone()));
        assert_eq!(code(other), ErrorCode::InvalidUserHash);
        let short = judge(Some(&site), Some("user-42".into()), Some(hash[..62].into()));
        assert_eq!(code(short), ErrorCode::InvalidUserHash);
        let none = judge(None, Some("user-42".into()), Some(hash));
        assert_eq!(code(none), ErrorCode::InvalidUserHash);
    }

    #[test]
    fn settings_decide_what_an_unverified_visitor_may_do() {
        let open = identity(false, true);
        let required = identity(true, true);
        let closed = identity(true, false);
        let bare = |i: &SiteIdentity| judge(Some(i), Some("u".into()), None);
        assert_eq!(bare(&open).unwrap(), Claim::Anonymous);
        assert_eq!(code(bare(&required)), ErrorCode::IdentityRequired);
        assert_eq!(code(bare(&closed)), ErrorCode::IdentityRequired);
        let anonymous = |i: &SiteIdentity| judge(Some(i), None, None);
        assert_eq!(anonymous(&open).unwrap(), Claim::Anonymous);
        assert_eq!(anonymous(&required).unwrap(), Claim::Anonymous);
        assert_eq!(code(anonymous(&closed)), ErrorCode::IdentityRequired);
        assert_eq!(judge(None, None, None).unwrap(), Claim::Anonymous);
    }

    #[test]
    fn user_ids_are_bounded() {
        let long = "x".repeat(USER_ID_MAX + 1);
        assert!(UserId::parse(long).is_err());
        assert!(UserId::parse(String::new()).is_err());
        assert!(UserId::parse("a\nb".into()).is_err());
        assert!(UserId::parse("x".repeat(USER_ID_MAX)).is_ok());
    }
}
