//! W2 (and W4): conversations of two members on different servers, the send rate stepped
//! up; per step the delivered share, delivery latency, and each process's CPU and memory.
//! With `--persister`, the account service's persister is watched as well.
//!
//! Every message body is `STEP.SENT_US.FROM.` padded with `x` to the body size: the
//! receiver attributes it to its step, measures its latency against the tool's one clock,
//! and ignores its own messages (PinTalk echoes a message to its sender too).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

mod collector;
mod persister;

use collector::{Collector, body};
pub use persister::PersisterStep;
use persister::watch_persister;

use crate::log;
use crate::measure::{self, Latency, LatencySummary, Process, ProcessUsage, Snapshot};
use crate::socket::Socket;
use crate::system::Event;
use crate::target::{Target, TargetArgs};

/// Frames waiting for one socket's writer; past it the tool counts the send as offered
/// and lost (the server is not taking frames).
const WRITER_QUEUE_FRAMES: usize = 256;
/// A send PinTalk refused with `overloaded` goes again (same cid) after this long, as the
/// widget's does; its latency still counts from the first attempt.
const OVERLOADED_RETRY: Duration = Duration::from_secs(1);
/// The frames a member sent last, to find the one a refusal names (refusals come at once).
const RECENT_FRAMES: usize = 64;

#[derive(Args, Debug)]
pub struct ChatArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Conversations, each of two members.
    #[arg(long, default_value_t = 1000)]
    pub rooms: usize,
    /// Offered rates to step through, messages per second in all.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000,2000,5000,10000,20000,40000"
    )]
    pub rates: Vec<u32>,
    #[arg(long, default_value_t = 10)]
    pub step_secs: u64,
    /// After each step, how long late messages may still arrive and count.
    #[arg(long, default_value_t = 3)]
    pub drain_secs: u64,
    #[arg(long, default_value_t = 100)]
    pub body_bytes: usize,
    /// Stop stepping once less than this share of a step is delivered.
    #[arg(long, default_value_t = 0.5)]
    pub give_up_below: f64,
    /// Server processes to report on, `NAME=PID`.
    #[arg(long = "process")]
    pub processes: Vec<Process>,
    /// Watch PinTalk's persister through this account service's /metrics.
    #[arg(long)]
    pub persister: Option<String>,
}

#[derive(Serialize)]
pub struct ChatReport {
    pub system: crate::system::System,
    pub rooms: usize,
    pub body_bytes: usize,
    pub step_secs: u64,
    pub steps: Vec<StepReport>,
    /// The highest offered rate fully delivered (≥ 99.9 %) with p99 ≤ 10 ms.
    pub best_rate_p99_10ms: Option<f64>,
    /// PinTalk: an owner, site and conversation with history, for the HTTP benchmark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_fixture: Option<HttpFixture>,
}

#[derive(Serialize)]
pub struct HttpFixture {
    pub access_token: String,
    pub site_key: String,
    pub origin: String,
    pub room: String,
}

#[derive(Serialize)]
pub struct StepReport {
    pub target_rate: u32,
    pub offered: u64,
    pub offered_per_sec: f64,
    pub delivered: u64,
    pub delivered_ratio: f64,
    pub delivered_per_sec: f64,
    pub latency: LatencySummary,
    pub errors: BTreeMap<String, u64>,
    /// Sends refused with `overloaded` and sent again (not in `errors`: not lost).
    pub retried: u64,
    pub sockets_closed: u64,
    pub processes: Vec<ProcessUsage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persister: Option<PersisterStep>,
}

