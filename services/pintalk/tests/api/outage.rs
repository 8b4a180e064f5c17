//! Dependencies going away: the service answers 503 `unavailable` without its cause, and
//! recovers by itself when they come back. Uses a private redis-server on its own port.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

/// A redis-server of the test's own, on its own port: keeping nothing on disk, or an
/// append-only file with `appendfsync everysec` in a directory of its own.
pub struct PrivateRedis {
    pub port: u16,
    child: Child,
    /// Where the append-only file lives, when it keeps one.
    aof: Option<std::path::PathBuf>,
}

impl PrivateRedis {
    pub fn start(port: u16) -> Self {
        Self::launch(port, None)
    }

    /// Keeps an AOF (`everysec`, Redis's default fsync policy) in `dir`.
    pub fn start_with_aof(port: u16, dir: std::path::PathBuf) -> Self {
        Self::launch(port, Some(dir))
    }

    fn launch(port: u16, aof: Option<std::path::PathBuf>) -> Self {
        let port_arg = port.to_string();
        let mut args = vec!["--port", &port_arg, "--bind", "127.0.0.1", "--save", ""];
        let dir = aof.as_ref().map(|d| d.display().to_string());
        match &dir {
            Some(dir) => args.extend([
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--dir",
                dir,
            ]),
            None => args.extend(["--appendonly", "no"]),
        }
        let child = Command::new("redis-server")
            .args(&args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (scripts/test checks for it)");
        let redis = PrivateRedis { port, child, aof };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("private redis-server did not start on {port}");
    }

    pub fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl PrivateRedis {
    /// Kills it and starts an empty one on the same port: Redis lost everything.
    pub fn restart_empty(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        *self = PrivateRedis::start(self.port);
    }

    /// `kill -9`, then a restart on the same port from what its AOF had on disk.
    pub fn crash_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        *self = PrivateRedis::launch(self.port, self.aof.take());
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[actix_web::test]
async fn redis_down_is_503_unavailable_without_the_cause_and_recovers() {
    let redis = PrivateRedis::start(free_port());
    let port = redis.port;
    let app =
        TestApp::spawn_with(|s| s.redis.url = format!("redis://127.0.0.1:{port}").into()).await;
    let owner = app.owner("outage@example.com").await;
    redis.stop();

    let ready = app.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.code(), "unavailable");
    let login = app.login(&owner.email, &owner.password).await;
    assert_eq!(login.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(login.code(), "unavailable");
    let message = login.body["message"].as_str().unwrap();
    assert!(
        !message.contains("127.0.0.1") && !message.to_lowercase().contains("refused"),
        "{message}"
    );
    assert!(login.header("x-request-id").is_some());
    // Requests that need only the database still work.
    assert_eq!(
        app.get_auth("/api/v1/me", &owner.access).await.status,
        StatusCode::OK
    );

    let _redis = PrivateRedis::start(port);
    let ready = app.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    let login = app
        .post(
            "/api/v1/auth/login",
            json!({ "email": owner.email, "password": owner.password }),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
}
