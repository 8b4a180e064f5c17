//! `pintalk-load`: the one load client of `scripts/bench`. It speaks PinTalk's protocol
//! and the two peers' (../shared/peers), runs a workload against one system, prints a
//! line per step and writes the report as JSON. docs/benchmarks.md says how it is used.

mod chat;
mod http;
mod idle;
mod measure;
mod pintalk;
mod socket;
mod storm;
mod system;
mod target;

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use serde::Serialize;

#[derive(Parser)]
#[command(name = "pintalk-load", about = "Load client for PinTalk and its peers")]
struct Cli {
    #[command(subcommand)]
    workload: Workload,
    /// Write the report here as JSON (it is printed to stdout too).
    #[arg(long, global = true)]
    json: Option<PathBuf>,
    /// Exit non-zero unless everything asked for happened: every socket opened, every
    /// message delivered, nothing lost. For smoke runs.
    #[arg(long, global = true)]
    check: bool,
    /// Runtime worker threads (0: one per core).
    #[arg(long, global = true, default_value_t = 0)]
    threads: usize,
}

#[derive(Subcommand)]
enum Workload {
    /// W1: idle authenticated connections: connects per second, memory per connection.
    Idle(idle::IdleArgs),
    /// W2/W4: two-member conversations, the send rate stepped up.
    Chat(chat::ChatArgs),
    /// W3: a gateway killed under thousands of visitors, who come back and resume.
    Storm(storm::StormArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if cli.threads > 0 {
        runtime.worker_threads(cli.threads);
    }
    let runtime = runtime.enable_all().build()?;
    runtime.block_on(async {
        match cli.workload {
            Workload::Idle(args) => {
                let report = idle::run(args).await?;
                let complete = report.failed == 0;
                finish(&report, cli.json, cli.check && !complete)
            }
            Workload::Chat(args) => {
                let report = chat::run(args).await?;
                let complete = report
                    .steps
                    .iter()
                    .all(|s| s.offered > 0 && s.delivered == s.offered);
                finish(&report, cli.json, cli.check && !complete)
            }
            Workload::Storm(args) => {
                let report = storm::run(args).await?;
                let complete = report.lost == 0 && report.duplicated == 0 && report.failures == 0;
                finish(&report, cli.json, cli.check && !complete)
            }
        }
    })
}

/// A progress line on stderr (stdout carries the report).
pub fn log(line: &str) {
    eprintln!("[load] {line}");
}

fn finish(report: &impl Serialize, json: Option<PathBuf>, failed_check: bool) -> Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    println!("{text}");
    if let Some(path) = json {
        std::fs::write(&path, &text)?;
    }
    if failed_check {
        bail!("--check: the run did not deliver everything it was asked to");
    }
    Ok(())
}
