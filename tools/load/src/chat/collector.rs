//! What the members' sockets saw, per step, and the message bodies that let a receiver
//! attribute a delivery to its step and time it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::measure::Latency;

/// What the members' sockets saw, per step.
#[derive(Default)]
pub(super) struct Collector {
    pub(super) steps: Mutex<Vec<(Latency, u64)>>,
    /// The step still counting; deliveries for earlier ones arrive too late to count.
    pub(super) open_step: AtomicU64,
    pub(super) errors: Mutex<BTreeMap<String, u64>>,
    pub(super) retried: AtomicU64,
    pub(super) closed: AtomicU64,
}

impl Collector {
    pub(super) fn delivered(&self, body: &str, now_us: u64) {
        let mut parts = body.splitn(3, '.');
        let (Some(Ok(step)), Some(Ok(sent))) = (
            parts.next().map(str::parse::<u64>),
            parts.next().map(str::parse::<u64>),
        ) else {
            return;
        };
        if step != self.open_step.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut steps) = self.steps.lock()
            && let Some((latency, count)) = steps.get_mut(step as usize)
        {
            latency.record(now_us.saturating_sub(sent));
            *count += 1;
        }
    }

    pub(super) fn error(&self, code: String) {
        if let Ok(mut errors) = self.errors.lock() {
            *errors.entry(code).or_default() += 1;
        }
    }
}

/// `STEP.SENT_US.FROM.` padded with `x` to `size` bytes.
pub(super) fn body(step: usize, sent_us: u64, from: usize, size: usize) -> String {
    let mut body = format!("{step}.{sent_us}.{from}.");
    while body.len() < size {
        body.push('x');
    }
    body
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use super::{Collector, body};
    use crate::measure::Latency;

    #[test]
    fn a_body_has_the_asked_size_and_reads_back() {
        let b = body(3, 123_456, 1, 100);
        assert_eq!(b.len(), 100);
        let collector = Collector {
            open_step: AtomicU64::new(3),
            ..Collector::default()
        };
        collector
            .steps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend((0..4).map(|_| (Latency::default(), 0)));
        collector.delivered(&b, 124_456);
        let steps = collector.steps.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(steps[3].1, 1);
        assert_eq!(steps[3].0.summary().p50_ms.round(), 1.0);
    }
}
