//! VAPID (RFC 8292): the server's P-256 key pair that identifies it to push services. The
//! browser subscribes with the public key (the `applicationServerKey`); each push carries
//! a short ES256 JWT signed with the private key, which the push service checks against
//! the key the subscription was made with.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde::Serialize;

/// How long a VAPID JWT is valid; RFC 8292 allows at most 24 hours.
const JWT_TTL_SECS: u64 = 12 * 3600;

/// The PEM label of a PKCS#8 private key.
const PEM_LABEL: &str = "PRIVATE KEY";

/// The server's VAPID key pair and the contact it signs with.
pub struct Vapid {
    signing: EncodingKey,
    /// The public key, an uncompressed P-256 point (65 bytes).
    public: Vec<u8>,
    /// `sub` of every JWT: `mailto:` or `https:`.
    subject: String,
}

/// The claims of a VAPID JWT.
#[derive(Serialize)]
struct Claims<'a> {
    /// The push service's origin.
    aud: &'a str,
    exp: u64,
    sub: &'a str,
}

impl Vapid {
    /// The key pair in `pem` (PKCS#8, as [`generate_pem`] writes it), signing as `subject`.
    pub fn from_pem(pem: &str, subject: &str) -> anyhow::Result<Self> {
        let der = pem_to_der(pem).context("the VAPID key is not a PEM private key")?;
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &SystemRandom::new())
                .map_err(|e| anyhow::anyhow!("the VAPID key is not a P-256 PKCS#8 key: {e}"))?;
        Ok(Vapid {
            signing: EncodingKey::from_ec_der(&der),
            public: pair.public_key().as_ref().to_vec(),
            subject: subject.to_owned(),
        })
    }

    /// The public key as browsers take it: base64url, unpadded.
    pub fn application_server_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public)
    }

    /// The `Authorization` header of a push to `audience` (the endpoint's origin), issued
    /// at `now_secs`.
    pub fn authorization(&self, audience: &str, now_secs: u64) -> anyhow::Result<String> {
        let claims = Claims {
            aud: audience,
            exp: now_secs + JWT_TTL_SECS,
            sub: &self.subject,
        };
        let jwt = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.signing)
            .context("signing the VAPID JWT")?;
        Ok(format!(
            "vapid t={jwt}, k={}",
            self.application_server_key()
        ))
    }
}

/// A new VAPID private key, PKCS#8 PEM.
pub fn generate_pem() -> anyhow::Result<String> {
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(|e| anyhow::anyhow!("generating a VAPID key: {e}"))?;
    let body = STANDARD.encode(pkcs8.as_ref());
    let mut pem = format!("-----BEGIN {PEM_LABEL}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {PEM_LABEL}-----\n"));
    Ok(pem)
}

/// The DER inside a PEM private key.
fn pem_to_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let begin = format!("-----BEGIN {PEM_LABEL}-----");
    let end = format!("-----END {PEM_LABEL}-----");
    let inner = pem
        .trim()
        .strip_prefix(&begin)
        .and_then(|rest| rest.strip_suffix(&end))
        .context("no PRIVATE KEY block")?;
    let body: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(STANDARD.decode(body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_loads_and_serves_an_uncompressed_point() {
        let vapid = Vapid::from_pem(&generate_pem().unwrap(), "mailto:ops@example.com").unwrap();
        let key = URL_SAFE_NO_PAD
            .decode(vapid.application_server_key())
            .unwrap();
        assert_eq!((key.len(), key[0]), (65, 4));
        let header = vapid.authorization("https://push.example", 1000).unwrap();
        assert!(header.starts_with("vapid t=ey"), "{header}");
    }

    #[test]
    fn a_key_that_is_not_a_pem_private_key_is_refused() {
        assert!(Vapid::from_pem("nonsense", "mailto:a@b.c").is_err());
    }
}
