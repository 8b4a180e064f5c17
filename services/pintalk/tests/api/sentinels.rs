//! Redis Sentinel of the test's own: three sentinels on private ports watching a master
//! (which the caller starts, and may kill) and its replica, quick to fail over: a master
//! silent for a second is down.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::eventually::eventually;
use crate::redis::{PrivateRedis, free_port};

/// The name the sentinels know the master by.
pub const MASTER: &str = "mymaster";

pub struct Sentinels {
    /// The replica the sentinels promote when the master dies.
    pub replica: PrivateRedis,
    /// The sentinels' ports.
    pub ports: Vec<u16>,
    children: Vec<Child>,
    /// Their configuration files, which they rewrite as they learn the topology.
    _dir: tempfile::TempDir,
}

impl Sentinels {
    /// A replica of the Redis on `master` and three sentinels (quorum two), once every
    /// sentinel knows the replica and the other two — so a failover can happen.
    pub async fn start(master: u16) -> Self {
        let replica = PrivateRedis::start_replica_of(free_port(), master).await;
        let dir = tempfile::tempdir().unwrap();
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let children = ports
            .iter()
            .map(|port| {
                let conf = dir.path().join(format!("sentinel-{port}.conf"));
                std::fs::write(
                    &conf,
                    format!(
                        "port {port}\nbind 127.0.0.1\ndir {dir}\n\
                         sentinel monitor {MASTER} 127.0.0.1 {master} 2\n\
                         sentinel down-after-milliseconds {MASTER} 1000\n\
                         sentinel failover-timeout {MASTER} 5000\n",
                        dir = dir.path().display()
                    ),
                )
                .unwrap();
                Command::new("redis-server")
                    .arg(&conf)
                    .arg("--sentinel")
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("redis-server on PATH (scripts/test checks for it)")
            })
            .collect();
        let sentinels = Sentinels {
            replica,
            ports,
            children,
            _dir: dir,
        };
        // Sentinels find each other by hello messages every 2 s through the master; a
        // machine busy with a parallel build can take a while, so the bound is generous.
        for port in &sentinels.ports {
            eventually(
                Duration::from_secs(60),
                &format!("sentinel {port} to know the replica and the other sentinels"),
                async || {
                    let fields = sentinel(*port, &["SENTINEL", "MASTER", MASTER]);
                    let field = |name: &str| {
                        fields
                            .iter()
                            .position(|f| f == name)
                            .and_then(|i| fields.get(i + 1))
                            .and_then(|v| v.parse::<u32>().ok())
                    };
                    (field("num-slaves") == Some(1) && field("num-other-sentinels") == Some(2))
                        .then_some(())
                },
            )
            .await;
        }
        sentinels
    }

    /// `redis.sentinels`, as the environment gives it.
    pub fn urls(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The port of the master the sentinels name.
    pub fn master_port(&self) -> Option<u16> {
        let answer = sentinel(
            self.ports[0],
            &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER],
        );
        answer.get(1)?.parse().ok()
    }

    /// Waits until the sentinels have promoted the replica.
    pub async fn failed_over(&self) {
        let replica = self.replica.port;
        eventually(
            Duration::from_secs(30),
            "the sentinels to promote the replica",
            async || (self.master_port() == Some(replica)).then_some(()),
        )
        .await;
    }
}

impl Drop for Sentinels {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One command to the sentinel on `port`, its answer one line per field.
fn sentinel(port: u16, args: &[&str]) -> Vec<String> {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli on PATH");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
