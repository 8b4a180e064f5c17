//! The token kinds kept apart, keys rotated, and forgeries refused.
use std::time::Duration;

use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};

use super::{
    AccessGrant, Audience, Claims, Grant, KeyError, LEEWAY_SECS, Signer, TokenError, Verifier,
    generate_private_pem,
};
use crate::clock::now_secs;
use crate::ids::SessionId;

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
