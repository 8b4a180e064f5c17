//! W1: many authenticated, idle connections — how fast they open and what each costs the
//! servers in resident memory.

use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use futures_util::{StreamExt, stream};
use serde::Serialize;

use crate::log;
use crate::measure::{self, Process, ProcessUsage, Snapshot};
use crate::target::{Target, TargetArgs};

#[derive(Args, Debug)]
pub struct IdleArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Sockets being opened at any moment.
    #[arg(long, default_value_t = 200)]
    pub concurrency: usize,
    /// Server processes to report on, `NAME=PID`.
    #[arg(long = "process")]
    pub processes: Vec<Process>,
}

#[derive(Serialize)]
pub struct IdleReport {
    pub system: crate::system::System,
    pub asked: usize,
    pub open: usize,
    pub failed: usize,
    pub first_failure: Option<String>,
    pub open_secs: f64,
    pub connects_per_sec: f64,
    /// The servers' resident memory growth over the open connections, KiB each.
    pub kib_per_connection: f64,
    pub processes: Vec<ProcessUsage>,
}

pub async fn run(args: IdleArgs) -> Result<IdleReport> {
    let processes = measure::and_load_tool(&args.processes);
    let target = Target::prepare(args.target.clone()).await?;
    // Tickets first (HTTP): the clock below times only the sockets.
    let seats = target.seats(args.connections).await?;
    let before = Snapshot::take(&processes)?;
    let start = Instant::now();
    let results: Vec<_> = stream::iter(seats.iter().enumerate())
        .map(|(n, seat)| target.open(n, n, seat, None))
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let open_secs = start.elapsed();
    let opened = Snapshot::take(&processes)?;
    let mut sockets = Vec::new();
    let mut first_failure = None;
    for result in results {
        match result {
            Ok(socket) => sockets.push(socket),
            Err(e) => {
                first_failure.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    log(&format!(
        "{} of {} open in {:.2} s",
        sockets.len(),
        args.connections,
        open_secs.as_secs_f64()
    ));
    // Let allocators and buffers settle before reading memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = Snapshot::take(&processes)?;
    // CPU while the sockets opened; memory once they have settled.
    let usage: Vec<ProcessUsage> = before
        .usage_until(&after)
        .into_iter()
        .zip(before.usage_until(&opened))
        .map(|(settled, opening)| ProcessUsage {
            cpu_percent: opening.cpu_percent,
            ..settled
        })
        .collect();
    // The servers' growth: not Redis's (shared, and every system keeps its own kind of
    // state there) nor the load tool's.
    let growth: i64 = usage
        .iter()
        .filter(|p| p.name != "redis" && p.name != "load-tool")
        .map(|p| p.rss_growth_kib)
        .sum();
    let open = sockets.len();
    for socket in sockets {
        socket.close().await;
    }
    Ok(IdleReport {
        system: args.target.system,
        asked: args.connections,
        open,
        failed: args.connections - open,
        first_failure,
        open_secs: measure::secs(open_secs),
        connects_per_sec: open as f64 / open_secs.as_secs_f64(),
        kib_per_connection: if open == 0 {
            0.0
        } else {
            growth as f64 / open as f64
        },
        processes: usage,
    })
}
