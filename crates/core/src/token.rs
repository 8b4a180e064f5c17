//! JSON Web Tokens, signed with Ed25519 (EdDSA) by the account service and verified with
//! the public key alone, so a service that only verifies (the gateway) cannot mint tokens.
//!
//! Every token has exactly one audience per kind — owner access, owner gateway connect,
//! visitor — so no token can stand in for another. The algorithm is pinned, `iss`, `aud`,
//! `exp`, `iat` and `sub` are required, and `kid` names the key for rotation.

use std::collections::HashMap;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::now_secs;
use crate::ids::{RoomId, SessionId, SiteId};
use crate::secret::{hex, random_bytes};

/// How long after `exp` a token is still accepted, for clocks a little apart between the
/// service that signs and the one that verifies. Seconds, not the library's default minute.
pub const LEEWAY_SECS: u64 = 5;

/// What a token may be used for; one audience per kind of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// An owner's short-lived access to the HTTP API.
    Access,
    /// An owner's permission to open a gateway socket for their sites.
    Gateway,
    /// A visitor's permission to open a gateway socket for their own conversation.
    Visitor,
}

impl Audience {
    /// The `aud` claim's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Access => "pintalk:access",
            Audience::Gateway => "pintalk:gateway",
            Audience::Visitor => "pintalk:visitor",
        }
    }
}

/// The kind-specific part of a token's claims; fixes the kind's audience.
pub trait Grant: Serialize + DeserializeOwned {
    /// The only audience a token carrying this grant is valid for.
    const AUDIENCE: Audience;
}

/// An owner's HTTP access: tied to one login session so that logging out or changing the
/// password ends it at once, not when the token expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGrant {
    /// The session (refresh-token family) this access token was issued for.
    pub sid: SessionId,
}

impl Grant for AccessGrant {
    const AUDIENCE: Audience = Audience::Access;
}

/// An owner's permission to open a gateway socket: the sites whose conversations it may
/// see and answer. Short-lived: it only has to last until the socket is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSocketGrant {
    /// The login session it was issued from: ending that session closes the socket and
    /// refuses the ticket.
    pub sid: SessionId,
    pub sites: Vec<SiteId>,
    /// The owner's display name, shown as the sender of their messages.
    pub name: String,
}

impl Grant for OwnerSocketGrant {
    const AUDIENCE: Audience = Audience::Gateway;
}

/// A visitor's permission to open a gateway socket for their one conversation, from the
/// page origin the account service checked against the site's allow-list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorSocketGrant {
    pub site: SiteId,
    pub room: RoomId,
    /// The socket's `Origin` must equal this.
    pub origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Grant for VisitorSocketGrant {
    const AUDIENCE: Audience = Audience::Visitor;
}

/// A token's claims: the registered ones plus the grant of its kind.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims<G> {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// The token's own random id: what makes a socket ticket single-use.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jti: String,
    #[serde(flatten)]
    pub grant: G,
}

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key is not an Ed25519 PKCS#8 PEM private key")]
    BadSigningKey,
    #[error("a public key is not an Ed25519 SPKI PEM public key")]
    BadPublicKey,
}

/// Why a token was refused. Clients see one code for all of these; the log sees which.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token names no known key")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("the token could not be signed: {0}")]
    Signing(jsonwebtoken::errors::Error),
}

/// Verifies tokens against one or more public keys (the current one and those being
/// rotated out), found by `kid`.
#[derive(Clone)]
pub struct Verifier {
    issuer: String,
    keys: HashMap<String, DecodingKey>,
}

impl Verifier {
    /// A verifier for tokens of `issuer` signed by any of `public_pems`.
    pub fn new(issuer: &str, public_pems: &[String]) -> Result<Self, KeyError> {
        let mut keys = HashMap::new();
        for pem in public_pems {
            let public = ed25519_dalek::VerifyingKey::from_public_key_pem(pem.trim())
                .map_err(|_| KeyError::BadPublicKey)?;
            let decoding = DecodingKey::from_ed_pem(pem.trim().as_bytes())
                .map_err(|_| KeyError::BadPublicKey)?;
            keys.insert(key_id(public.as_bytes()), decoding);
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            keys,
        })
    }

    /// The claims of a valid token of grant kind `G`, or why it is refused.
    pub fn verify<G: Grant>(&self, token: &str) -> Result<Claims<G>, TokenError> {
        let header = jsonwebtoken::decode_header(token)?;
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[G::AUDIENCE.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        Ok(jsonwebtoken::decode::<Claims<G>>(token, key, &validation)?.claims)
    }
}

/// Signs tokens with the service's Ed25519 private key, and verifies them too.
#[derive(Clone)]
pub struct Signer {
    issuer: String,
    kid: String,
    encoding: EncodingKey,
    public_pem: String,
    verifier: Verifier,
}

impl Signer {
    /// A signer from a PKCS#8 PEM private key; `previous_public_pems` stay verifiable
    /// while they are being rotated out.
    pub fn new(
        issuer: &str,
        private_pem: &str,
        previous_public_pems: &[String],
    ) -> Result<Self, KeyError> {
        let signing =
            SigningKey::from_pkcs8_pem(private_pem.trim()).map_err(|_| KeyError::BadSigningKey)?;
        let public_pem = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| KeyError::BadSigningKey)?;
        let encoding = EncodingKey::from_ed_pem(private_pem.trim().as_bytes())
            .map_err(|_| KeyError::BadSigningKey)?;
        let mut public_pems = vec![public_pem.clone()];
        public_pems.extend_from_slice(previous_public_pems);
        Ok(Self {
            issuer: issuer.to_owned(),
            kid: key_id(signing.verifying_key().as_bytes()),
            encoding,
            public_pem,
            verifier: Verifier::new(issuer, &public_pems)?,
        })
    }

    /// A token for `sub` with `grant`, valid for `ttl` from now.
    pub fn sign<G: Grant>(&self, sub: &str, ttl: Duration, grant: G) -> Result<String, TokenError> {
        let iat = now_secs();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: G::AUDIENCE.as_str().to_owned(),
            sub: sub.to_owned(),
            iat,
            exp: iat.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
            jti: hex(&random_bytes::<16>()),
            grant,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(TokenError::Signing)
    }

    /// The verifier for this signer's tokens (and the rotated-out keys).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The public key in SPKI PEM, for services that only verify.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }
}