pub async fn run(args: ChatArgs) -> Result<ChatReport> {
    let processes = measure::and_load_tool(&args.processes);
    let target = Target::prepare(args.target.clone()).await?;
    let seats = target.seats(args.rooms).await?;
    let second_seats = target.again(&seats).await?;
    let origin = Instant::now();
    let collector = Arc::new(Collector {
        open_step: AtomicU64::new(u64::MAX),
        ..Collector::default()
    });
    // Member 0 of every conversation on the first server, member 1 on the second; the
    // the writer queue of member m of conversation i is writers[2 * i + m].
    let firsts = target.open_all(&seats, 0).await?;
    let seconds = target.open_all(&second_seats, 1).await?;
    let mut writers = Vec::with_capacity(2 * seats.len());
    for (first, second) in firsts.into_iter().zip(seconds) {
        for (me, socket) in [(0, first), (1, second)] {
            let (tx, rx) = mpsc::channel(WRITER_QUEUE_FRAMES);
            writers.push(tx);
            tokio::spawn(member(socket, me, rx, collector.clone(), origin));
        }
    }
    log(&format!("{} sockets open; warming up", writers.len()));
    // Peers join rooms asynchronously and acknowledge nothing: let the joins settle.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let cid = Arc::new(AtomicU64::new(0));
    let mut steps = Vec::new();
    for (index, &rate) in args.rates.iter().enumerate() {
        if let Ok(mut s) = collector.steps.lock() {
            s.push((Latency::default(), 0));
        }
        collector.open_step.store(index as u64, Ordering::Relaxed);
        let before = Snapshot::take(&processes)?;
        let watch = args
            .persister
            .clone()
            .map(|api| tokio::spawn(watch_persister(api, args.step_secs + args.drain_secs)));
        let offered = offer(&args, &target, &seats, &writers, index, rate, origin, &cid).await;
        tokio::time::sleep(Duration::from_secs(args.drain_secs)).await;
        collector.open_step.store(u64::MAX, Ordering::Relaxed);
        let after = Snapshot::take(&processes)?;
        let (latency, delivered) = collector
            .steps
            .lock()
            .map(|s| s[index].clone())
            .unwrap_or_default();
        let errors = collector
            .errors
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        let persister = match watch {
            Some(w) => Some(w.await??),
            None => None,
        };
        let step = StepReport {
            target_rate: rate,
            offered,
            offered_per_sec: offered as f64 / args.step_secs as f64,
            delivered,
            delivered_ratio: if offered == 0 {
                0.0
            } else {
                delivered as f64 / offered as f64
            },
            delivered_per_sec: delivered as f64 / args.step_secs as f64,
            latency: latency.summary(),
            errors,
            retried: collector.retried.swap(0, Ordering::Relaxed),
            sockets_closed: collector.closed.load(Ordering::Relaxed),
            processes: before.usage_until(&after),
            persister,
        };
        log(&format!(
            "{:>6} msg/s offered {:>8.0}/s delivered {:>6.2} % p50 {:>8.2} ms p99 {:>8.2} ms max {:>8.2} ms",
            rate,
            step.offered_per_sec,
            step.delivered_ratio * 100.0,
            step.latency.p50_ms,
            step.latency.p99_ms,
            step.latency.max_ms
        ));
        let give_up = step.delivered_ratio < args.give_up_below;
        steps.push(step);
        if give_up {
            log("delivery collapsed: no higher rates");
            break;
        }
    }
    let best_rate_p99_10ms = steps
        .iter()
        .filter(|s| s.delivered_ratio >= 0.999 && s.latency.p99_ms <= 10.0)
        .map(|s| s.offered_per_sec)
        .reduce(f64::max);
    Ok(ChatReport {
        system: args.target.system,
        rooms: args.rooms,
        body_bytes: args.body_bytes,
        step_secs: args.step_secs,
        steps,
        best_rate_p99_10ms,
        http_fixture: target.pintalk.as_ref().map(|p| HttpFixture {
            access_token: p.access_token.clone(),
            site_key: p.site_key.clone(),
            origin: p.origin.clone(),
            room: seats[0].room.clone(),
        }),
    })
}

