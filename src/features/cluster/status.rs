//! Combining every watcher's own state into the one `ConnectionState` the status bar shows.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::connection::{ConnectionState, Forbidden};

/// Identifies one watcher (or the discovery task): a resource plural and a namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchKey {
    pub resource: String,
    pub namespace: String,
}

impl WatchKey {
    pub fn new(resource: &str, namespace: &str) -> Self {
        Self {
            resource: resource.to_string(),
            namespace: namespace.to_string(),
        }
    }
}

/// One watcher's own state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Connecting,
    /// Its first complete list has arrived; it is streaming changes.
    Synced,
    Retrying {
        attempt: u32,
        next_in: Duration,
        reason: String,
    },
    Forbidden(Forbidden),
}

/// Whether Istio's CRDs are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IstioPresence {
    Unknown,
    Missing,
    Present,
}

/// A report from a task to the status board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusUpdate {
    Task(WatchKey, TaskState),
    Istio(IstioPresence),
    /// A task stopped for good (its kind is no longer watched).
    Gone(WatchKey),
}

/// Every task's last state.
#[derive(Debug, Clone)]
pub struct StatusBoard {
    tasks: BTreeMap<WatchKey, TaskState>,
    istio: IstioPresence,
}

impl Default for StatusBoard {
    fn default() -> Self {
        Self {
            tasks: BTreeMap::new(),
            istio: IstioPresence::Unknown,
        }
    }
}

impl StatusBoard {
    pub fn apply(&mut self, update: StatusUpdate) {
        match update {
            StatusUpdate::Task(key, state) => {
                self.tasks.insert(key, state);
            }
            StatusUpdate::Istio(presence) => self.istio = presence,
            StatusUpdate::Gone(key) => {
                self.tasks.remove(&key);
            }
        }
    }

    /// The combined state, most urgent first: a refusal, then a retry (the one furthest into
    /// its backoff), then watchers still listing, then missing Istio, else connected.
    pub fn overall(&self) -> ConnectionState {
        if let Some(f) = self.tasks.values().find_map(|s| match s {
            TaskState::Forbidden(f) => Some(f),
            _ => None,
        }) {
            return ConnectionState::Forbidden {
                verb: f.verb.clone(),
                resource: f.resource.clone(),
                namespace: f.namespace.clone(),
            };
        }
        let worst_retry = self
            .tasks
            .values()
            .filter_map(|s| match s {
                TaskState::Retrying {
                    attempt,
                    next_in,
                    reason,
                } => Some((*attempt, *next_in, reason)),
                _ => None,
            })
            .max_by_key(|(attempt, next_in, _)| (*attempt, *next_in));
        if let Some((attempt, next_in, reason)) = worst_retry {
            return ConnectionState::Reconnecting {
                attempt,
                next_in,
                reason: reason.clone(),
            };
        }
        let listing = self.tasks.values().any(|s| *s == TaskState::Connecting);
        if listing || self.tasks.is_empty() || self.istio == IstioPresence::Unknown {
            return ConnectionState::Connecting;
        }
        if self.istio == IstioPresence::Missing {
            return ConnectionState::IstioNotInstalled;
        }
        let kinds: BTreeSet<&str> = self
            .tasks
            .iter()
            .filter(|(_, s)| **s == TaskState::Synced)
            .map(|(k, _)| k.resource.as_str())
            .collect();
        ConnectionState::Connected { kinds: kinds.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synced(board: &mut StatusBoard, resource: &str, namespace: &str) {
        board.apply(StatusUpdate::Task(
            WatchKey::new(resource, namespace),
            TaskState::Synced,
        ));
    }

    fn core_synced() -> StatusBoard {
        let mut board = StatusBoard::default();
        for ns in ["default", "istio-system"] {
            synced(&mut board, "pods", ns);
            synced(&mut board, "services", ns);
        }
        board
    }

    #[test]
    fn starts_connecting_until_everything_listed_and_istio_known() {
        let mut board = StatusBoard::default();
        assert_eq!(board.overall(), ConnectionState::Connecting);
        board = core_synced();
        assert_eq!(board.overall(), ConnectionState::Connecting);
        board.apply(StatusUpdate::Istio(IstioPresence::Missing));
        assert_eq!(board.overall(), ConnectionState::IstioNotInstalled);
    }

    #[test]
    fn counts_distinct_kinds_once_istio_is_watched() {
        let mut board = core_synced();
        board.apply(StatusUpdate::Istio(IstioPresence::Present));
        assert_eq!(board.overall(), ConnectionState::Connected { kinds: 2 });
        for kind in ["virtualservices", "destinationrules", "gateways"] {
            synced(&mut board, kind, "default");
        }
        assert_eq!(board.overall(), ConnectionState::Connected { kinds: 5 });
        board.apply(StatusUpdate::Gone(WatchKey::new("gateways", "default")));
        assert_eq!(board.overall(), ConnectionState::Connected { kinds: 4 });
    }

    #[test]
    fn retry_and_refusal_take_precedence() {
        let mut board = core_synced();
        board.apply(StatusUpdate::Istio(IstioPresence::Present));
        let retry = |attempt: u32, secs: u64, reason: &str| TaskState::Retrying {
            attempt,
            next_in: Duration::from_secs(secs),
            reason: reason.into(),
        };
        board.apply(StatusUpdate::Task(
            WatchKey::new("pods", "default"),
            retry(2, 1, "connection refused"),
        ));
        board.apply(StatusUpdate::Task(
            WatchKey::new("services", "default"),
            retry(4, 4, "connection reset"),
        ));
        assert_eq!(
            board.overall(),
            ConnectionState::Reconnecting {
                attempt: 4,
                next_in: Duration::from_secs(4),
                reason: "connection reset".into()
            }
        );
        board.apply(StatusUpdate::Task(
            WatchKey::new("pods", "istio-system"),
            TaskState::Forbidden(Forbidden {
                verb: "list".into(),
                resource: "pods".into(),
                namespace: "istio-system".into(),
            }),
        ));
        assert!(matches!(
            board.overall(),
            ConnectionState::Forbidden { ref namespace, .. } if namespace == "istio-system"
        ));
    }
}
