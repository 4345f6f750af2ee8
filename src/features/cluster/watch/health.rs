//! How one watch stream is doing: which of its errors pause it and for how long, what the
//! status bar hears, and when the watch counts as synced again.
//!
//! kube-runtime's `watcher` recovers by itself on the poll after an error: it re-opens the
//! watch from the last resourceVersion it saw, and lists again only after a 410. It retries
//! at once, so the watch loop paces it by not polling for the delay this gives.

use std::time::Duration;

use kube::runtime::watcher;

use crate::features::cluster::connection::{Backoff, WatchFailure};
use crate::features::cluster::status::TaskState;

/// How long a resumed stream must go without an error to count as reconnected. The watcher
/// says nothing when it re-opens a watch, and an idle resource sends no events, so silence
/// is the only sign: a refused connection, a TLS failure or an HTTP error status all come
/// back well within this. Only a connection attempt that hangs takes longer (kube's connect
/// timeout is 30 s): it counts as reconnected until it fails, and is then a first attempt again.
pub const RESUME_SETTLE: Duration = Duration::from_secs(2);

/// Said when a second 410 in a row is retried with backoff.
const EXPIRED: &str = "resourceVersion이 만료되어 목록을 다시 읽습니다";

/// The pacing and reporting state of one watch.
#[derive(Debug, Default)]
pub struct WatchHealth {
    backoff: Backoff,
    /// Set after a silent 410, cleared by any success: a second 410 in a row backs off.
    just_expired: bool,
    /// An error was reported and nothing has shown the watch healthy since.
    failing: bool,
    /// The table holds a complete list: an `InitDone` came after the last `Init`.
    listed: bool,
}

impl WatchHealth {
    /// Feeds one event of the stream; returns the state to report, if it changed.
    pub fn on_event<K>(&mut self, event: &watcher::Event<K>) -> Option<TaskState> {
        match event {
            watcher::Event::Init => {
                self.listed = false;
                None
            }
            // A page arrived, but the list may still fail on the next one.
            watcher::Event::InitApply(_) => None,
            watcher::Event::InitDone => {
                self.listed = true;
                self.recovered();
                Some(TaskState::Synced)
            }
            watcher::Event::Apply(_) | watcher::Event::Delete(_) => {
                let was_failing = self.failing;
                self.recovered();
                was_failing.then_some(TaskState::Synced)
            }
        }
    }

    /// Feeds one error of the stream. Returns what to report and how long to wait before
    /// polling the stream again, or None to poll again at once without a word.
    pub fn on_error(&mut self, failure: WatchFailure) -> Option<(TaskState, Duration)> {
        let (state, delay) = match failure {
            // A compacted resource version is routine: the watcher lists again on the next
            // poll. Only once in a row, so a server that keeps answering 410 gets backoff.
            WatchFailure::Expired if !self.just_expired => {
                self.just_expired = true;
                return None;
            }
            WatchFailure::Expired => self.retrying(EXPIRED.to_string()),
            WatchFailure::Forbidden(forbidden) => {
                (TaskState::Forbidden(forbidden), self.backoff.next_delay().1)
            }
            WatchFailure::Transient(reason) => self.retrying(reason),
        };
        self.just_expired = false;
        self.failing = true;
        Some((state, delay))
    }

    /// Whether a quiet resumed stream would now count as reconnected: an error was reported
    /// and the table was complete, so the watcher is re-opening a watch (a list in progress
    /// proves itself with `InitDone` instead).
    pub fn awaiting_quiet(&self) -> bool {
        self.failing && self.listed
    }

    /// The resumed stream went `RESUME_SETTLE` without an error.
    pub fn on_quiet(&mut self) -> Option<TaskState> {
        if !self.awaiting_quiet() {
            return None;
        }
        self.recovered();
        Some(TaskState::Synced)
    }

    fn retrying(&mut self, reason: String) -> (TaskState, Duration) {
        let (attempt, next_in) = self.backoff.next_delay();
        let state = TaskState::Retrying {
            attempt,
            next_in,
            reason,
        };
        (state, next_in)
    }

