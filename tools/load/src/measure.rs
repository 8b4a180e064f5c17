//! What the tool measures besides its own sockets: delivery latency summaries, and the
//! servers' processes (RSS and CPU from /proc) and the persister's metrics.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hdrhistogram::Histogram;
use serde::Serialize;

use crate::http;

/// Delivery latency, microseconds in, milliseconds out.
#[derive(Clone)]
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    #[expect(clippy::expect_used, reason = "constant bounds that are valid")]
    fn default() -> Self {
        // 1 µs to 10 min at 3 significant digits; longer is recorded as 10 min.
        Latency(Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds"))
    }
}

impl Latency {
    pub fn record(&mut self, micros: u64) {
        self.0.saturating_record(micros.max(1));
    }

    pub fn summary(&self) -> LatencySummary {
        let ms = |v: u64| v as f64 / 1000.0;
        LatencySummary {
            count: self.0.len(),
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// A server process the tool reports on, by a name of the script's choosing.
#[derive(Clone, Debug)]
pub struct Process {
    pub name: String,
    pub pid: u32,
}

impl std::str::FromStr for Process {
    type Err = anyhow::Error;

    /// `NAME=PID`
    fn from_str(s: &str) -> Result<Self> {
        let (name, pid) = s.split_once('=').context("expected NAME=PID")?;
        Ok(Process {
            name: name.to_owned(),
            pid: pid.parse().context("PID is not a number")?,
        })
    }
}

/// The processes to report on, and the load tool itself: it shares the cores.
pub fn and_load_tool(processes: &[Process]) -> Vec<Process> {
    let mut all = processes.to_vec();
    all.push(Process {
        name: "load-tool".into(),
        pid: std::process::id(),
    });
    all
}

/// One reading of each process: resident memory and CPU time so far.
pub struct Snapshot {
    at: Instant,
    readings: Vec<(Process, u64, u64)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProcessUsage {
    pub name: String,
    pub rss_mib: f64,
    /// Growth of resident memory since the first snapshot, KiB.
    pub rss_growth_kib: i64,
    /// CPU time over wall time between the snapshots; 100 is one core.
    pub cpu_percent: f64,
}

/// Linux reports CPU time in clock ticks of 1/100 s on every platform we run.
const TICKS_PER_SEC: f64 = 100.0;

impl Snapshot {
    pub fn take(processes: &[Process]) -> Result<Snapshot> {
        let readings = processes
            .iter()
            .map(|p| Ok((p.clone(), rss_kib(p.pid)?, cpu_ticks(p.pid)?)))
            .collect::<Result<_>>()?;
        Ok(Snapshot {
            at: Instant::now(),
            readings,
        })
    }

    /// Usage between `self` (earlier) and `later`.
    pub fn usage_until(&self, later: &Snapshot) -> Vec<ProcessUsage> {
        let secs = later.at.duration_since(self.at).as_secs_f64().max(1e-3);
        self.readings
            .iter()
            .zip(&later.readings)
            .map(|((p, rss0, cpu0), (_, rss1, cpu1))| ProcessUsage {
                name: p.name.clone(),
                rss_mib: *rss1 as f64 / 1024.0,
                rss_growth_kib: *rss1 as i64 - *rss0 as i64,
                cpu_percent: (cpu1.saturating_sub(*cpu0)) as f64 / TICKS_PER_SEC / secs * 100.0,
            })
            .collect()
    }
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("process {pid} is gone"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}

fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("process {pid} is gone"))?;
    // Fields after the command name (which may hold spaces) in parentheses; utime and
    // stime are the 14th and 15th fields of the line, the 12th and 13th after it.
    let rest = stat.rsplit_once(')').context("odd /proc stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| -> Result<u64> {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .context("odd /proc stat")
    };
    Ok(field(11)? + field(12)?)
}

/// The persister's counters, read from the account service's `/metrics`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct PersisterReading {
    pub persisted: u64,
    pub backlog: u64,
}

pub async fn persister(api: &str) -> Result<PersisterReading> {
    let reply = http::get(api, "/metrics").await?;
    let value = |name: &str| -> u64 {
        reply
            .text
            .lines()
            .find_map(|l| {
                l.strip_prefix(name)
                    .and_then(|v| v.trim().parse::<f64>().ok())
            })
            .map(|v| v as u64)
            .unwrap_or(0)
    };
    Ok(PersisterReading {
        persisted: value("pintalk_account_persisted_total "),
        backlog: value("pintalk_account_outbox_backlog "),
    })
}

/// Microseconds since `origin`, the clock every timestamp in a message body uses.
pub fn micros_since(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_micros()).unwrap_or(u64::MAX)
}

pub fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}
