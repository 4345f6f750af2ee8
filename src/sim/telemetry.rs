//! What the demo cluster's workloads said: per container, the log lines `kubectl logs`
//! reads (Envoy access-log lines in `istio-proxy`, application lines in the others), each a
//! bounded ring; and per edge of the mesh graph, the requests and errors Kiali's graph shows.
//! Everything that serves traffic (the gateway, the service proxy, `kubectl exec … curl`)
//! records here; `logs` and `kiali` read it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use tokio::sync::broadcast;

use super::envoy_log::{self, Access};

/// Lines kept per container; older ones are forgotten first, as a kubelet rotates logs.
pub const LOG_LINES_PER_CONTAINER: usize = 1000;

/// One line of one container's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub time: Timestamp,
    pub text: String,
}

/// Requests between two workloads (`productpage-v1` → `reviews-v2`), as Kiali counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeStats {
    pub requests: u64,
    /// Answers of 5xx.
    pub errors: u64,
}

type ContainerKey = (String, String, String);

#[derive(Default)]
struct Inner {
    logs: HashMap<ContainerKey, VecDeque<Arc<LogLine>>>,
    /// (source workload, destination workload) → counts; "unknown" for a source outside the mesh.
    edges: BTreeMap<(String, String), EdgeStats>,
}

/// Shared by the API server, the gateway and whatever else serves the mesh's traffic.
pub struct Telemetry {
    inner: Mutex<Inner>,
    /// Every new line, for `kubectl logs -f`.
    lines: broadcast::Sender<Arc<LogLine>>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry {
            inner: Mutex::default(),
            lines: broadcast::channel(1024).0,
        }
    }
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

impl Telemetry {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each change is a push or a counter step: a panicking holder leaves usable state.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `text` to a container's log, stamped now.
    pub fn record_line(&self, namespace: &str, pod: &str, container: &str, text: String) {
        let line = Arc::new(LogLine {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            container: container.to_string(),
            time: Timestamp::now(),
            text,
        });
        {
            let mut inner = self.lock();
            let ring = inner
                .logs
                .entry((namespace.into(), pod.into(), container.into()))
                .or_default();
            if ring.len() >= LOG_LINES_PER_CONTAINER {
                ring.pop_front();
            }
            ring.push_back(line.clone());
        }
        // No follower listening is no error.
        let _ = self.lines.send(line);
    }

    /// An Envoy access-log line in the `istio-proxy` log of `namespace/pod`, in Envoy's
    /// default format (see `envoy_log`). For any code that serves a request on a pod's
    /// behalf, e.g. `kubectl exec … curl`.
    pub fn record_request(&self, namespace: &str, pod: &str, access: &Access) {
        let text = envoy_log::format(Timestamp::now(), access);
        self.record_line(namespace, pod, "istio-proxy", text);
    }

    /// Counts one request from workload `source` to workload `destination`.
    pub fn record_edge(&self, source: &str, destination: &str, status: u16) {
        let mut inner = self.lock();
        let edge = inner
            .edges
            .entry((source.to_string(), destination.to_string()))
            .or_default();
        edge.requests += 1;
        if status >= 500 {
            edge.errors += 1;
        }
    }

    /// The lines kept for one container, oldest first.
    pub fn lines(&self, namespace: &str, pod: &str, container: &str) -> Vec<Arc<LogLine>> {
        let key = (
            namespace.to_string(),
            pod.to_string(),
            container.to_string(),
        );
        self.lock()
            .logs
            .get(&key)
            .map(|ring| ring.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Every line recorded from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LogLine>> {
        self.lines.subscribe()
    }

    /// The graph's edges with their counts.
    pub fn edges(&self) -> BTreeMap<(String, String), EdgeStats> {
        self.lock().edges.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_container_keeps_its_newest_lines() {
        let telemetry = Telemetry::default();
        for n in 0..LOG_LINES_PER_CONTAINER + 3 {
            telemetry.record_line("default", "p", "app", format!("line {n}"));
        }
        telemetry.record_line("default", "p", "other", "x".into());
        let lines = telemetry.lines("default", "p", "app");
        assert_eq!(lines.len(), LOG_LINES_PER_CONTAINER);
        assert_eq!(lines[0].text, "line 3");
        assert_eq!(telemetry.lines("default", "p", "other").len(), 1);
        assert!(telemetry.lines("default", "q", "app").is_empty());
    }

    #[test]
    fn edges_count_requests_and_server_errors() {
        let telemetry = Telemetry::default();
        telemetry.record_edge("productpage-v1", "reviews-v2", 200);
        telemetry.record_edge("productpage-v1", "reviews-v2", 503);
        let edges = telemetry.edges();
        let edge = edges[&("productpage-v1".to_string(), "reviews-v2".to_string())];
        assert_eq!((edge.requests, edge.errors), (2, 1));
    }
}
