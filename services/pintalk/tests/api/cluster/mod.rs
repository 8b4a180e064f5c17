//! PinTalk as a deployment runs it: one `pintalk-account` process and two
//! `pintalk-gateway` processes, real binaries, on a private Redis and the test database
//! (MariaDB in scripts/test's second pass). Processes are killed and restarted here.

mod failover;
mod faults;
mod mail_loop;
mod nginx;
mod persister_stop;
mod processes;
mod redis_cluster_failover;
mod redis_cluster_lag;
mod sentinel;
mod two_gateways;

pub use processes::Cluster;
