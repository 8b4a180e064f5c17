//! The deployment of docker-compose.yml as processes: the repository's nginx.conf
//! rendered for local ports and run by the real nginx, two account processes and three
//! gateways behind it, Redis and the database.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use super::Cluster;
use super::failover::{Chatter, assert_stored_exactly_once};
use super::processes::Ports;
use crate::eventually::eventually;
use crate::redis::free_port;
use crate::socket::{Closed, Socket};

const SHOP: &str = "https://shop.example.com";

/// nginx with the repository's nginx.conf, upstreams pointed at local ports.
pub struct Nginx {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Starts it without waiting (the cluster calls this where nothing can be awaited);
    /// [`Nginx::ready`] waits.
    pub fn start(ports: &Ports) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let conf = render(ports, port, &dir.path().join("access.log"));
        std::fs::write(dir.path().join("pintalk.conf"), conf).unwrap();
        let main = format!(
            "user root;\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/pintalk.conf;\n}}\n",
            d = dir.path().display()
        );
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let nginx = which_nginx();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Nginx { child, port, dir }
    }

    /// Waits (up to 5 s) until it listens.
    pub async fn ready(&self) {
        let port = self.port;
        eventually(
            Duration::from_secs(5),
            &format!(
                "nginx to listen on {port} (its log: {})",
                self.dir.path().join("error.log").display()
            ),
            async || {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()
            },
        )
        .await;
    }

    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which_nginx() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("nginx is installed (scripts/test installs Debian's nginx)")
}

/// nginx.conf with the compose hosts replaced by local upstreams and paths.
fn render(ports: &Ports, listen: u16, access_log: &Path) -> String {
    let conf =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../nginx.conf")).unwrap();
    let servers = |ports: &[u16]| -> String {
        ports
            .iter()
            .map(|p| format!("server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;"))
            .collect::<Vec<_>>()
            .join("\n    ")
    };
    let rendered = conf
        .replace(
            "server account:8080 max_fails=3 fail_timeout=5s;",
            &servers(&ports.accounts),
        )
        .replace(
            "server gateway:8080 max_fails=3 fail_timeout=5s;",
            &servers(&ports.gateways),
        )
        .replace("listen 80;", &format!("listen 127.0.0.1:{listen};"))
        .replace(
            "/var/log/nginx/pintalk.access.log",
            &access_log.display().to_string(),
        );
    assert!(
        !rendered.contains("account:8080")
            && !rendered.contains("gateway:8080")
            && rendered.contains(&listen.to_string())
    );
    rendered
}

/// Open sockets per gateway, from each gateway's own /metrics (0 for a stopped one).
async fn connections(cluster: &Cluster) -> Vec<i64> {
    let mut counts = Vec::new();
    for gateway in &cluster.gateways {
        counts.push(
            gateway
                .metric("pintalk_gateway_connections")
                .await
                .unwrap_or(0),
        );
    }
    counts
}

#[actix_web::test]
async fn through_nginx_two_accounts_and_three_gateways_survive_a_stop_and_a_kill() {
    let mut nginx = None;
    let mut cluster = Cluster::start_with(2, 3, |ports| {
        let started = Nginx::start(ports);
        let base = format!("http://127.0.0.1:{}", started.port);
        nginx = Some(started);
        Some(base)
    })
    .await;
    let nginx = nginx.unwrap();
    nginx.ready().await;
    let (owner, site) = cluster.owner_with_site("nginx@example.com", SHOP).await;
    let key = site["site_key"].as_str().unwrap().to_owned();

    // A visitor and the owner, both through nginx: least_conn puts them on different
    // gateways.
    let mut visitor = Chatter::join(&cluster.api, &key, &nginx.ws_url()).await;
    let ticket = cluster.api.realtime_token(&owner.access).await;
    let owner_token = ticket.body["token"].as_str().unwrap().to_owned();
    let mut dashboard = Socket::open(&nginx.ws_url(), &cluster.api.dashboard_origin()).await;
    dashboard.auth(&owner_token, json!({})).await;
    let counts = connections(&cluster).await;
    assert_eq!(counts.iter().sum::<i64>(), 2, "{counts:?}");
    assert!(
        counts.iter().all(|&c| c <= 1),
        "both on one gateway: {counts:?}"
    );
    let visitor_gateway = counts.iter().position(|&c| c == 1).unwrap();

    visitor.send("hello-1".into()).await;
    visitor.settle().await;
    assert_eq!(dashboard.next_of("message").await["cid"], "hello-1");
    dashboard.post(&visitor.room, "answer", "o-1").await;
    visitor.acked.insert("o-1".into(), 2);

    // The visitor's gateway is stopped gracefully, then the owner's killed.
    cluster.gateways[visitor_gateway].terminate();
    let closed = visitor
        .socket
        .as_mut()
        .unwrap()
        .closed(Duration::from_secs(5))
        .await;
    assert_eq!(closed, Closed::Code(1012));
    visitor.socket = None;
    let counts = connections(&cluster).await;
    let owner_gateway = counts
        .iter()
        .position(|&c| c == 1)
        .expect("the owner's gateway");
    cluster.gateways[owner_gateway].kill();

    // Both come back through nginx to the survivor and go on; nothing acked is lost.
    visitor.reconnect(&cluster.api, &key, &nginx.ws_url()).await;
    visitor.send("hello-2".into()).await;
    visitor.settle().await;
    let ticket = cluster.api.realtime_token(&owner.access).await;
    let mut dashboard = Socket::open(&nginx.ws_url(), &cluster.api.dashboard_origin()).await;
    dashboard
        .auth(
            ticket.body["token"].as_str().unwrap(),
            json!({ visitor.room.clone(): 2 }),
        )
        .await;
    let replayed = dashboard.next_of("message").await;
    assert_eq!(
        (replayed["seq"].as_i64(), replayed["cid"].as_str()),
        (Some(3), Some("hello-2"))
    );
    let survivor = 3 - visitor_gateway - owner_gateway;
    assert_eq!(connections(&cluster).await[survivor], 2);
    let secret = visitor_secret(&visitor);
    assert_stored_exactly_once(&cluster, &[visitor]).await;

    // The access log has the traffic, and no token or secret.
    let log = nginx.access_log();
    assert!(
        log.contains("GET /ws ") && log.contains("POST /api/v1/widget/sessions "),
        "{log}"
    );
    for secret in [
        owner.access.as_str(),
        owner.refresh.as_str(),
        owner_token.as_str(),
        secret.as_str(),
        key.as_str(),
    ] {
        assert!(
            !log.contains(secret),
            "the access log holds a secret: {secret}"
        );
    }
}

fn visitor_secret(chatter: &Chatter) -> String {
    chatter.session["visitor_secret"]
        .as_str()
        .unwrap()
        .to_owned()
}
