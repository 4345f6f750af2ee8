//! Streaming lists: what a watch request asks for (`sendInitialEvents`,
//! `resourceVersionMatch`), kube-apiserver's validation of those parameters, and the
//! refusals of servers that cannot serve a streaming list, as `StreamingLists` chooses.

use serde_json::json;

use super::http::Call;
use super::status::ApiError;
use super::store::StreamingLists;

/// The message kube-apiserver's watch cache sends when its storage cannot report watch
/// progress (`staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go`).
pub const NO_WATCH_PROGRESS: &str = "a watch stream was requested by the client but the required \
                                     storage feature RequestWatchProgress is disabled";

const NOT_OLDER_THAN: &str = "NotOlderThan";

/// How a watch starts, once its parameters passed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    /// Every existing object is sent first, as an ADDED event.
    pub initial_events: bool,
    /// The initial events end with a BOOKMARK annotated `k8s.io/initial-events-end`.
    pub end_bookmark: bool,
    /// `sendInitialEvents=false`: only changes, from the asked RV or from now.
    pub changes_only: bool,
}

/// Why a watch request is not served as asked.
#[derive(Debug)]
pub enum Refusal {
    /// An HTTP error before any stream starts.
    Status(ApiError),
    /// HTTP 200 with this one ERROR event, then the end of the stream.
    ErrorEvent(ApiError),
}

/// Reads the watch's start as kube-apiserver's `validateWatchOptions` and watch cache do.
pub fn start(call: &Call, asked_rv: u64, mode: StreamingLists) -> Result<Start, Refusal> {
    let send = call.param("sendInitialEvents").map(|v| v == "true");
    let matching = call.param("resourceVersionMatch").filter(|m| !m.is_empty());
    let mut causes: Vec<(&str, String, &str)> = Vec::new();
    if send.is_some() {
        if matching != Some(NOT_OLDER_THAN) {
            let message = format!(
                "Forbidden: sendInitialEvents requires setting resourceVersionMatch to {NOT_OLDER_THAN}"
            );
            causes.push(("FieldValueForbidden", message, "resourceVersionMatch"));
        }
        if mode == StreamingLists::GateDisabled {
            let message = "Forbidden: sendInitialEvents is forbidden for watch unless the \
                           WatchList feature gate is enabled";
            causes.push(("FieldValueForbidden", message.into(), "sendInitialEvents"));
        }
    }
    if let Some(matching) = matching {
        if send.is_none() {
            let message = "Forbidden: resourceVersionMatch is forbidden for watch unless \
                           sendInitialEvents is provided";
            causes.push((
                "FieldValueForbidden",
                message.into(),
                "resourceVersionMatch",
            ));
        }
        if matching != NOT_OLDER_THAN {
            let message = format!(
                "Unsupported value: \"{matching}\": supported values: \"{NOT_OLDER_THAN}\""
            );
            causes.push(("FieldValueNotSupported", message, "resourceVersionMatch"));
        }
    }
    if !causes.is_empty() {
        return Err(Refusal::Status(invalid_list_options(&causes)));
    }
    let bookmarks = call.param("allowWatchBookmarks") == Some("true");
    let streaming = send == Some(true);
    // The watch cache refuses only what it calls a list-watch request: initial events
    // together with bookmarks, since the end bookmark is what needs watch progress.
    if streaming && bookmarks && mode == StreamingLists::WithoutWatchProgress {
        let error = ApiError::new(500, Some("InternalError"), NO_WATCH_PROGRESS, None);
        return Err(Refusal::ErrorEvent(error));
    }
    Ok(Start {
        // Without the parameter, a watch from RV 0 still starts with every object
        // ("any resource version"), only without the end bookmark.
        initial_events: streaming || (send.is_none() && asked_rv == 0),
        end_bookmark: streaming && bookmarks,
        changes_only: send == Some(false),
    })
}

