//! The one test harness: `TestApp::spawn()` starts the real all-in-one server (account
//! service, gateway, persister) on port 0 with a private database (SQLite, or MySQL or
//! PostgreSQL when `PINTALK_TEST_MYSQL` or `PINTALK_TEST_POSTGRES` is set), the memory
//! bus (or Redis when `PINTALK_TEST_BUS=redis`), a fresh signing key and a real SMTP
//! listener.

use awc::http::StatusCode;
use pintalk::AllInOne;
use pintalk_core::clock::Clock;
use pintalk_core::settings::Settings;
use pintalk_core::token::{Signer, generate_private_pem};
use pintalk_test_db::TestDatabase;
use serde_json::{Value, json};

use crate::smtp::{MailBox, link_token};

pub struct TestApp {
    pub base: String,
    pub client: awc::Client,
    pub mail: MailBox,
    /// The private key the app signs with, for tests that forge or expire tokens.
    pub signing_pem: String,
    pub settings: Settings,
    /// The app's clock: `clock.advance(..)` instead of sleeping through a delay.
    pub clock: Clock,
    /// The URL of the app's database (empty for an app attached to another process).
    database_url: String,
    /// The private database, dropped with the app; `None` when another app owns it.
    _db: Option<TestDatabase>,
}

/// A response's status, headers and JSON body (`Value::Null` when empty or text).
pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    /// The body as text, for the answers that are not JSON (a transcript, metrics).
    pub text: String,
}

impl Reply {
    /// The stable error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An owner signed up, verified and logged in.
pub struct Owner {
    pub email: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app with `adjust` applied to the test settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDatabase::new().expect("test database");
        let url = db.url.clone();
        Self::start(url, Some(db), adjust).await
    }

    /// A second app on this one's database, as a second replica is (its own bus, mail and
    /// port), with `adjust` applied to its settings.
    pub async fn spawn_beside(&self, adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::start(self.database_url(), None, adjust).await
    }

    async fn start(
        database_url: String,
        db: Option<TestDatabase>,
        adjust: impl FnOnce(&mut Settings),
    ) -> Self {
        let _ = env_logger::builder().is_test(true).try_init();
        let (mail, smtp_port) = MailBox::start().await;
        let mut settings = Settings::from_toml(&format!(
            r#"
            [server]
            port = 0
            [database]
            url = "{}"
            pool_size = 4
            [auth]
            bcrypt_cost = 10
            [mail]
            smtp_url = "smtp://127.0.0.1:{smtp_port}"
            "#,
            database_url
        ))
        .expect("test settings");
        if std::env::var("PINTALK_TEST_BUS").as_deref() == Ok("redis") {
            let url = std::env::var("PINTALK_TEST_REDIS")
                .expect("PINTALK_TEST_REDIS with PINTALK_TEST_BUS=redis");
            settings.redis.url = url.into();
            settings.redis.namespace = format!("pintalk-test-{}", uuid_like());
        }
        let signing_pem = generate_private_pem().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Tickets must name this server's socket URL; public_url (mail links, the
        // dashboard origin) stays as configured.
        settings.gateway.public_url = format!("ws://127.0.0.1:{port}/ws");
        // A VAPID key of the test's own, never one generated into a shared data_dir.
        settings.push.vapid_key = pintalk_account::push::vapid::generate_pem().unwrap().into();
        adjust(&mut settings);
        let signer = Signer::new(&settings.auth.issuer, &signing_pem, &[]).unwrap();
        let app = AllInOne::build_on(listener, settings.clone(), signer)
            .await
            .expect("app starts");
        let base = format!("http://127.0.0.1:{port}");
        let clock = app.clock();
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: awc::Client::default(),
            mail,
            signing_pem,
            settings,
            clock,
            database_url,
            _db: db,
        }
    }

    /// A client of an account service that is already running elsewhere (the cluster
    /// tests' own process), with the default settings it runs with.
    pub fn attach(base: String, mail: MailBox, signing_pem: String) -> Self {
        TestApp {
            base,
            client: awc::Client::default(),
            mail,
            signing_pem,
            settings: Settings::from_toml("").unwrap(),
            clock: Clock::default(),
            database_url: String::new(),
            _db: None,
        }
    }

    /// The URL of the app's private database.
    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Reads a response into a [`Reply`]: a JSON body parsed, a text body kept as text.
    pub async fn reply<S>(mut res: awc::ClientResponse<S>) -> Reply
    where
        S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
    {
        let bytes = res.body().limit(1 << 20).await.expect("body read");
        let is_text = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/"));
        let body = if bytes.is_empty() || is_text {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        Reply {
            status: res.status(),
            headers: res.headers().clone(),
            body,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Signs `email` up; returns the token of the verification mail.
    pub async fn verification_token(&self, email: &str, password: &str) -> String {
        let reply = self.signup(email, password, "Test Owner").await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        link_token(&self.mail.wait_for(email, "Verify your email", 1).await)
    }

    /// A verified, logged-in owner.
    pub async fn owner(&self, email: &str) -> Owner {
        let password = "correct horse battery".to_owned();
        let token = self.verification_token(email, &password).await;
        let verified = self.verify_email(&token).await;
        assert_eq!(verified.status, StatusCode::NO_CONTENT);
        let login = self.login(email, &password).await;
        assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
        Owner {
            email: email.to_owned(),
            password,
            access: login.body["access_token"].as_str().unwrap().to_owned(),
            refresh: login.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates a site for `owner` allowing `origins`; returns its JSON.
    pub async fn new_site(&self, owner: &Owner, origins: &[&str]) -> Value {
        let reply = self
            .create_site(
                &owner.access,
                json!({ "name": "Shop", "allowed_origins": origins }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }
}

fn uuid_like() -> String {
    pintalk_core::secret::hex(&pintalk_core::secret::random_bytes::<8>())
}
