//! Web Push at the protocol level: the test plays the browser (a P-256 key pair and an
//! auth secret) and its push service (a local HTTP server that takes the pushes), checks
//! the VAPID JWT against the key the server serves, and decrypts the payload (RFC 8291)
//! with the browser's private key.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use awc::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use pintalk_core::domain::Recipient;
use pintalk_core::settings::Settings;
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use ring::hkdf::{HKDF_SHA256, KeyType, Prk, Salt};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use crate::eventually::eventually;
use crate::helpers::{Reply, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};

/// Pushes at once, looked for ten times a second, to a push service on plain http.
fn quick(settings: &mut Settings) {
    settings.push.delay_secs = 0;
    settings.push.allow_insecure_endpoints = true;
    settings.notify.poll_ms = 100;
}

/// One push as the push service received it.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A push service on an ephemeral 127.0.0.1 port: records every push and answers with
/// the status the test sets.
#[derive(Clone)]
struct PushService {
    origin: String,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<u16>>,
}

impl PushService {
    fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new(201));
        let (r, a) = (received.clone(), answer.clone());
        let server = HttpServer::new(move || {
            let (r, a) = (r.clone(), a.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (r, a) = (r.clone(), a.clone());
                async move {
                    r.lock().unwrap().push(Received {
                        path: req.path().to_owned(),
                        headers: req
                            .headers()
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body: body.to_vec(),
                    });
                    let status = *a.lock().unwrap();
                    HttpResponse::build(StatusCode::from_u16(status).unwrap()).finish()
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        PushService {
            origin: format!("http://127.0.0.1:{port}"),
            received,
            answer,
        }
    }

    fn answer(&self, status: u16) {
        *self.answer.lock().unwrap() = status;
    }

    async fn wait_for(&self, count: usize) -> Received {
        eventually(
            Duration::from_secs(10),
            &format!("push #{count}"),
            async || self.received.lock().unwrap().get(count - 1).cloned(),
        )
        .await
    }
}

/// The browser's half of a subscription: its ECDH key pair and auth secret.
struct Browser {
    private: EphemeralPrivateKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl Browser {
    fn new() -> Self {
        let rng = SystemRandom::new();
        let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).unwrap();
        let public = private.compute_public_key().unwrap().as_ref().to_vec();
        let mut auth = [0; 16];
        rng.fill(&mut auth).unwrap();
        Browser {
            private,
            public,
            auth,
        }
    }

    /// `PushSubscription.toJSON()` for `endpoint`.
    fn subscription(&self, endpoint: &str) -> Value {
        json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(&self.public),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            },
        })
    }

    /// Opens an `aes128gcm` push body (RFC 8188 header, RFC 8291 keys), as a browser does.
    fn decrypt(self, body: &[u8]) -> Vec<u8> {
        let (salt, rest) = body.split_at(16);
        let record_size = u32::from_be_bytes(rest[..4].try_into().unwrap());
        assert!(record_size >= 18, "record size {record_size}");
        let id_len = usize::from(rest[4]);
        let (server_public, record) = rest[5..].split_at(id_len);
        let ecdh = agree_ephemeral(
            self.private,
            &UnparsedPublicKey::new(&ECDH_P256, server_public),
            <[u8]>::to_vec,
        )
        .unwrap();
        let prk_key = Salt::new(HKDF_SHA256, &self.auth).extract(&ecdh);
        let ikm = okm(
            &prk_key,
            &[b"WebPush: info\0", &self.public, server_public],
            32,
        );
        let prk = Salt::new(HKDF_SHA256, salt).extract(&ikm);
        let cek = okm(&prk, &[b"Content-Encoding: aes128gcm\0"], 16);
        let nonce = okm(&prk, &[b"Content-Encoding: nonce\0"], 12);
        let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek).unwrap());
        let mut record = record.to_vec();
        let plain = key
            .open_in_place(
                Nonce::try_assume_unique_for_key(&nonce).unwrap(),
                Aad::empty(),
                &mut record,
            )
            .unwrap();
        // The last record: content, then the delimiter 2, then zero padding.
        let end = plain.iter().rposition(|b| *b != 0).unwrap();
        assert_eq!(plain[end], 2, "the last record's delimiter");
        plain[..end].to_vec()
    }
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn okm(prk: &Prk, info: &[&[u8]], len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    prk.expand(info, Len(len)).unwrap().fill(&mut out).unwrap();
    out
}

