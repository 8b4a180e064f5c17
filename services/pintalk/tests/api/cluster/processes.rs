//! Starting, stopping and killing the real service binaries.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pintalk_core::token::{Signer, generate_private_pem};
use pintalk_test_db::TestDatabase;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::eventually::eventually;
use crate::helpers::{Owner, TestApp};
use crate::redis::{PrivateRedis, free_port};
use crate::smtp::{MailBox, link_token};

/// A running service binary.
pub struct Service {
    child: Option<Child>,
    pub port: u16,
    binary: &'static str,
    env: Vec<(String, String)>,
    /// Where the next start writes its log (stderr), when a test reads it.
    log: Option<PathBuf>,
}

fn binary(name: &str) -> PathBuf {
    // target/debug/deps/api-… → target/debug/<name>
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join(name);
    assert!(
        path.exists(),
        "{} is missing: build the binaries first (scripts/test runs `cargo build --workspace --bins`)",
        path.display()
    );
    path
}

impl Service {
    /// Starts the process without waiting for it (several can then start at once).
    fn spawn(binary: &'static str, port: u16, env: Vec<(String, String)>) -> Self {
        let mut service = Service {
            child: None,
            port,
            binary,
            env,
            log: None,
        };
        service.launch();
        service
    }

    /// Starts the process (again) with the same configuration and waits until it serves.
    pub async fn restart(&mut self) {
        self.launch();
        self.wait_ready().await;
    }

    /// From the next (re)start on, the process's log (at `info`) goes to `path` instead
    /// of the test's stderr.
    pub fn log_to(&mut self, path: PathBuf) {
        self.log = Some(path);
    }

    fn launch(&mut self) {
        let mut command = Command::new(binary(self.binary));
        command
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PINTALK__SERVER__PORT", self.port.to_string())
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::null());
        if let Some(path) = &self.log {
            command
                .env("RUST_LOG", "info")
                .stderr(std::fs::File::create(path).unwrap());
        }
        self.child = Some(command.spawn().unwrap());
    }

    /// Waits (up to 15 s) until `/healthz` answers.
    async fn wait_ready(&self) {
        let port = self.port;
        eventually(
            Duration::from_secs(15),
            &format!("{} to answer /healthz on port {port}", self.binary),
            async || {
                let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()?;
                stream
                    .write_all(b"GET /healthz HTTP/1.0\r\n\r\n")
                    .await
                    .ok()?;
                let mut answer = Vec::new();
                let _ = stream.read_to_end(&mut answer).await;
                (answer.starts_with(b"HTTP/1.0 200") || answer.starts_with(b"HTTP/1.1 200"))
                    .then_some(())
            },
        )
        .await;
    }

    /// SIGKILL: no goodbye to anyone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// SIGTERM: the graceful stop, and wait for the process to exit.
    pub fn terminate(&mut self) {
        self.signal_terminate();
        self.wait_exit();
    }

    /// Sends SIGTERM without waiting.
    pub fn signal_terminate(&self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
        }
    }

    /// Waits for the process to exit (after a signal).
    pub fn wait_exit(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.wait().unwrap();
        }
    }

    /// One value from the service's /metrics; `None` when it cannot be read (it is down).
    pub async fn metric(&self, name: &str) -> Option<i64> {
        let url = format!("http://127.0.0.1:{}/metrics", self.port);
        let mut res = awc::Client::new().get(url).send().await.ok()?;
        let text = String::from_utf8(res.body().await.ok()?.to_vec()).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|n| n.trim().parse().ok())
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Where the services listen, for a proxy in front of them.
pub struct Ports {
    pub accounts: Vec<u16>,
    pub gateways: Vec<u16>,
}

/// Account processes and gateways on a private Redis (one and two unless asked), or on
/// the test's own Redis Cluster (`R`).
pub struct Cluster<R = PrivateRedis> {
    /// The Redis the services were started on (behind Sentinel: the first master).
    pub redis: R,
    pub accounts: Vec<Service>,
    pub gateways: Vec<Service>,
    /// A client for the account service's HTTP API, with the harness's helpers.
    pub api: TestApp,
    db: TestDatabase,
    _data: tempfile::TempDir,
}

impl Cluster {
    pub async fn start() -> Self {
        Self::start_with(1, 2, |_| None).await
    }

    /// `accounts` account processes (started at once: their migrations race) and
    /// `gateways` gateways. `front` may start a proxy given the account and gateway
    /// ports and return its base URL, which the API client then uses.
    pub async fn start_with(
        accounts: usize,
        gateways: usize,
        front: impl FnOnce(&Ports) -> Option<String>,
    ) -> Self {
        Self::start_on(
            PrivateRedis::start(free_port()).await,
            &[],
            accounts,
            gateways,
            front,
        )
        .await
    }

