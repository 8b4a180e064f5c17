//! The account service's persister watched through a step: rows written and backlog.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use crate::measure::{self, PersisterReading};

#[derive(Serialize)]
pub struct PersisterStep {
    /// Rows written during the step and its drain.
    pub persisted: u64,
    pub persisted_per_sec: f64,
    pub backlog_start: u64,
    pub backlog_end: u64,
    pub backlog_max: u64,
    /// The backlog once a second through the step and its drain.
    pub backlog_series: Vec<u64>,
}

pub(super) async fn watch_persister(api: String, secs: u64) -> Result<PersisterStep> {
    let start = Instant::now();
    let first = measure::persister(&api).await?;
    let mut series = vec![first.backlog];
    let mut last: PersisterReading = first;
    for _ in 0..secs {
        tokio::time::sleep(Duration::from_secs(1)).await;
        last = measure::persister(&api).await?;
        series.push(last.backlog);
    }
    Ok(PersisterStep {
        persisted: last.persisted.saturating_sub(first.persisted),
        persisted_per_sec: last.persisted.saturating_sub(first.persisted) as f64
            / start.elapsed().as_secs_f64(),
        backlog_start: first.backlog,
        backlog_end: last.backlog,
        backlog_max: series.iter().copied().max().unwrap_or(0),
        backlog_series: series,
    })
}
