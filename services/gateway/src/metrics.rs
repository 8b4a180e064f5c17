//! Prometheus metrics, served at `/metrics`.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Everything the gateway counts.
pub struct Metrics {
    registry: Registry,
    /// Open, authenticated sockets.
    pub connections: Gauge,
    /// Messages appended (acked) from this gateway's sockets.
    pub messages_in: Counter,
    /// Frames written to sockets (messages and events).
    pub frames_out: Counter,
    /// Milliseconds from a message's append to its dispatch here.
    pub fanout_latency_ms: Histogram,
    /// Sockets closed because their reader fell behind.
    pub slow_consumers: Counter,
    /// Failed bus (Redis) operations.
    pub bus_errors: Counter,
    /// Appends in progress: how close the gateway is to `max_inflight_appends`.
    pub appends_in_flight: Gauge,
    /// Sends refused with `overloaded` because that bound was reached.
    pub sends_overloaded: Counter,
    /// Sends answered `unavailable` because too few replicas confirmed them in time
    /// (`redis.ack_after_replicas`): replication is lagging or a replica is gone.
    pub sends_unreplicated: Counter,
    /// Visitors' sends refused with `rate_limited`: past their site's messages a minute.
    pub sends_rate_limited: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("pintalk_gateway");
        let connections = Gauge::default();
        let messages_in = Counter::default();
        let frames_out = Counter::default();
        let buckets = [
            0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0,
        ];
        let fanout_latency_ms = Histogram::new(buckets);
        let slow_consumers = Counter::default();
        let bus_errors = Counter::default();
        let appends_in_flight = Gauge::default();
        let sends_overloaded = Counter::default();
        let sends_unreplicated = Counter::default();
        let sends_rate_limited = Counter::default();
        registry.register(
            "connections",
            "open authenticated sockets",
            connections.clone(),
        );
        registry.register(
            "messages_in",
            "messages appended from this gateway",
            messages_in.clone(),
        );
        registry.register(
            "frames_out",
            "frames written to sockets",
            frames_out.clone(),
        );
        registry.register(
            "fanout_latency_ms",
            "milliseconds from append to dispatch",
            fanout_latency_ms.clone(),
        );
        registry.register(
            "slow_consumers",
            "sockets closed for reading too slowly",
            slow_consumers.clone(),
        );
        registry.register("bus_errors", "failed bus operations", bus_errors.clone());
        registry.register(
            "appends_in_flight",
            "appends to the bus in progress",
            appends_in_flight.clone(),
        );
        registry.register(
            "sends_overloaded",
            "sends refused because too many appends were in progress",
            sends_overloaded.clone(),
        );
        registry.register(
            "sends_unreplicated",
            "sends not acked because fewer replicas than redis.ack_after_replicas confirmed them",
            sends_unreplicated.clone(),
        );
        registry.register(
            "sends_rate_limited",
            "visitors' sends refused because they passed their site's messages a minute",
            sends_rate_limited.clone(),
        );
        Self {
            registry,
            connections,
            messages_in,
            frames_out,
            fanout_latency_ms,
            slow_consumers,
            bus_errors,
            appends_in_flight,
            sends_overloaded,
            sends_unreplicated,
            sends_rate_limited,
        }
    }
}

impl Metrics {
    /// The registry in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        out
    }
}