/// Waits until the notifier has ended every push row of the owner's.
async fn no_push_scheduled(app: &TestApp, access: &str) {
    let owner: pintalk_core::ids::OwnerId = app.me(access).await.body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    eventually(Duration::from_secs(10), "the push row done", async || {
        let mut conn = pool.get().unwrap();
        let rows = pintalk_db::notifications::scheduled(&mut conn, owner).unwrap();
        (!rows.iter().any(|r| r.recipient == Recipient::OwnerPush)).then_some(())
    })
    .await;
}

impl TestApp {
    async fn push_settings(&self, access: &str) -> Reply {
        let req = self
            .client
            .get(self.url("/api/v1/me/push"))
            .bearer_auth(access);
        Self::reply(req.send().await.unwrap()).await
    }

    async fn subscribe_push(&self, access: &str, subscription: &Value) -> Reply {
        self.call(
            "POST",
            "/api/v1/me/push/subscriptions",
            Some(access),
            Some(subscription.clone()),
        )
        .await
    }

    async fn unsubscribe_push(&self, access: &str, id: &str) -> Reply {
        let path = format!("/api/v1/me/push/subscriptions/{id}");
        let req = self
            .client
            .request(Method::DELETE, self.url(&path))
            .bearer_auth(access);
        Self::reply(req.send().await.unwrap()).await
    }
}

#[actix_web::test]
async fn an_unread_visitor_message_is_pushed_signed_and_encrypted_for_the_browser() {
    let app = TestApp::spawn_with(quick).await;
    let service = PushService::start();
    let (owner, site) = owner_with_site(&app, "pushed@example.com").await;
    let served = app.push_settings(&owner.access).await;
    assert_eq!(served.status, StatusCode::OK);
    let server_key = served.body["application_server_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Browser::new();
    let endpoint = format!("{}/push/device-1", service.origin);
    let subscribed = app
        .subscribe_push(&owner.access, &browser.subscription(&endpoint))
        .await;
    assert_eq!(
        subscribed.status,
        StatusCode::CREATED,
        "{:?}",
        subscribed.body
    );
    assert_eq!(subscribed.body["endpoint"], endpoint.as_str());
    assert!(
        subscribed.body.get("keys").is_none(),
        "keys are never shown"
    );

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor
        .socket
        .post(&room, "Is the blue one in stock?", "a")
        .await;
    let push = service.wait_for(1).await;

    assert_eq!(push.path, "/push/device-1");
    assert_eq!(push.header("content-encoding"), "aes128gcm");
    assert_eq!(push.header("ttl"), app.settings.push.ttl_secs.to_string());
    assert_eq!(push.header("urgency"), "high");
    let authorization = push.header("authorization");
    let (jwt, k) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .unwrap_or_else(|| panic!("not a VAPID header: {authorization}"));
    assert_eq!(
        k, server_key,
        "signed with the key the browser subscribed with"
    );
    let public = URL_SAFE_NO_PAD.decode(&server_key).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[service.origin.as_str()]);
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    let claims: Value = jsonwebtoken::decode(jwt, &DecodingKey::from_ec_der(&public), &validation)
        .unwrap_or_else(|e| panic!("the VAPID JWT does not verify: {e}"))
        .claims;
    assert_eq!(claims["sub"], app.settings.public_base());
    let exp = claims["exp"].as_u64().unwrap();
    let now = pintalk_core::clock::now_ms() as u64 / 1000;
    assert!(
        exp > now && exp <= now + 24 * 3600,
        "exp within RFC 8292's day"
    );

    let payload: Value = serde_json::from_slice(&browser.decrypt(&push.body)).unwrap();
    let site_id = site["id"].as_str().unwrap();
    assert_eq!(payload["room"], room.as_str());
    assert_eq!(payload["body"], "Is the blue one in stock?");
    assert_eq!(payload["count"], 1);
    assert_eq!(payload["url"], format!("/sites/{site_id}/rooms/{room}"));
    assert!(
        payload["title"]
            .as_str()
            .unwrap()
            .contains(site["name"].as_str().unwrap()),
        "{payload}"
    );

    // The push service says the browser is gone: the next push deletes the subscription.
    // Once the first push's row is done, so this is a push of its own, not a retry.
    service.answer(410);
    no_push_scheduled(&app, &owner.access).await;
    visitor.socket.post(&room, "Hello?", "b").await;
    service.wait_for(2).await;
    eventually(
        Duration::from_secs(10),
        "the subscription deleted after a 410",
        async || {
            let now = app.push_settings(&owner.access).await;
            now.body["subscriptions"]
                .as_array()
                .unwrap()
                .is_empty()
                .then_some(())
        },
    )
    .await;
}

