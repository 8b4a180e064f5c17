//! W3, PinTalk only (the peers have no resume): a gateway holding thousands of visitors
//! is killed; while they are away the other member of each conversation sends them
//! messages; then every visitor comes back at once the way the widget does — a new
//! ticket from the account service, a socket to the surviving gateway, `auth` with
//! `resume` — and must receive exactly the messages it missed, in order.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::Args;
use futures_util::{StreamExt, stream};
use serde::Serialize;

use crate::log;
use crate::measure::{self, Latency, LatencySummary, Process, ProcessUsage, Snapshot};
use crate::socket::Socket;
use crate::system::{Event, System};
use crate::target::{OPEN_CONCURRENCY, Seat, Target, TargetArgs};

/// How long a returning visitor may take (retrying as the widget does) before it counts
/// as not resumed.
const RESUME_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Args, Debug)]
pub struct StormArgs {
    /// The first --server is the gateway that gets killed, the second survives.
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, default_value_t = 5000)]
    pub clients: usize,
    /// Messages each visitor misses while away.
    #[arg(long, default_value_t = 20)]
    pub missed: u64,
    /// The process id of the first server, killed with SIGKILL.
    #[arg(long)]
    pub kill_pid: u32,
    /// Server processes to report on during the return, `NAME=PID` (the killed one is
    /// left out).
    #[arg(long = "process")]
    pub processes: Vec<Process>,
    /// Returning visitors on their way at any moment (all of them, by default).
    #[arg(long)]
    pub concurrency: Option<usize>,
}

#[derive(Serialize)]
pub struct StormReport {
    pub clients: usize,
    pub missed_each: u64,
    pub resumed: usize,
    /// From the first visitor setting off back (after the widget's first back-off delay
    /// of 0.25–0.5 s) until the last has every missed message.
    pub all_resumed_secs: f64,
    /// Attempts that failed and were retried after a back-off, as the widget would.
    pub retries: u64,
    /// Each visitor's time to resume, from the same start.
    pub resume_time: LatencySummary,
    /// Missed messages a resumed visitor did not get (a gap in its seqs).
    pub lost: u64,
    pub duplicated: u64,
    /// Visitors not resumed within the time allowed.
    pub failures: usize,
    pub first_failure: Option<String>,
    /// CPU and memory of each process over the return.
    pub processes: Vec<ProcessUsage>,
}

