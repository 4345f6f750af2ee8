//! How a watch gets its lists: one streaming list (a watch with `sendInitialEvents`) where
//! the server serves them, pages of a plain list where it refuses, and the refusals
//! remembered per resource for the rest of the session.
//!
//! Two refusals are known. A server whose storage lacks watch progress (an etcd without
//! RequestWatchProgress) answers the watch 200 with one ERROR event: Status 500
//! `InternalError`, "a watch stream was requested by the client but the required storage
//! feature RequestWatchProgress is disabled" (kube-apiserver's watch cache). kube-runtime
//! reports it as `Error::WatchError` and would ask again at once, forever. A server with the
//! WatchList feature gate off (before 1.32, and aggregated API servers) rejects the
//! parameters with 422 `Invalid` naming `sendInitialEvents` (older ones name
//! `resourceVersionMatch`): `Error::WatchStartFailed`. Both say the same thing, so both
//! switch that resource to paged lists, as client-go falls back to a LIST.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use kube::runtime::watcher;

/// How a watch's lists are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStrategy {
    /// One watch request that starts with every object, ended by a bookmark: the first
    /// objects arrive at once, whatever the size of the list.
    Streaming,
    /// Pages of a list, then a watch from its resourceVersion.
    Paged,
}

/// The resources whose server refused streaming lists. Shared by every watch of a session
/// (namespace switches included), so each resource asks once.
#[derive(Debug, Clone, Default)]
pub struct ListModes(Arc<Mutex<BTreeSet<String>>>);

impl ListModes {
    pub fn strategy(&self, resource: &str) -> ListStrategy {
        if self.lock().contains(resource) {
            ListStrategy::Paged
        } else {
            ListStrategy::Streaming
        }
    }

    /// Remembers that the server refused a streaming list of `resource`.
    pub fn refused(&self, resource: &str) {
        self.lock().insert(resource.to_string());
    }

    fn lock(&self) -> MutexGuard<'_, BTreeSet<String>> {
        // A set of names is whole whatever a panicking holder was doing.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether a watcher error is the server refusing a streaming list (see the module doc).
/// A refusal of anything else (403, a plain 500) is not one: the watch retries as before.
pub fn refuses_streaming(error: &watcher::Error) -> bool {
    match error {
        watcher::Error::WatchError(status) => {
            status.code == 500 && status.message.contains("RequestWatchProgress")
        }
        watcher::Error::WatchStartFailed(kube::Error::Api(status)) => {
            matches!(status.code, 400 | 422)
                && ["sendInitialEvents", "resourceVersionMatch"]
                    .iter()
                    .any(|parameter| status.message.contains(parameter))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    fn status(code: u16, reason: &str, message: &str) -> Box<Status> {
        Box::new(Status {
            code,
            reason: reason.into(),
            message: message.into(),
            ..Default::default()
        })
    }

    #[test]
    fn both_refusals_of_kube_apiserver_are_recognised() {
        // The ERROR event of a watch cache whose etcd lacks RequestWatchProgress.
        let no_progress = status(
            500,
            "InternalError",
            "a watch stream was requested by the client but the required storage feature \
             RequestWatchProgress is disabled",
        );
        assert!(refuses_streaming(&watcher::Error::WatchError(no_progress)));
        // The 422 of a server with the WatchList feature gate off.
        let gate_off = status(
            422,
            "Invalid",
            "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: \
             sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
        );
        let refused = watcher::Error::WatchStartFailed(kube::Error::Api(gate_off));
        assert!(refuses_streaming(&refused));
    }

    #[test]
    fn other_failures_are_not_refusals() {
        let errors = [
            watcher::Error::WatchError(status(500, "InternalError", "etcdserver: timeout")),
            watcher::Error::WatchError(status(410, "Expired", "too old resource version")),
            watcher::Error::WatchStartFailed(kube::Error::Api(status(
                403,
                "Forbidden",
                "pods is forbidden: User \"x\" cannot watch resource \"pods\"",
            ))),
            watcher::Error::InitialListFailed(kube::Error::Api(status(
                422,
                "Invalid",
                "sendInitialEvents",
            ))),
            watcher::Error::NoResourceVersion,
        ];
        for error in &errors {
            assert!(!refuses_streaming(error), "{error:?}");
        }
    }

    #[test]
    fn a_refusal_is_remembered_for_that_resource_by_every_copy() {
        let modes = ListModes::default();
        let shared = modes.clone();
        assert_eq!(modes.strategy("pods"), ListStrategy::Streaming);
        shared.refused("pods");
        assert_eq!(modes.strategy("pods"), ListStrategy::Paged);
        assert_eq!(modes.strategy("services"), ListStrategy::Streaming);
    }
}
