//! Connection health: the state the UI shows, retry backoff, and reading API errors.

use std::time::Duration;

use kube::core::Status;
use kube::runtime::watcher;

/// What the status bar says about the cluster connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Watchers are listing for the first time.
    Connecting,
    /// Every watcher has a complete list; `kinds` resource kinds are being watched.
    Connected { kinds: usize },
    /// A request failed; the next attempt starts after `next_in`.
    Reconnecting {
        attempt: u32,
        next_in: Duration,
        reason: String,
    },
    /// The API refused a request (HTTP 403); retries continue in case access is granted.
    Forbidden {
        verb: String,
        resource: String,
        namespace: String,
    },
    /// Pods and services are watched, but `networking.istio.io` is not served (yet).
    IstioNotInstalled,
}

/// Exponential retry delays: 0.5 s doubling up to 30 s, back to 0.5 s after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            attempt: 0,
        }
    }

    /// The attempt number (from 1) and how long to wait before it.
    pub fn next_delay(&mut self) -> (u32, Duration) {
        self.attempt = self.attempt.saturating_add(1);
        // Cap the exponent so the multiplication cannot overflow on long outages.
        let exponent = (self.attempt - 1).min(16);
        let delay = self.initial.saturating_mul(1u32 << exponent).min(self.max);
        (self.attempt, delay)
    }

    /// Called after a request succeeds.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// A refused request, as the API server describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    pub verb: String,
    pub resource: String,
    pub namespace: String,
}

/// Reads an RBAC denial message such as
/// `pods is forbidden: User "demo-viewer" cannot list resource "pods" in API group "" in the namespace "default"`.
/// Cluster-scoped denials (`… at the cluster scope`) give an empty namespace.
pub fn parse_forbidden(message: &str) -> Option<Forbidden> {
    let after_cannot = message.split_once(" cannot ")?.1;
    let (verb, rest) = after_cannot.split_once(' ')?;
    let rest = rest.strip_prefix("resource ")?;
    let resource = quoted(rest)?;
    let namespace = message
        .split_once("in the namespace ")
        .and_then(|(_, ns)| quoted(ns))
        .unwrap_or_default();
    Some(Forbidden {
        verb: verb.to_string(),
        resource: resource.to_string(),
        namespace: namespace.to_string(),
    })
}

/// The text between the first pair of double quotes at the start of `text`.
fn quoted(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?;
    inner.split_once('"').map(|(value, _)| value)
}

/// Why a watch stream stopped, reduced to what the retry loop needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchFailure {
    /// HTTP 403: report and keep retrying slowly.
    Forbidden(Forbidden),
    /// HTTP 410: the resource version was compacted; a fresh list fixes it at once.
    Expired,
    /// Anything else: network trouble, server restarts, timeouts.
    Transient(String),
}

/// What the failing request was, for when a 403 carries no readable message.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'a> {
    pub resource: &'a str,
    pub namespace: &'a str,
}

/// Classifies a watcher error.
pub fn classify_watch_error(error: &watcher::Error, request: RequestContext<'_>) -> WatchFailure {
    let (status, verb) = match error {
        watcher::Error::InitialListFailed(e) => (api_status(e), "list"),
        watcher::Error::WatchStartFailed(e) | watcher::Error::WatchFailed(e) => {
            (api_status(e), "watch")
        }
        watcher::Error::WatchError(status) => (Some(status.as_ref()), "watch"),
        watcher::Error::NoResourceVersion => (None, "watch"),
    };
    match status {
        Some(status) => classify_status(status, verb, request),
        None => WatchFailure::Transient(match error {
            watcher::Error::InitialListFailed(e)
            | watcher::Error::WatchStartFailed(e)
            | watcher::Error::WatchFailed(e) => super::explain::explain(e),
            watcher::Error::WatchError(_) | watcher::Error::NoResourceVersion => {
                "서버가 watch를 이어 갈 수 없다고 답했습니다".to_string()
            }
        }),
    }
}

/// Classifies an API `Status` returned for a `verb` request.
pub fn classify_status(status: &Status, verb: &str, request: RequestContext<'_>) -> WatchFailure {
    match status.code {
        403 => {
            WatchFailure::Forbidden(
                parse_forbidden(&status.message).unwrap_or_else(|| Forbidden {
                    verb: verb.to_string(),
                    resource: request.resource.to_string(),
                    namespace: request.namespace.to_string(),
                }),
            )
        }
        410 => WatchFailure::Expired,
        401 => WatchFailure::Transient(super::explain::Cause::Unauthorized.korean()),
        code => WatchFailure::Transient(
            super::explain::Cause::Server {
                code,
                // Some answers carry only a reason ("ServiceUnavailable").
                message: if status.message.is_empty() {
                    status.reason.clone()
                } else {
                    status.message.clone()
                },
            }
            .korean(),
        ),
    }
}

/// Whether a watch failed because the server fell silent (the read timed out): after such a
/// failure a quiet re-opened watch proves nothing, since it may hang on the same dead line.
pub fn is_silence(error: &watcher::Error) -> bool {
    match error {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => {
            !matches!(e, kube::Error::Api(_))
                && super::explain::cause_in_chain(e) == super::explain::Cause::Timeout
        }
        watcher::Error::WatchError(_) | watcher::Error::NoResourceVersion => false,
    }
}

/// Whether a watch request itself was answered 410. kube-runtime's watcher lists again after
/// a 410 *event* on an open watch, but when the request is refused with 410 it keeps asking
/// from the same expired resourceVersion; only a new watcher (which lists first) gets past it.
pub fn watch_refused_as_expired(error: &watcher::Error) -> bool {
    match error {
        watcher::Error::WatchStartFailed(e) => api_status(e).is_some_and(|s| s.code == 410),
        _ => false,
    }
}