    fn recovered(&mut self) {
        self.backoff.reset();
        self.just_expired = false;
        self.failing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::cluster::connection::Forbidden;

    fn transient(reason: &str) -> WatchFailure {
        WatchFailure::Transient(reason.to_string())
    }

    fn retrying(attempt: u32, millis: u64, reason: &str) -> Option<(TaskState, Duration)> {
        let next_in = Duration::from_millis(millis);
        let state = TaskState::Retrying {
            attempt,
            next_in,
            reason: reason.to_string(),
        };
        Some((state, next_in))
    }

    /// A watch whose first list has completed.
    fn listed() -> WatchHealth {
        let mut health = WatchHealth::default();
        assert_eq!(health.on_event(&watcher::Event::<()>::Init), None);
        assert_eq!(health.on_event(&watcher::Event::InitApply(())), None);
        assert_eq!(
            health.on_event(&watcher::Event::<()>::InitDone),
            Some(TaskState::Synced)
        );
        health
    }

    #[test]
    fn errors_back_off_until_an_event_resets() {
        let mut health = listed();
        assert_eq!(
            health.on_error(transient("reset")),
            retrying(1, 500, "reset")
        );
        assert_eq!(
            health.on_error(transient("refused")),
            retrying(2, 1_000, "refused")
        );
        // The first event after errors says the watch is back; later ones say nothing new.
        assert_eq!(
            health.on_event(&watcher::Event::Apply(())),
            Some(TaskState::Synced)
        );
        assert_eq!(health.on_event(&watcher::Event::Delete(())), None);
        assert_eq!(
            health.on_error(transient("again")),
            retrying(1, 500, "again")
        );
    }

    #[test]
    fn one_expiry_is_silent_and_a_second_in_a_row_backs_off() {
        let mut health = listed();
        assert_eq!(health.on_error(WatchFailure::Expired), None);
        assert_eq!(
            health.on_error(WatchFailure::Expired),
            retrying(1, 500, EXPIRED)
        );
        // After a reported retry the next expiry is routine again...
        assert_eq!(health.on_error(WatchFailure::Expired), None);
        // ...and so it is after the re-list that a silent expiry leads to.
        health.on_event(&watcher::Event::<()>::Init);
        health.on_event(&watcher::Event::<()>::InitDone);
        assert_eq!(health.on_error(WatchFailure::Expired), None);
    }

    #[test]
    fn refusals_are_reported_with_the_backoff_delay() {
        let mut health = WatchHealth::default();
        let forbidden = Forbidden {
            verb: "watch".into(),
            resource: "pods".into(),
            namespace: "default".into(),
        };
        for delay in [500, 1_000, 2_000] {
            assert_eq!(
                health.on_error(WatchFailure::Forbidden(forbidden.clone())),
                Some((
                    TaskState::Forbidden(forbidden.clone()),
                    Duration::from_millis(delay)
                ))
            );
        }
    }

    #[test]
    fn a_quiet_resumed_watch_counts_as_synced_only_with_a_complete_table() {
        let mut health = listed();
        assert!(!health.awaiting_quiet());
        assert_eq!(health.on_quiet(), None);
        health.on_error(transient("watch failed"));
        assert!(health.awaiting_quiet());
        assert_eq!(health.on_quiet(), Some(TaskState::Synced));
        assert_eq!(health.on_quiet(), None);
        // The backoff starts over after a quiet reconnect.
        assert_eq!(health.on_error(transient("x")), retrying(1, 500, "x"));

        // A list that failed is not done until its InitDone, however quiet it is.
        health.on_event(&watcher::Event::<()>::Init);
        assert!(!health.awaiting_quiet());
        assert_eq!(health.on_quiet(), None);
        assert_eq!(
            health.on_error(transient("list")),
            retrying(2, 1_000, "list")
        );
        health.on_event(&watcher::Event::<()>::Init);
        assert_eq!(health.on_quiet(), None);
        assert_eq!(
            health.on_event(&watcher::Event::<()>::InitDone),
            Some(TaskState::Synced)
        );
    }

    #[test]
    fn nothing_is_listed_before_the_first_list() {
        let mut health = WatchHealth::default();
        health.on_error(transient("refused"));
        assert!(!health.awaiting_quiet());
        assert_eq!(health.on_quiet(), None);
    }
}