/// A new Ed25519 private key as PKCS#8 PEM.
pub fn generate_private_pem() -> Result<String, KeyError> {
    let signing = SigningKey::from_bytes(&random_bytes::<32>());
    signing
        .to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|_| KeyError::BadSigningKey)
}

/// A key's id: the start of the SHA-256 of its public key, stable across restarts.
fn key_id(public: &[u8]) -> String {
    let mut kid = hex(&Sha256::digest(public));
    kid.truncate(16);
    kid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct VisitorGrantForTest {
        room: String,
    }
    impl Grant for VisitorGrantForTest {
        const AUDIENCE: Audience = Audience::Visitor;
    }

    fn signer() -> Signer {
        Signer::new("pintalk-test", &generate_private_pem().unwrap(), &[]).unwrap()
    }

    #[test]
    fn signed_access_token_verifies_with_its_claims() {
        let signer = signer();
        let sid = SessionId::new();
        let token = signer
            .sign("owner-1", Duration::from_secs(60), AccessGrant { sid })
            .unwrap();
        let claims = signer.verifier().verify::<AccessGrant>(&token).unwrap();
        assert_eq!(claims.sub, "owner-1");
        assert_eq!(claims.grant.sid, sid);
        assert_eq!(claims.aud, "pintalk:access");
    }

    #[test]
    fn token_of_another_audience_is_refused() {
        let signer = signer();
        let token = signer
            .sign(
                "v",
                Duration::from_secs(60),
                VisitorGrantForTest { room: "r".into() },
            )
            .unwrap();
        assert!(signer.verifier().verify::<AccessGrant>(&token).is_err());
    }

    #[test]
    fn token_signed_by_another_key_is_refused() {
        let token = signer()
            .sign(
                "o",
                Duration::from_secs(60),
                AccessGrant {
                    sid: SessionId::new(),
                },
            )
            .unwrap();
        assert!(signer().verifier().verify::<AccessGrant>(&token).is_err());
    }

    #[test]
    fn rotated_out_key_still_verifies_and_verifier_needs_only_the_public_key() {
        let old = signer();
        let token = old.sign(
            "o",
            Duration::from_secs(60),
            AccessGrant {
                sid: SessionId::new(),
            },
        );
        let new = Signer::new(
            "pintalk-test",
            &generate_private_pem().unwrap(),
            &[old.public_pem().to_owned()],
        )
        .unwrap();
        assert!(
            new.verifier()
                .verify::<AccessGrant>(&token.unwrap())
                .is_ok()
        );
        let public_only = Verifier::new("pintalk-test", &[old.public_pem().to_owned()]).unwrap();
        let token = old.sign(
            "o",
            Duration::from_secs(60),
            AccessGrant {
                sid: SessionId::new(),
            },
        );
        assert!(public_only.verify::<AccessGrant>(&token.unwrap()).is_ok());
    }

    /// An access token whose `exp` is `offset` seconds from now, signed by `signer`.
    fn expiring_at(signer: &Signer, offset: i64) -> String {
        let now = now_secs();
        let claims = Claims {
            iss: signer.issuer.clone(),
            aud: Audience::Access.as_str().to_owned(),
            sub: "o".into(),
            iat: now - 600,
            exp: now + offset,
            jti: String::new(),
            grant: AccessGrant {
                sid: SessionId::new(),
            },
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(signer.kid.clone());
        jsonwebtoken::encode(&header, &claims, &signer.encoding).unwrap()
    }

    #[test]
    fn token_expired_longer_than_the_leeway_is_refused() {
        let signer = signer();
        let leeway = i64::try_from(LEEWAY_SECS).unwrap();
        let late = expiring_at(&signer, -leeway - 1);
        let Err(TokenError::Invalid(e)) = signer.verifier().verify::<AccessGrant>(&late) else {
            panic!("accepted {leeway} + 1 s after exp");
        };
        assert_eq!(e.kind(), &jsonwebtoken::errors::ErrorKind::ExpiredSignature);
    }

    #[test]
    fn token_expired_within_the_leeway_is_accepted() {
        let signer = signer();
        // Two seconds inside the leeway, so a slow test run does not cross it.
        let leeway = i64::try_from(LEEWAY_SECS).unwrap();
        let late = expiring_at(&signer, -leeway + 2);
        assert!(signer.verifier().verify::<AccessGrant>(&late).is_ok());
    }

    #[test]
    fn leeway_is_a_few_seconds() {
        assert!((1..=5).contains(&LEEWAY_SECS));
    }

    #[test]
    fn every_token_has_its_own_id() {
        let signer = signer();
        let sign = || {
            let token = signer
                .sign(
                    "o",
                    Duration::from_secs(60),
                    AccessGrant {
                        sid: SessionId::new(),
                    },
                )
                .unwrap();
            signer.verifier().verify::<AccessGrant>(&token).unwrap().jti
        };
        let (a, b) = (sign(), sign());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn garbage_private_key_is_a_clear_error() {
        assert!(matches!(
            Signer::new("i", "not a key", &[]),
            Err(KeyError::BadSigningKey)
        ));
    }
}