fn api_status(error: &kube::Error) -> Option<&Status> {
    match error {
        kube::Error::Api(status) => Some(status.as_ref()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_fixture(json: &str) -> Status {
        serde_json::from_str(json).unwrap()
    }

    const CONTEXT: RequestContext<'static> = RequestContext {
        resource: "pods",
        namespace: "default",
    };

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut backoff = Backoff::default();
        let delays: Vec<(u32, u64)> = (0..9)
            .map(|_| {
                let (attempt, delay) = backoff.next_delay();
                (attempt, delay.as_millis() as u64)
            })
            .collect();
        assert_eq!(
            delays,
            [
                (1, 500),
                (2, 1_000),
                (3, 2_000),
                (4, 4_000),
                (5, 8_000),
                (6, 16_000),
                (7, 30_000),
                (8, 30_000),
                (9, 30_000)
            ]
        );
        backoff.reset();
        assert_eq!(backoff.next_delay(), (1, Duration::from_millis(500)));
    }

    #[test]
    fn backoff_survives_very_long_outages() {
        let mut backoff = Backoff::default();
        for _ in 0..10_000 {
            backoff.next_delay();
        }
        assert_eq!(backoff.next_delay(), (10_001, Duration::from_secs(30)));
    }

    #[test]
    fn parses_recorded_list_and_watch_denials() {
        let cases = [
            (
                include_str!("../../../tests/fixtures/rows/forbidden-list-pods-403.json"),
                ("list", "pods", "default"),
            ),
            (
                include_str!("../../../tests/fixtures/rows/forbidden-watch-pods-403.json"),
                ("watch", "pods", "default"),
            ),
            (
                include_str!(
                    "../../../tests/fixtures/rows/forbidden-list-virtualservices-403.json"
                ),
                ("list", "virtualservices", "default"),
            ),
            (
                include_str!(
                    "../../../tests/fixtures/rows/forbidden-patch-virtualservice-403.json"
                ),
                ("patch", "virtualservices", "default"),
            ),
        ];
        for (json, (verb, resource, namespace)) in cases {
            let status = status_fixture(json);
            assert_eq!(status.code, 403);
            let expected = Forbidden {
                verb: verb.into(),
                resource: resource.into(),
                namespace: namespace.into(),
            };
            assert_eq!(parse_forbidden(&status.message), Some(expected.clone()));
            assert_eq!(
                classify_status(&status, "get", CONTEXT),
                WatchFailure::Forbidden(expected)
            );
        }
    }

    #[test]
    fn cluster_scoped_denial_has_no_namespace() {
        let message = r#"namespaces is forbidden: User "x" cannot list resource "namespaces" in API group "" at the cluster scope"#;
        let parsed = parse_forbidden(message).unwrap();
        assert_eq!(parsed.verb, "list");
        assert_eq!(parsed.resource, "namespaces");
        assert_eq!(parsed.namespace, "");
    }

    #[test]
    fn unreadable_denial_falls_back_to_the_request() {
        let status = Status {
            code: 403,
            message: "access denied by policy".into(),
            ..Default::default()
        };
        assert_eq!(parse_forbidden(&status.message), None);
        let ctx = RequestContext {
            resource: "services",
            namespace: "istio-system",
        };
        assert_eq!(
            classify_status(&status, "watch", ctx),
            WatchFailure::Forbidden(Forbidden {
                verb: "watch".into(),
                resource: "services".into(),
                namespace: "istio-system".into(),
            })
        );
    }

    #[test]
    fn gone_and_other_statuses() {
        let gone = Status {
            code: 410,
            message: "too old resource version: 5 (305)".into(),
            ..Default::default()
        };
        assert_eq!(
            classify_status(&gone, "watch", CONTEXT),
            WatchFailure::Expired
        );
        let busy = Status {
            code: 503,
            reason: "ServiceUnavailable".into(),
            ..Default::default()
        };
        assert_eq!(
            classify_status(&busy, "list", CONTEXT),
            WatchFailure::Transient("API 서버 오류 (503): ServiceUnavailable".into())
        );
    }

    #[test]
    fn watcher_errors_pick_the_verb_from_the_failing_phase() {
        let status = Status {
            code: 403,
            ..Default::default()
        };
        let list = watcher::Error::InitialListFailed(kube::Error::Api(status.clone().boxed()));
        let watch = watcher::Error::WatchError(status.boxed());
        let verb_of = |e: &watcher::Error| match classify_watch_error(e, CONTEXT) {
            WatchFailure::Forbidden(f) => f.verb,
            other => panic!("{other:?}"),
        };
        assert_eq!(verb_of(&list), "list");
        assert_eq!(verb_of(&watch), "watch");
        assert!(matches!(
            classify_watch_error(&watcher::Error::NoResourceVersion, CONTEXT),
            WatchFailure::Transient(_)
        ));
    }

    #[test]
    fn only_a_watch_request_answered_410_needs_a_new_watcher() {
        let status = |code: u16| Status {
            code,
            ..Default::default()
        };
        let refused =
            |code| watcher::Error::WatchStartFailed(kube::Error::Api(status(code).boxed()));
        assert!(watch_refused_as_expired(&refused(410)));
        assert!(!watch_refused_as_expired(&refused(500)));
        // The watcher handles these itself: a 410 event re-lists, a failed list starts over.
        assert!(!watch_refused_as_expired(&watcher::Error::WatchError(
            status(410).boxed()
        )));
        let list = watcher::Error::InitialListFailed(kube::Error::Api(status(410).boxed()));
        assert!(!watch_refused_as_expired(&list));
    }
}
