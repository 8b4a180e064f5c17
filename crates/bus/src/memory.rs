//! The in-process store: right for one process (the all-in-one binary), and the
//! reference the Redis store must behave like.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::{BusError, Counter, Counters};

/// Everything in this process's memory, behind one lock (operations are tiny).
#[derive(Default)]
pub struct MemoryBus {
    counters: Mutex<HashMap<String, (Counter, Instant)>>,
}

impl MemoryBus {
    fn counters(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Counter, Instant)>> {
        // A panic while holding this lock cannot leave a counter half-written.
        self.counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Counters for MemoryBus {
    async fn hit(&self, key: &str, window: Duration, now_ms: i64) -> Result<Counter, BusError> {
        let now = Instant::now();
        let mut counters = self.counters();
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

    async fn get(&self, key: &str) -> Result<Counter, BusError> {
        let now = Instant::now();
        Ok(self
            .counters()
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(counter, _)| *counter)
            .unwrap_or_default())
    }

    async fn clear(&self, key: &str) -> Result<(), BusError> {
        self.counters().remove(key);
        Ok(())
    }

    async fn ping(&self) -> Result<(), BusError> {
        Ok(())
    }
}
