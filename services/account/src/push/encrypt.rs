//! Message encryption for Web Push (RFC 8291) in the `aes128gcm` content coding (RFC
//! 8188): an ephemeral ECDH with the browser's key, mixed with its auth secret, keys one
//! AES-128-GCM record that only that browser can open.

use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use ring::hkdf::{HKDF_SHA256, KeyType, Prk, Salt};
use ring::rand::{SecureRandom, SystemRandom};

/// The record size written in the header: the one record holds the whole payload.
const RECORD_SIZE: u32 = 4096;
/// The plaintext bound: one record of [`RECORD_SIZE`] less the tag and the delimiter.
pub const MAX_PLAINTEXT: usize = 4096 - 16 - 1;
/// An uncompressed P-256 point.
pub const PUBLIC_KEY_LEN: usize = 65;
/// The header's key id length: the server's public key.
const KEY_ID_LEN: u8 = 65;
/// The browser's authentication secret.
pub const AUTH_LEN: usize = 16;

/// Why a payload could not be encrypted for a browser.
#[derive(Debug, thiserror::Error)]
pub enum EncryptError {
    #[error("the browser's key is not a P-256 public key")]
    BadKey,
    #[error("the auth secret is not {AUTH_LEN} bytes")]
    BadAuth,
    #[error("the payload is over {MAX_PLAINTEXT} bytes")]
    TooLarge,
    #[error("the system's random source or cipher failed")]
    Crypto,
}

impl From<ring::error::Unspecified> for EncryptError {
    fn from(_: ring::error::Unspecified) -> Self {
        EncryptError::Crypto
    }
}

/// A length as HKDF's output type.
struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand of `prk` with `info`, `len` bytes.
fn expand(prk: &Prk, info: &[&[u8]], len: usize) -> Result<Vec<u8>, EncryptError> {
    let mut out = vec![0; len];
    prk.expand(info, Len(len))?.fill(&mut out)?;
    Ok(out)
}

/// The content key and nonce of a record (RFC 8291 §3.4, RFC 8188 §2.2), from the ECDH
/// secret, both public keys, the auth secret and the record's salt. The browser side
/// (and the tests, which play it) derive the same.
fn record_keys(
    ecdh_secret: &[u8],
    browser_public: &[u8],
    server_public: &[u8],
    auth: &[u8],
    salt: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), EncryptError> {
    let prk_key = Salt::new(HKDF_SHA256, auth).extract(ecdh_secret);
    let ikm = expand(
        &prk_key,
        &[b"WebPush: info\0", browser_public, server_public],
        32,
    )?;
    let prk = Salt::new(HKDF_SHA256, salt).extract(&ikm);
    let cek = expand(&prk, &[b"Content-Encoding: aes128gcm\0"], 16)?;
    let nonce = expand(&prk, &[b"Content-Encoding: nonce\0"], 12)?;
    Ok((cek, nonce))
}

/// Whether `key` is a P-256 public key one can agree with.
pub fn is_public_key(key: &[u8]) -> bool {
    let rng = SystemRandom::new();
    key.len() == PUBLIC_KEY_LEN
        && EphemeralPrivateKey::generate(&ECDH_P256, &rng)
            .ok()
            .and_then(|mine| {
                agree_ephemeral(mine, &UnparsedPublicKey::new(&ECDH_P256, key), |_| ()).ok()
            })
            .is_some()
}

/// `plaintext` encrypted for the browser with public key `browser_public` and secret
/// `auth`: the `aes128gcm` body of one push.
pub fn encrypt(
    plaintext: &[u8],
    browser_public: &[u8],
    auth: &[u8],
) -> Result<Vec<u8>, EncryptError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EncryptError::TooLarge);
    }
    if auth.len() != AUTH_LEN {
        return Err(EncryptError::BadAuth);
    }
    if browser_public.len() != PUBLIC_KEY_LEN {
        return Err(EncryptError::BadKey);
    }
    let rng = SystemRandom::new();
    let mine = EphemeralPrivateKey::generate(&ECDH_P256, &rng)?;
    let server_public = mine.compute_public_key()?;
    let ecdh_secret = agree_ephemeral(
        mine,
        &UnparsedPublicKey::new(&ECDH_P256, browser_public),
        <[u8]>::to_vec,
    )
    .map_err(|_| EncryptError::BadKey)?;
    let mut salt = [0; 16];
    rng.fill(&mut salt)?;
    let (cek, nonce) = record_keys(
        &ecdh_secret,
        browser_public,
        server_public.as_ref(),
        auth,
        &salt,
    )?;
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek)?);
    let nonce = Nonce::try_assume_unique_for_key(&nonce)?;
    // The last (and only) record ends with the delimiter 2, then no padding.
    let mut record = Vec::with_capacity(plaintext.len() + 17);
    record.extend_from_slice(plaintext);
    record.push(2);
    key.seal_in_place_append_tag(nonce, Aad::empty(), &mut record)?;

    let mut body = Vec::with_capacity(16 + 4 + 1 + PUBLIC_KEY_LEN + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    // The key id is the server's public key: 65 bytes, so it fits the one-byte length.
    body.push(KEY_ID_LEN);
    body.extend_from_slice(server_public.as_ref());
    body.extend_from_slice(&record);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).unwrap()
    }

    /// RFC 8291, Appendix A: the keys derived for its example push.
    #[test]
    fn record_keys_match_the_rfc_8291_example() {
        let (cek, nonce) = record_keys(
            &b64("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"),
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &b64("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"),
            &b64("BTBZMqHH6r4Tts7J_aSIgg"),
            &b64("DGv6ra1nlYgDCS1FRnbzlw"),
        )
        .unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(cek), "oIhVW04MRdy2XN9CiKLxTg");
        assert_eq!(URL_SAFE_NO_PAD.encode(nonce), "4h_95klXJ5E_qnoN");
    }

    #[test]
    fn oversized_payloads_and_bad_secrets_are_refused() {
        let key = [4u8; PUBLIC_KEY_LEN];
        assert!(matches!(
            encrypt(&vec![0; MAX_PLAINTEXT + 1], &key, &[0; AUTH_LEN]),
            Err(EncryptError::TooLarge)
        ));
        assert!(matches!(
            encrypt(b"hi", &key, &[0; 3]),
            Err(EncryptError::BadAuth)
        ));
        assert!(matches!(
            encrypt(b"hi", &key, &[0; AUTH_LEN]),
            Err(EncryptError::BadKey)
        ));
    }
}
