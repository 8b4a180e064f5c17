//! A redis-server of the test's own, for the tests that take Redis away or restart it,
//! and `free_port` for the processes the tests start.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::eventually::eventually;

/// A redis-server of the test's own, on its own port: keeping nothing on disk, or an
/// append-only file with `appendfsync everysec` in a directory of its own.
pub struct PrivateRedis {
    pub port: u16,
    child: Child,
    /// Where the append-only file lives, when it keeps one.
    aof: Option<std::path::PathBuf>,
    /// Its working directory otherwise: a replica's full sync writes `dump.rdb` there,
    /// which the next redis-server started in the same directory would load.
    _scratch: tempfile::TempDir,
}

impl PrivateRedis {
    pub async fn start(port: u16) -> Self {
        Self::launch(port, None, None).await
    }

    /// Keeps an AOF (`everysec`, Redis's default fsync policy) in `dir`.
    pub async fn start_with_aof(port: u16, dir: std::path::PathBuf) -> Self {
        Self::launch(port, Some(dir), None).await
    }

    /// A replica of the Redis on `master` (asynchronous replication, as Redis does).
    pub async fn start_replica_of(port: u16, master: u16) -> Self {
        Self::launch(port, None, Some(master)).await
    }

    async fn launch(port: u16, aof: Option<std::path::PathBuf>, master: Option<u16>) -> Self {
        let port_arg = port.to_string();
        let mut args = vec!["--port", &port_arg, "--bind", "127.0.0.1", "--save", ""];
        let master_arg = master.map(|m| m.to_string());
        if let Some(master) = &master_arg {
            args.extend(["--replicaof", "127.0.0.1", master]);
        }
        let scratch = tempfile::tempdir().unwrap();
        let dir = aof
            .as_deref()
            .unwrap_or(scratch.path())
            .display()
            .to_string();
        args.extend(["--dir", &dir]);
        if aof.is_some() {
            args.extend(["--appendonly", "yes", "--appendfsync", "everysec"]);
        } else {
            args.extend(["--appendonly", "no"]);
        }
        let child = Command::new("redis-server")
            .args(&args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (scripts/test checks for it)");
        let mut redis = PrivateRedis {
            port,
            child,
            aof,
            _scratch: scratch,
        };
        // Its own, not another test's that took the port first.
        let pid = format!("process_id:{}", redis.child.id());
        eventually(
            Duration::from_secs(5),
            &format!("the private redis-server to listen on {port}"),
            async || {
                if let Ok(Some(status)) = redis.child.try_wait() {
                    panic!("redis-server on {port} exited ({status}): port taken?");
                }
                let out = Command::new("redis-cli")
                    .args(["-p", &port.to_string(), "INFO", "server"])
                    .output()
                    .ok()?;
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .any(|line| line.trim() == pid)
                    .then_some(())
            },
        )
        .await;
        redis
    }

    pub fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Kills it and starts an empty one on the same port: Redis lost everything.
    pub async fn restart_empty(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        *self = PrivateRedis::start(self.port).await;
    }

    /// `kill -9`, then a restart on the same port from what its AOF had on disk.
    pub async fn crash_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        *self = PrivateRedis::launch(self.port, self.aof.take(), None).await;
    }

    /// `kill -9`, and nothing more.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
