//! The memory store's counters.

use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::MemoryBus;
use crate::BusError;
use crate::counters::{Counter, Counters, WindowCount};

#[async_trait]
impl Counters for MemoryBus {
    async fn hit(&self, key: &str, window: Duration, now_ms: i64) -> Result<Counter, BusError> {
        let now = Instant::now();
        let mut state = self.state();
        let counters = &mut state.counters;
        // Drop expired entries now and then so memory stays bounded by live keys.
        if counters.len() > 10_000 {
            counters.retain(|_, (_, expires)| *expires > now);
        }
        let entry = counters
            .entry(key.to_owned())
            .or_insert((Counter::default(), now + window));
        if entry.1 <= now {
            entry.0 = Counter::default();
        }
        entry.0.count += 1;
        entry.0.last_hit_ms = now_ms;
        entry.1 = now + window;
        Ok(entry.0)
    }

    async fn hit_window(&self, key: &str, window: Duration) -> Result<WindowCount, BusError> {
        let now = Instant::now();
        let mut state = self.state();
        let counters = &mut state.counters;
        if counters.len() > 10_000 {
            counters.retain(|_, (_, expires)| *expires > now);
        }
        let entry = counters
            .entry(format!("window:{key}"))
            .or_insert((Counter::default(), now + window));
        if entry.1 <= now {
            *entry = (Counter::default(), now + window);
        }
        entry.0.count += 1;
        let left = entry.1.saturating_duration_since(now);
        Ok(WindowCount {
            count: entry.0.count,
            resets_in_ms: u64::try_from(left.as_millis()).unwrap_or(u64::MAX),
        })
    }

    async fn get(&self, key: &str) -> Result<Counter, BusError> {
        let now = Instant::now();
        Ok(self
            .state()
            .counters
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(counter, _)| *counter)
            .unwrap_or_default())
    }

    async fn clear(&self, key: &str) -> Result<(), BusError> {
        self.state().counters.remove(key);
        Ok(())
    }

    async fn ping(&self) -> Result<(), BusError> {
        Ok(())
    }
}
