//! A Redis Cluster of the test's own: six `redis-server --cluster-enabled yes` on private
//! ports (three masters, a replica each), quick to fail over: a master silent for a
//! second is down. Ports are given, not free ones (a cluster node also listens on its bus
//! port, and `redis-cli --cluster create` needs them all up front): each test that starts
//! a cluster takes a base of its own in 7100–7149 or 7200–7249 (its bus ports are 50
//! above).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::eventually::eventually;

/// Nodes listen on `base..base + NODES`, their cluster bus on `base + BUS_OFFSET + i`.
const NODES: u16 = 6;
const BUS_OFFSET: u16 = 50;

pub struct RedisCluster {
    /// The nodes' client ports, in the order they were created (masters first, as
    /// `redis-cli --cluster create` assigns them).
    pub ports: Vec<u16>,
    /// The running nodes, by index into `ports`; `None` once killed.
    children: Vec<Option<Child>>,
    /// Each node's directory (its `nodes.conf` survives a restart).
    dir: tempfile::TempDir,
}

impl RedisCluster {
    /// Six nodes from `base` on, joined into a cluster with one replica per master; once
    /// every node sees the cluster whole and every replica is in sync.
    pub async fn start(base: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ports: Vec<u16> = (base..base + NODES).collect();
        let mut cluster = RedisCluster {
            children: ports.iter().map(|_| None).collect(),
            ports,
            dir,
        };
        for i in 0..cluster.ports.len() {
            cluster.launch(i).await;
        }
        let nodes: Vec<String> = cluster
            .ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let status = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&nodes)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli on PATH");
        assert!(status.success(), "redis-cli --cluster create failed");
        for port in cluster.ports.clone() {
            cluster.wait_whole(port).await;
        }
        cluster.wait_replicas_in_sync().await;
        cluster
    }

    /// Starts node `i` in its own directory, and waits until it answers.
    async fn launch(&mut self, i: usize) {
        let port = self.ports[i];
        let node_dir = self.dir.path().join(port.to_string());
        std::fs::create_dir_all(&node_dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-port", &(port + BUS_OFFSET).to_string()])
            .args(["--cluster-node-timeout", "1000"])
            .args(["--cluster-replica-validity-factor", "0"])
            .args(["--cluster-allow-replica-migration", "no"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&node_dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (scripts/test checks for it)");
        let pid = format!("process_id:{}", child.id());
        self.children[i] = Some(child);
        eventually(
            Duration::from_secs(5),
            &format!("cluster node {port} to listen (port taken?)"),
            async || info(port, "server").contains(&pid).then_some(()),
        )
        .await;
    }

    /// `redis.cluster_urls`, as the environment gives it.
    pub fn urls(&self) -> String {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The master holding a key matching `pattern` (there is one: it was written).
    pub fn master_holding(&self, pattern: &str) -> u16 {
        self.live_ports()
            .into_iter()
            .filter(|port| role(*port) == "master")
            .find(|port| !cli(*port, &["--scan", "--pattern", pattern]).is_empty())
            .unwrap_or_else(|| panic!("no master holds {pattern}"))
    }

    /// `kill -9` the node on `port`.
    pub fn kill(&mut self, port: u16) {
        let i = self.index(port);
        if let Some(mut child) = self.children[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The port of the replica following `master`.
    pub fn replica_of(&self, master: u16) -> u16 {
        info(master, "replication")
            .iter()
            .find_map(|l| {
                l.strip_prefix("slave0:")?
                    .split(',')
                    .find_map(|f| f.strip_prefix("port=")?.parse().ok())
            })
            .unwrap_or_else(|| panic!("{master} has no replica"))
    }

    /// Waits until the replica on `replica` holds everything its master on `master` had
    /// written when asked.
    pub async fn caught_up(&self, master: u16, replica: u16) {
        let offset = |port: u16, field: &str| -> Option<i64> {
            info(port, "replication")
                .iter()
                .find_map(|l| l.strip_prefix(field)?.parse().ok())
        };
        let written = offset(master, "master_repl_offset:").unwrap();
        eventually(
            Duration::from_secs(10),
            &format!("replica {replica} to catch up with {master}"),
            async || (offset(replica, "slave_repl_offset:")? >= written).then_some(()),
        )
        .await;
    }

    /// `SIGSTOP` the node on `port`: it holds its connections but answers nothing, a
    /// replica falling behind its master. No other helper may ask it anything until
    /// [`RedisCluster::unpause`].
    pub fn pause(&self, port: u16) {
        self.signal(port, "-STOP");
    }

    /// Has the master on `master` drop its replicas' links (`CLIENT KILL TYPE replica`):
    /// what it writes from here on reaches no replica until one connects again. A paused
    /// replica alone would not lag: on loopback the replication stream waits in its
    /// socket's kernel buffer and is read once it runs again, even after the master died.
    pub fn cut_replication(&self, master: u16) {
        let killed = cli(master, &["CLIENT", "KILL", "TYPE", "replica"]);
        assert_ne!(killed, ["0"], "{master} had no replica link to cut");
    }

    /// `SIGCONT` the node on `port`.
    pub fn unpause(&self, port: u16) {
        self.signal(port, "-CONT");
    }

    fn signal(&self, port: u16, signal: &str) {
        let child = self.children[self.index(port)].as_ref().unwrap();
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal} {port}");
    }

    /// Waits until the cluster has promoted a replica in place of the dead `master`, and
    /// every live node sees the cluster whole again.
    pub async fn failed_over(&self, master: u16) {
        for port in self.live_ports() {
            eventually(
                Duration::from_secs(30),
                &format!("node {port} to see {master}'s replica promoted"),
                async || {
                    let nodes = cli(port, &["CLUSTER", "NODES"]);
                    let dead = nodes
                        .iter()
                        .find(|line| line.contains(&format!("127.0.0.1:{master}@")))?;
                    let flags = dead.split(' ').nth(2)?;
                    // Every slot served again, and the dead master known failed (not just
                    // suspected): its slots are the promoted replica's.
                    (flags.split(',').any(|f| f == "fail") && cluster_ok(port)).then_some(())
                },
            )
            .await;
        }
    }

    /// Starts the killed node on `port` again, empty: it rejoins as a replica of the
    /// master promoted in its place (its `nodes.conf` says so), once in sync.
    pub async fn rejoin(&mut self, port: u16) {
        let i = self.index(port);
        self.launch(i).await;
        self.wait_whole(port).await;
        self.wait_replicas_in_sync().await;
    }

    fn index(&self, port: u16) -> usize {
        self.ports.iter().position(|p| *p == port).unwrap()
    }

    fn live_ports(&self) -> Vec<u16> {
        self.ports
            .iter()
            .zip(&self.children)
            .filter(|(_, child)| child.is_some())
            .map(|(port, _)| *port)
            .collect()
    }

    async fn wait_whole(&self, port: u16) {
        eventually(
            Duration::from_secs(30),
            &format!("cluster node {port} to see every slot served"),
            async || cluster_ok(port).then_some(()),
        )
        .await;
    }

    async fn wait_replicas_in_sync(&self) {
        for port in self.live_ports() {
            eventually(
                Duration::from_secs(30),
                &format!("cluster node {port} to be a master or an in-sync replica"),
                async || {
                    let replication = info(port, "replication");
                    let master = replication.iter().any(|l| l == "role:master");
                    let synced = replication.iter().any(|l| l == "master_link_status:up");
                    (master || synced).then_some(())
                },
            )
            .await;
        }
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn cluster_ok(port: u16) -> bool {
    cli(port, &["CLUSTER", "INFO"])
        .iter()
        .any(|l| l == "cluster_state:ok")
}

fn role(port: u16) -> String {
    cli(port, &["ROLE"]).into_iter().next().unwrap_or_default()
}

fn info(port: u16, section: &str) -> Vec<String> {
    cli(port, &["INFO", section])
}

/// One redis-cli call to the node on `port`, its answer one trimmed line per field.
fn cli(port: u16, args: &[&str]) -> Vec<String> {
    let Ok(out) = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}
