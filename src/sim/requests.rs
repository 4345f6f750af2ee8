//! The request log: the last requests clients sent to the demo cluster, so tests can check
//! what a client asked for (whether it listed again, which resourceVersion a watch resumed
//! from) and not only what it ended up showing.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use hyper::Method;

/// Enough for a test's story; older requests are forgotten first.
pub const REQUEST_LOG_LIMIT: usize = 1_024;

/// One request as the client sent it, with its query already decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: Method,
    /// As sent, e.g. `/api/v1/namespaces/default/pods`.
    pub path: String,
    /// As sent, without the `?`; kube-rs starts it with `&`.
    pub query: String,
    /// The query's pairs, decoded, in order.
    pub params: Vec<(String, String)>,
    /// `get`, `list`, `watch`, `create`, `update`, `patch` or `delete` for a request on a
    /// served resource; None for discovery, the service proxy and unknown paths.
    pub verb: Option<&'static str>,
    /// `watch=true` (or `1`) was asked for.
    pub watch: bool,
}

impl RequestRecord {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn resource_version(&self) -> Option<&str> {
        self.param("resourceVersion")
    }

    pub fn limit(&self) -> Option<u64> {
        self.param("limit").and_then(|l| l.parse().ok())
    }

    pub fn send_initial_events(&self) -> bool {
        self.param("sendInitialEvents") == Some("true")
    }

    /// A list page (not a watch, not a get of one object).
    pub fn is_list(&self) -> bool {
        self.verb == Some("list")
    }
}

/// Shared by every run of the server, so a restart keeps what came before it.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<RequestRecord>>,
}

impl RequestLog {
    fn lock(&self) -> MutexGuard<'_, VecDeque<RequestRecord>> {
        // Pushes and pops leave the queue whole even if a holder panicked.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn record(&self, record: RequestRecord) {
        let mut entries = self.lock();
        if entries.len() >= REQUEST_LOG_LIMIT {
            entries.pop_front();
        }
        entries.push_back(record);
    }

    /// Oldest first.
    pub fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(limit: usize) -> RequestRecord {
        RequestRecord {
            method: Method::GET,
            path: "/api/v1/pods".into(),
            query: format!("&limit={limit}"),
            params: vec![("limit".into(), limit.to_string())],
            verb: Some("list"),
            watch: false,
        }
    }

    #[test]
    fn the_log_keeps_the_newest_requests() {
        let log = RequestLog::default();
        for n in 0..REQUEST_LOG_LIMIT + 5 {
            log.record(list(n));
        }
        let kept = log.snapshot();
        assert_eq!(kept.len(), REQUEST_LOG_LIMIT);
        assert_eq!(kept[0].limit(), Some(5));
        assert_eq!(kept.last().and_then(RequestRecord::limit), Some(1_028));
        assert!(kept.iter().all(RequestRecord::is_list));
        log.clear();
        assert!(log.snapshot().is_empty());
    }
}
