//! Waiting for what the system does in the background (the persister, mail, a process
//! coming up): poll until it shows, fail loudly, naming it, when it does not in time.

use std::time::Duration;

use tokio::time::Instant;

/// How long to wait between two looks.
const POLL: Duration = Duration::from_millis(50);

/// Polls `probe` until it yields `Some`, and returns that; panics naming `what` once
/// `within` has passed. The probe runs at least once, however short `within` is.
pub async fn eventually<T>(
    within: Duration,
    what: &str,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("waited {within:?} for {what}");
        }
        tokio::time::sleep(POLL).await;
    }
}
