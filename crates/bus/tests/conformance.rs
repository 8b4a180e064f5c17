//! One suite, both stores: the memory bus always; the Redis bus against the server named by
//! `PINTALK_TEST_REDIS` (scripts/test sets it; unset, those tests fail loudly rather than
//! pass without running).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

use std::time::Duration;

use pintalk_bus::{Counters, MemoryBus, RedisBus};

fn unique(name: &str) -> String {
    format!("test:{name}:{}", std::process::id()) + &format!(":{:?}", std::time::SystemTime::now())
}

async fn redis() -> RedisBus {
    let url = std::env::var("PINTALK_TEST_REDIS")
        .expect("PINTALK_TEST_REDIS must name a Redis server (scripts/test sets it)");
    RedisBus::connect(&url, 4, "pintalk-test")
        .await
        .expect("Redis reachable")
}

async fn hits_count_up_and_remember_the_last_time(bus: &dyn Counters) {
    let key = unique("count");
    let window = Duration::from_secs(60);
    assert_eq!(bus.hit(&key, window, 1_000).await.unwrap().count, 1);
    let after = bus.hit(&key, window, 2_000).await.unwrap();
    assert_eq!(after.count, 2);
    assert_eq!(after.last_hit_ms, 2_000);
    assert_eq!(bus.get(&key).await.unwrap(), after);
}

async fn clear_resets_and_unknown_is_zero(bus: &dyn Counters) {
    let key = unique("clear");
    bus.hit(&key, Duration::from_secs(60), 1).await.unwrap();
    bus.clear(&key).await.unwrap();
    assert_eq!(bus.get(&key).await.unwrap().count, 0);
    assert_eq!(bus.get(&unique("never")).await.unwrap().count, 0);
}

async fn counter_expires_after_its_window(bus: &dyn Counters) {
    let key = unique("expire");
    bus.hit(&key, Duration::from_millis(50), 1).await.unwrap();
    // Polls until the store drops the key; bounded so a broken expiry fails, not hangs.
    for _ in 0..100 {
        if bus.get(&key).await.unwrap().count == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("counter never expired");
}

macro_rules! conformance {
    ($store:ident, $make:expr) => {
        mod $store {
            use super::*;

            #[tokio::test]
            async fn hits_count_up_and_remember_the_last_time() {
                super::hits_count_up_and_remember_the_last_time(&$make).await;
            }

            #[tokio::test]
            async fn clear_resets_and_unknown_is_zero() {
                super::clear_resets_and_unknown_is_zero(&$make).await;
            }

            #[tokio::test]
            async fn counter_expires_after_its_window() {
                super::counter_expires_after_its_window(&$make).await;
            }
        }
    };
}

conformance!(memory, MemoryBus::default());
conformance!(redis_store, redis().await);