#[actix_web::test]
async fn subscriptions_are_validated_bounded_and_the_owners_own() {
    let app = TestApp::spawn_with(|s| {
        s.push.max_subscriptions = 2;
    })
    .await;
    let owner = app.owner("devices@example.com").await;
    let browser = Browser::new();
    let plain = app
        .subscribe_push(
            &owner.access,
            &browser.subscription("http://push.example/x"),
        )
        .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST);
    assert_eq!(plain.code(), "invalid_push_subscription");
    let mut bad_key = browser.subscription("https://push.example/x");
    bad_key["keys"]["p256dh"] = json!(URL_SAFE_NO_PAD.encode([4u8; 65]));
    assert_eq!(
        app.subscribe_push(&owner.access, &bad_key).await.code(),
        "invalid_push_subscription"
    );
    let mut unknown = browser.subscription("https://push.example/x");
    unknown["extra"] = json!(1);
    assert_eq!(
        app.subscribe_push(&owner.access, &unknown).await.code(),
        "invalid_json"
    );

    let first = app
        .subscribe_push(
            &owner.access,
            &browser.subscription("https://push.example/1"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app
        .subscribe_push(
            &owner.access,
            &browser.subscription("https://push.example/1"),
        )
        .await;
    assert_eq!(
        again.body["id"], first.body["id"],
        "the same browser, renewed"
    );
    app.subscribe_push(
        &owner.access,
        &browser.subscription("https://push.example/2"),
    )
    .await;
    let third = app
        .subscribe_push(
            &owner.access,
            &browser.subscription("https://push.example/3"),
        )
        .await;
    assert_eq!(third.status, StatusCode::CONFLICT);
    assert_eq!(third.code(), "push_subscriptions_full");

    let id = first.body["id"].as_str().unwrap();
    let stranger = app.owner("stranger@example.com").await;
    let theirs = app.unsubscribe_push(&stranger.access, id).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let gone = app.unsubscribe_push(&owner.access, id).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let left = app.push_settings(&owner.access).await;
    assert_eq!(left.body["subscriptions"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn an_account_service_without_a_vapid_key_says_push_is_off_and_refuses_subscriptions() {
    // The account service alone generates no key (only the all-in-one binary does), and
    // the harness's cluster gives it none.
    let cluster = crate::cluster::Cluster::start_with(1, 1, |_| None).await;
    let (owner, _site) = cluster.owner_with_site("keyless@example.com", SHOP).await;
    let settings = cluster.api.push_settings(&owner.access).await;
    assert_eq!(settings.status, StatusCode::OK);
    assert_eq!(settings.body["application_server_key"], Value::Null);
    let refused = cluster
        .api
        .subscribe_push(
            &owner.access,
            &Browser::new().subscription("https://push.example/1"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "push_disabled");
    let after = cluster.api.push_settings(&owner.access).await;
    assert_eq!(after.body["subscriptions"], serde_json::json!([]));
}