/// 422 for query parameters, which kube-apiserver reports against `ListOptions.meta.k8s.io`
/// with an empty name (left out of `details`).
fn invalid_list_options(causes: &[(&str, String, &str)]) -> ApiError {
    let described: Vec<String> = causes
        .iter()
        .map(|(_, message, field)| format!("{field}: {message}"))
        .collect();
    let summary = match described.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let message = format!("ListOptions.meta.k8s.io \"\" is invalid: {summary}");
    let causes: Vec<_> = causes
        .iter()
        .map(|(reason, message, field)| json!({"reason": reason, "message": message, "field": field}))
        .collect();
    let details = json!({"group": "meta.k8s.io", "kind": "ListOptions", "causes": causes});
    ApiError::new(422, Some("Invalid"), &message, Some(details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::http::Target;
    use bytes::Bytes;
    use hyper::Method;

    fn call(query: &[(&str, &str)]) -> Call {
        Call {
            method: Method::GET,
            target: Target {
                resource: 0,
                version: "v1".into(),
                namespace: Some("default".into()),
                name: None,
                subresource: None,
            },
            params: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            content_type: String::new(),
            accept: String::new(),
            user: "admin",
            body: Bytes::new(),
            warnings: Default::default(),
        }
    }

    const STREAMING: [(&str, &str); 4] = [
        ("watch", "true"),
        ("allowWatchBookmarks", "true"),
        ("sendInitialEvents", "true"),
        ("resourceVersionMatch", "NotOlderThan"),
    ];

    #[test]
    fn a_streaming_list_sends_initial_events_and_the_end_bookmark() {
        let streaming = start(&call(&STREAMING), 0, StreamingLists::Served).unwrap();
        assert!(streaming.initial_events && streaming.end_bookmark && !streaming.changes_only);
        // Without bookmarks there is nothing to mark the end with.
        let no_bookmarks = start_of(&STREAMING[..1], &STREAMING[2..]);
        assert!(no_bookmarks.initial_events && !no_bookmarks.end_bookmark);
        // A plain watch from RV 0 lists too, as it always did; from an RV it does not.
        let plain = start(&call(&[("watch", "true")]), 0, StreamingLists::Served).unwrap();
        assert!(plain.initial_events && !plain.end_bookmark);
        let resumed = start(&call(&[("watch", "true")]), 7, StreamingLists::Served).unwrap();
        assert!(!resumed.initial_events);
    }

    fn start_of(a: &[(&str, &str)], b: &[(&str, &str)]) -> Start {
        let query: Vec<_> = a.iter().chain(b).copied().collect();
        start(&call(&query), 0, StreamingLists::Served).unwrap()
    }

    #[test]
    fn servers_without_streaming_lists_refuse_them_as_kube_apiserver_does() {
        let Err(Refusal::ErrorEvent(error)) =
            start(&call(&STREAMING), 0, StreamingLists::WithoutWatchProgress)
        else {
            panic!("expected an ERROR event");
        };
        assert_eq!(error.body["code"], 500);
        assert_eq!(error.body["reason"], "InternalError");
        assert_eq!(error.body["message"], NO_WATCH_PROGRESS);
        let Err(Refusal::Status(error)) = start(&call(&STREAMING), 0, StreamingLists::GateDisabled)
        else {
            panic!("expected a 422");
        };
        assert_eq!(error.code, 422);
        assert_eq!(
            error.body["message"],
            "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: \
             sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"
        );
        assert_eq!(
            error.body["details"]["causes"][0]["field"],
            "sendInitialEvents"
        );
        assert!(error.body["details"].get("name").is_none());
        // Plain watches are served either way.
        for mode in [
            StreamingLists::WithoutWatchProgress,
            StreamingLists::GateDisabled,
        ] {
            assert!(start(&call(&[("watch", "true")]), 5, mode).is_ok());
        }
    }

    #[test]
    fn mismatched_parameters_are_invalid() {
        let Err(Refusal::Status(error)) = start(
            &call(&[("sendInitialEvents", "true")]),
            0,
            StreamingLists::Served,
        ) else {
            panic!("expected a 422");
        };
        assert_eq!(
            error.body["details"]["causes"][0]["field"],
            "resourceVersionMatch"
        );
        let Err(Refusal::Status(error)) = start(
            &call(&[("resourceVersionMatch", "Exact")]),
            0,
            StreamingLists::Served,
        ) else {
            panic!("expected a 422");
        };
        let message = error.body["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden"
            ),
            "{message}"
        );
        assert_eq!(error.body["details"]["causes"].as_array().unwrap().len(), 2);
    }
}