    /// As [`Cluster::start_with`], on a Redis the caller started, the account processes
    /// with `account_env` added to (or overriding) their environment.
    pub async fn start_on(
        redis: PrivateRedis,
        account_env: &[(&str, &str)],
        accounts: usize,
        gateways: usize,
        front: impl FnOnce(&Ports) -> Option<String>,
    ) -> Self {
        let url = format!("redis://127.0.0.1:{}", redis.port);
        let redis_env = vec![("PINTALK__REDIS__URL".to_owned(), url)];
        Self::start_configured(redis, redis_env, account_env, accounts, gateways, front).await
    }
}

impl<R> Cluster<R> {
    /// As [`Cluster::start_on`], with the services' Redis settings given as environment
    /// (e.g. sentinels to find `redis` through).
    pub async fn start_configured(
        redis: R,
        redis_env: Vec<(String, String)>,
        account_env: &[(&str, &str)],
        accounts: usize,
        gateways: usize,
        front: impl FnOnce(&Ports) -> Option<String>,
    ) -> Self {
        let db = TestDatabase::new().unwrap();
        let data = tempfile::tempdir().unwrap();
        let (mail, smtp_port) = MailBox::start().await;
        let private_pem = generate_private_pem().unwrap();
        let public_pem = Signer::new("pintalk", &private_pem, &[])
            .unwrap()
            .public_pem()
            .to_owned();
        let common = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
            let mut env = redis_env.clone();
            env.push((
                "PINTALK__DATA_DIR".to_owned(),
                data.path().display().to_string(),
            ));
            env.extend(
                extra
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            env
        };
        let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
        let mut account_settings = vec![
            ("PINTALK__DATABASE__URL", db.url.as_str()),
            ("PINTALK__AUTH__SIGNING_KEY", &private_pem),
            ("PINTALK__AUTH__BCRYPT_COST", "10"),
            ("PINTALK__MAIL__SMTP_URL", &smtp_url),
            ("PINTALK__PERSISTER__CLAIM_IDLE_MS", "1000"),
            ("PINTALK__LIMITS__SESSIONS_PER_IP", "100000"),
            ("PINTALK__LIMITS__CONVERSATIONS_PER_IP", "100000"),
            ("PINTALK__LIMITS__VISITOR_MESSAGES_PER_MINUTE", "100000"),
            ("PINTALK__SERVER__TRUST_FORWARDED_FOR", "true"),
        ];
        // Later entries win: the process sees the caller's value of a key set twice.
        account_settings.extend_from_slice(account_env);
        let account_env = common(&account_settings);
        let accounts: Vec<Service> = (0..accounts)
            .map(|_| Service::spawn("pintalk-account", free_port(), account_env.clone()))
            .collect();
        let gateway_env = common(&[
            ("PINTALK__AUTH__PUBLIC_KEYS", &public_pem),
            ("PINTALK__SERVER__TRUST_FORWARDED_FOR", "true"),
        ]);
        let gateways: Vec<Service> = (0..gateways)
            .map(|_| Service::spawn("pintalk-gateway", free_port(), gateway_env.clone()))
            .collect();
        for service in accounts.iter().chain(&gateways) {
            service.wait_ready().await;
        }
        let ports = Ports {
            accounts: accounts.iter().map(|s| s.port).collect(),
            gateways: gateways.iter().map(|s| s.port).collect(),
        };
        let base =
            front(&ports).unwrap_or_else(|| format!("http://127.0.0.1:{}", ports.accounts[0]));
        let api = TestApp::attach(base, mail, private_pem);
        Cluster {
            redis,
            accounts,
            gateways,
            api,
            db,
            _data: data,
        }
    }

    /// The database the account process writes to.
    pub fn database_url(&self) -> String {
        self.db.url.clone()
    }

    /// A verified owner with a site allowing `origin`.
    pub async fn owner_with_site(&self, email: &str, origin: &str) -> (Owner, Value) {
        let password = "correct horse battery";
        let reply = self.api.signup(email, password, "Ann").await;
        assert_eq!(
            reply.status,
            awc::http::StatusCode::CREATED,
            "{:?}",
            reply.body
        );
        let token = link_token(&self.api.mail.wait_for(email, "Verify your email", 1).await);
        self.api.verify_email(&token).await;
        let login = self.api.login(email, password).await;
        let owner = Owner {
            email: email.into(),
            password: password.into(),
            access: login.body["access_token"].as_str().unwrap().into(),
            refresh: login.body["refresh_token"].as_str().unwrap().into(),
        };
        let site = self.api.new_site(&owner, &[origin]).await;
        (owner, site)
    }
}
