//! Bounds on sockets: in total (the gateway's capacity) and per client IP (so one client
//! cannot take them all). A slot is held for the socket's lifetime and freed on drop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

pub struct Admission {
    /// The gateway's capacity (`gateway.max_connections`).
    max_total: usize,
    /// Per client IP (`gateway.max_connections_per_ip`).
    max_per_ip: usize,
    /// Open sockets: in total and per IP.
    open: Mutex<(usize, HashMap<String, usize>)>,
    /// Wakes whoever waits for the last socket to close (a draining gateway).
    closed: Notify,
}

/// One admitted socket; dropping it frees the slot.
pub struct Slot {
    admission: Arc<Admission>,
    ip: String,
}

impl Admission {
    pub fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total,
            max_per_ip,
            open: Mutex::default(),
            closed: Notify::new(),
        })
    }

    fn open_sockets(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    /// Waits until every socket has closed, or `limit` has passed; true if they all did.
    pub async fn drained(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let closed = self.closed.notified();
                if self.open_sockets() == 0 {
                    return;
                }
                closed.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    /// A slot for a socket from `ip`, if within both bounds.
    pub fn admit(self: &Arc<Self>, ip: &str) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let (total, per_ip) = &mut *open;
        let from_ip = per_ip.entry(ip.to_owned()).or_insert(0);
        if *total >= self.max_total || *from_ip >= self.max_per_ip {
            return None;
        }
        *total += 1;
        *from_ip += 1;
        Some(Slot {
            admission: self.clone(),
            ip: ip.to_owned(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let (total, per_ip) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
        if *total == 0 {
            self.admission.closed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_ip_and_in_total_and_freed_on_drop() {
        let admission = Admission::new(3, 2);
        let a1 = admission.admit("a").unwrap();
        let _a2 = admission.admit("a").unwrap();
        assert!(admission.admit("a").is_none());
        let _b1 = admission.admit("b").unwrap();
        assert!(admission.admit("c").is_none());
        drop(a1);
        assert!(admission.admit("a").is_some());
    }
}