pub async fn run(args: StormArgs) -> Result<StormReport> {
    ensure!(
        args.target.system == System::Pintalk,
        "the storm needs PinTalk's resume"
    );
    ensure!(
        args.target.servers.len() == 2,
        "give the doomed gateway and the survivor"
    );
    let target = Target::prepare(args.target.clone()).await?;
    let pintalk = target.pintalk.clone().context("PinTalk prepared")?;
    let seats = target.seats(args.clients).await?;
    // Visitors on the doomed gateway, the other members on the survivor.
    let others_seats = target.again(&seats).await?;
    let visitors = target.open_all(&seats, 0).await?;
    let mut others = target.open_all(&others_seats, 1).await?;
    log(&format!(
        "{} visitors on the first gateway; killing it",
        visitors.len()
    ));
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &args.kill_pid.to_string()])
        .status()?;
    ensure!(killed.success(), "could not kill process {}", args.kill_pid);
    drop(visitors);

    // While the visitors are away, each conversation gets `missed` messages.
    let sent: Vec<Result<()>> = stream::iter(others.iter_mut().zip(&seats))
        .map(|(socket, seat)| send_and_wait_acks(socket, &seat.room, args.missed))
        .buffer_unordered(OPEN_CONCURRENCY)
        .collect()
        .await;
    sent.into_iter().collect::<Result<Vec<()>>>()?;
    log("missed messages sent and acknowledged; the visitors come back");

    let survivors: Vec<Process> = measure::and_load_tool(&args.processes)
        .into_iter()
        .filter(|p| p.pid != args.kill_pid)
        .collect();
    let before = Snapshot::take(&survivors)?;
    let start = Instant::now();
    let retries = AtomicU64::new(0);
    let returns: Vec<Result<(Duration, u64, u64)>> = stream::iter(seats.iter().enumerate())
        .map(|(n, seat)| {
            let target = &target;
            let pintalk = &pintalk;
            let retries = &retries;
            async move {
                let deadline = start + RESUME_TIMEOUT;
                let mut attempt = 0;
                loop {
                    tokio::time::sleep(backoff(n, attempt)).await;
                    match tokio::time::timeout_at(
                        deadline.into(),
                        come_back(target, pintalk, n, seat, args.missed),
                    )
                    .await
                    {
                        Err(_) => bail!("not resumed within {RESUME_TIMEOUT:?}"),
                        Ok(Ok((lost, duplicated))) => {
                            return Ok((start.elapsed(), lost, duplicated));
                        }
                        Ok(Err(e)) if Instant::now() + backoff(n, attempt + 1) >= deadline => {
                            return Err(e);
                        }
                        Ok(Err(_)) => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            attempt += 1;
                        }
                    }
                }
            }
        })
        .buffer_unordered(args.concurrency.unwrap_or(args.clients).max(1))
        .collect()
        .await;
    let all_resumed = start.elapsed();
    let processes = before.usage_until(&Snapshot::take(&survivors)?);

    let mut times = Latency::default();
    let (mut lost, mut duplicated, mut failures, mut first_failure) = (0, 0, 0, None);
    for r in returns {
        match r {
            Ok((took, l, d)) => {
                times.record(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
                lost += l;
                duplicated += d;
            }
            Err(e) => {
                failures += 1;
                first_failure.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    Ok(StormReport {
        clients: args.clients,
        missed_each: args.missed,
        resumed: args.clients - failures,
        all_resumed_secs: measure::secs(all_resumed),
        resume_time: times.summary(),
        retries: retries.load(Ordering::Relaxed),
        lost,
        duplicated,
        failures,
        first_failure,
        processes,
    })
}

/// One visitor's way back, as the widget takes it: a new ticket, a socket to the
/// surviving gateway, `auth` with `resume`, then the replay.
async fn come_back(
    target: &Target,
    pintalk: &crate::pintalk::Pintalk,
    n: usize,
    seat: &Seat,
    missed: u64,
) -> Result<(u64, u64)> {
    let ticket = pintalk
        .session(seat.ticket.as_ref())
        .await
        .context("a new ticket")?;
    let back = Seat {
        room: seat.room.clone(),
        ticket: Some(ticket),
    };
    // Nothing was delivered before the kill, so each resumes from 0.
    let socket = target.open(1, n, &back, Some(0)).await?;
    replayed(socket, missed).await
}

/// The widget's reconnect delay: 0.5 s doubling up to 15 s, each time a random 50–100 %
/// of it (here a fixed pseudo-random draw per visitor and attempt, so runs repeat).
fn backoff(n: usize, attempt: u32) -> Duration {
    let base = (500u64 << attempt.min(5)).min(15_000);
    let mut x = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(attempt);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    Duration::from_millis(base / 2 + x % (base / 2 + 1))
}

/// Sends `n` messages at once (well within the per-socket burst) and waits for their acks.
async fn send_and_wait_acks(socket: &mut Socket, room: &str, n: u64) -> Result<()> {
    for i in 0..n {
        let frame = System::Pintalk.send_frame(room, &format!("missed.{i}.x"), i);
        socket.send(frame).await?;
    }
    let mut acked = 0;
    while acked < n {
        let text = socket
            .next_text()
            .await?
            .context("closed before every ack")?;
        match System::Pintalk.decode(&text) {
            Event::Ack => acked += 1,
            Event::Error(code) => bail!("send refused: {code}"),
            Event::Overloaded(_) => bail!("send refused: overloaded"),
            _ => {}
        }
    }
    Ok(())
}

/// Reads the replay until seqs 1..=missed have all arrived; returns (lost, duplicated).
async fn replayed(mut socket: Socket, missed: u64) -> Result<(u64, u64)> {
    let mut seen = BTreeSet::new();
    let mut duplicated = 0;
    while (seen.len() as u64) < missed {
        let Some(text) = socket.next_text().await? else {
            bail!("closed during the replay")
        };
        match System::Pintalk.decode(&text) {
            Event::Chat { seq: Some(seq), .. } if !seen.insert(seq) => {
                duplicated += 1;
            }
            Event::Error(code) => bail!("refused on return: {code}"),
            _ => {}
        }
    }
    let lost = (1..=missed).filter(|s| !seen.contains(s)).count() as u64;
    socket.close().await;
    Ok((lost, duplicated))
}