/// Sends at `rate` messages per second in all for the step: each conversation on its own
/// clock, the two members taking turns. Returns how many were offered.
#[allow(clippy::too_many_arguments)]
async fn offer(
    args: &ChatArgs,
    target: &Target,
    seats: &[crate::target::Seat],
    writers: &[mpsc::Sender<String>],
    step: usize,
    rate: u32,
    origin: Instant,
    cid: &Arc<AtomicU64>,
) -> u64 {
    let system = target.args.system;
    let rooms = seats.len();
    let period = Duration::from_secs_f64(rooms as f64 / f64::from(rate.max(1)));
    let start = tokio::time::Instant::now();
    let end = start + Duration::from_secs(args.step_secs);
    let offered = Arc::new(AtomicU64::new(0));
    let pacers: Vec<_> = seats
        .iter()
        .enumerate()
        .map(|(i, seat)| {
            let members = [writers[2 * i].clone(), writers[2 * i + 1].clone()];
            let room = seat.room.clone();
            let offered = offered.clone();
            let cid = cid.clone();
            let body_bytes = args.body_bytes;
            // Spread the conversations' clocks over one period.
            let first = start + period.mul_f64(i as f64 / rooms as f64);
            tokio::spawn(async move {
                let mut clock = tokio::time::interval_at(first, period);
                clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
                let mut turn = 0usize;
                loop {
                    let now = clock.tick().await;
                    if now >= end {
                        break;
                    }
                    let from = turn % 2;
                    let body = body(step, measure::micros_since(origin), from, body_bytes);
                    let frame =
                        system.send_frame(&room, &body, cid.fetch_add(1, Ordering::Relaxed));
                    // A full writer queue is the server not reading: offered, and not delivered.
                    let _ = members[from].try_send(frame);
                    offered.fetch_add(1, Ordering::Relaxed);
                    turn += 1;
                }
            })
        })
        .collect();
    for pacer in pacers {
        let _ = pacer.await;
    }
    offered.load(Ordering::Relaxed)
}

/// One member's socket: writes what its conversation's pacer gives it, reads and
/// records deliveries from the other member.
async fn member(
    mut socket: Socket,
    me: u8,
    mut queue: mpsc::Receiver<String>,
    collector: Arc<Collector>,
    origin: Instant,
) {
    let mine = |body: &str| body.split('.').nth(2).and_then(|f| f.parse::<u8>().ok()) == Some(me);
    let mut recent: VecDeque<String> = VecDeque::with_capacity(RECENT_FRAMES);
    // Refused sends, due in order (one fixed delay).
    let mut retries: VecDeque<(tokio::time::Instant, String)> = VecDeque::new();
    loop {
        let due = retries.front().map(|(at, _)| *at);
        let frame = tokio::select! {
            frame = queue.recv() => match frame {
                Some(frame) => frame,
                None => break,
            },
            _ = tokio::time::sleep_until(due.unwrap_or_else(tokio::time::Instant::now)), if due.is_some() => {
                match retries.pop_front() {
                    Some((_, frame)) => frame,
                    None => continue,
                }
            }
            text = socket.next_text() => {
                match text {
                    Ok(Some(text)) => match socket.system.decode(&text) {
                        Event::Chat { body, .. } if !mine(&body) => collector.delivered(&body, measure::micros_since(origin)),
                        Event::Overloaded(cid) => {
                            collector.retried.fetch_add(1, Ordering::Relaxed);
                            let tail = format!(r#""cid":"{cid}"}}"#);
                            if let Some(frame) = recent.iter().find(|f| f.ends_with(&tail)) {
                                retries.push_back((tokio::time::Instant::now() + OVERLOADED_RETRY, frame.clone()));
                            }
                        }
                        Event::Error(code) => collector.error(code),
                        _ => {}
                    },
                    _ => break,
                }
                continue;
            }
        };
        if recent.len() == RECENT_FRAMES {
            recent.pop_front();
        }
        recent.push_back(frame.clone());
        if socket.send(frame).await.is_err() {
            break;
        }
    }
    collector.closed.fetch_add(1, Ordering::Relaxed);
}
