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
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::now_secs;
use crate::secret::{hex, random_bytes};

/// How long after `exp` a token is still accepted, for clocks a little apart between the
/// service that signs and the one that verifies. Seconds, not the library's default minute.
pub const LEEWAY_SECS: u64 = 5;

mod grants;
#[cfg(test)]
mod tests;

pub use grants::{
    AccessGrant, Audience, Grant, OwnerSocketGrant, UnsubscribeGrant, VisitorSocketGrant,
};

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
    /// A hash of the private key: the root of the keys derived from it.
    seed: [u8; 32],
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
            seed: Sha256::digest(signing.to_bytes()).into(),
        })
    }

    /// A secret key for `purpose` (an HMAC key, say), derived from the signing key: one
    /// key to provision and rotate, and a different key per purpose.
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(self.seed);
        hash.update(purpose.as_bytes());
        hash.finalize().into()
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
