//! Prometheus metrics (`GET /metrics`, text format): requests by route, method and status
//! with their latency, segmentation runs waiting and their run time, and the sessions and
//! volume bytes held, read when scraped. One registry per server, kept in its state.

use std::fmt;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    segmentation_seconds: Histogram,
    segmentation_waiting: Gauge,
    sessions: Gauge,
    loaded_bytes: Gauge,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("interseg");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency = HistogramFamily::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method",
            latency.clone(),
        );
        let segmentation_seconds = Histogram::new(exponential_buckets(0.01, 2.0, 14));
        registry.register(
            "segmentation_run_seconds",
            "Engine run time of a segmentation",
            segmentation_seconds.clone(),
        );
        let segmentation_waiting = Gauge::default();
        registry.register(
            "segmentation_waiting",
            "Segmentations waiting for a free engine slot",
            segmentation_waiting.clone(),
        );
        let sessions = Gauge::default();
        registry.register("sessions", "Sessions held", sessions.clone());
        let loaded_bytes = Gauge::default();
        registry.register(
            "loaded_volume_bytes",
            "Bytes of volume voxels held in memory",
            loaded_bytes.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            segmentation_seconds,
            segmentation_waiting,
            sessions,
            loaded_bytes,
        }
    }
}

/// Counts a segmentation as waiting for as long as it lives.
pub struct Waiting(Gauge);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.latency
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    pub fn waiting_for_engine(self: &Arc<Self>) -> Waiting {
        self.segmentation_waiting.inc();
        Waiting(self.segmentation_waiting.clone())
    }

    pub fn observe_segmentation(&self, seconds: f64) {
        self.segmentation_seconds.observe(seconds);
    }

    /// The text exposition, with the held sessions and bytes as of now.
    pub fn encode(&self, sessions: usize, loaded_bytes: usize) -> Result<String, fmt::Error> {
        self.sessions
            .set(i64::try_from(sessions).unwrap_or(i64::MAX));
        self.loaded_bytes
            .set(i64::try_from(loaded_bytes).unwrap_or(i64::MAX));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
