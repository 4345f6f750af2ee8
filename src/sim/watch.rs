//! Watches: newline-delimited JSON events streamed in a chunked body, with replay from a
//! resourceVersion, bookmarks, streaming lists (`watch_list` reads their parameters) and the
//! 410 ERROR event for expired RVs.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use http_body_util::{BodyExt, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Instant, sleep_until};

use super::http::{Body, Call, Shared, error_response, full};
use super::resources::{PODS, RESOURCES, ResourceDef};
use super::select::Selector;
use super::status::ApiError;
use super::store::{Event, ListEntry};
use super::table::{self, Tables};
use super::watch_list::{self, Refusal};

/// What the apiserver picks when the client gives no `timeoutSeconds` (30-60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Lines(mpsc::Receiver<Bytes>);

impl Stream for Lines {
    type Item = Result<Frame<Bytes>, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0
            .poll_recv(cx)
            .map(|line| line.map(|bytes| Ok(Frame::data(bytes))))
    }
}

/// One event as a line of the stream. Written around the object's own serialization, so a
/// streaming list of thousands of objects copies none of them.
pub fn event_line(event_type: &str, object: &Value) -> Bytes {
    let mut line = Vec::with_capacity(1024);
    line.extend_from_slice(b"{\"type\":");
    // Writing JSON into a Vec fails only for maps with non-string keys, which Values lack.
    let _ = serde_json::to_writer(&mut line, event_type);
    line.extend_from_slice(b",\"object\":");
    let _ = serde_json::to_writer(&mut line, object);
    line.extend_from_slice(b"}\n");
    Bytes::from(line)
}

/// `ResourceDef::present` for an object the caller owns: no copy per event.
fn presented(def: &ResourceDef, version: &str, mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), json!(def.api_version(version)));
        map.entry("kind").or_insert_with(|| json!(def.kind));
    }
    object
}

pub fn bookmark(def: &ResourceDef, version: &str, rv: u64, initial_events_end: bool) -> Value {
    let mut object = json!({
        "kind": def.kind,
        "apiVersion": def.api_version(version),
        "metadata": {"resourceVersion": rv.to_string()},
    });
    if initial_events_end {
        object["metadata"]["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    if std::ptr::eq(def, &RESOURCES[PODS]) {
        object["spec"] = json!({"containers": null});
        object["status"] = json!({});
    }
    object
}

struct WatchPlan {
    resource: usize,
    version: String,
    namespace: Option<String>,
    selector: Selector,
    start_rv: u64,
    timeout: Duration,
    bookmarks: bool,
    /// Set when kubectl asked for Tables: every event's object is then a one-row Table.
    tables: Option<Tables>,
}

impl WatchPlan {
    /// The object an event carries, as this watch asked for it.
    fn shown(&self, presented: Value) -> Value {
        match &self.tables {
            Some(tables) => tables.event(&presented),
            None => presented,
        }
    }

    /// The event's line for this watch, or `None` when the watch does not want it.
    /// The cheap checks come first; the object is parsed once, only for wanted kinds.
    fn line(&self, event: &Event) -> Option<Bytes> {
        let mine = event.resource == self.resource
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == event.namespace);
        if !mine {
            return None;
        }
        let object = event.object.value();
        if !self.selector.matches(&object) {
            return None;
        }
        let def = &RESOURCES[self.resource];
        Some(event_line(
            event.event_type.as_str(),
            &self.shown(presented(def, &self.version, object)),
        ))
    }

    /// The ADDED line of an object that existed when the watch started, if it matches.
    fn initial_line(&self, entry: &ListEntry) -> Option<Bytes> {
        let object = entry.object.value();
        if !self.selector.matches(&object) {
            return None;
        }
        let def = &RESOURCES[self.resource];
        Some(event_line(
            "ADDED",
            &self.shown(presented(def, &self.version, object)),
        ))
    }
}

/// What a watch sends before the changes: the objects that existed when it started (kept
/// packed, each turned into its line only when the stream gets to it, so a streaming list
/// of 50,000 pods never exists as text all at once), then maybe the end bookmark.
struct Initial {
    entries: Vec<ListEntry>,
    end_bookmark: Option<u64>,
    replay: Vec<Arc<Event>>,
}

pub fn serve(shared: Arc<Shared>, call: &Call) -> Response<Body> {
    let target = &call.target;
    let tables = match table::negotiate(call) {
        Ok(tables) => tables,
        Err(err) => return error_response(&err),
    };
    let selector = match call.selector() {
        Ok(selector) => selector,
        Err(err) => return error_response(&err),
    };
    let asked_rv = call
        .param("resourceVersion")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let store = &shared.store;
    let (tx, rx) = mpsc::channel::<Bytes>(1024);
    let start = match watch_list::start(call, asked_rv, store.streaming_lists()) {
        Ok(start) => start,
        Err(Refusal::Status(err)) => return error_response(&err),
        Err(Refusal::ErrorEvent(err)) => {
            // The channel has room, and the stream ends once the sender is dropped.
            let _ = tx.try_send(event_line("ERROR", &err.body));
            return stream_response(rx);
        }
    };
    let mut plan = WatchPlan {
        resource: target.resource,
        version: target.version.clone(),
        namespace: target.namespace.clone(),
        selector,
        start_rv: asked_rv,
        timeout: call
            .param("timeoutSeconds")
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT),
        bookmarks: call.param("allowWatchBookmarks") == Some("true"),
        tables,
    };
    let namespace = plan.namespace.as_deref();
    let mut entries = Vec::new();
    let mut end_bookmark = None;
    if start.initial_events {
        let (listed, list_rv) = store.list_entries(plan.resource, namespace);
        entries = listed;
        end_bookmark = start.end_bookmark.then_some(list_rv);
        plan.start_rv = list_rv;
    } else if start.changes_only && asked_rv == 0 {
        plan.start_rv = store.current_rv();
    }
    match store.watch_from(plan.resource, namespace, plan.start_rv) {
        Ok(subscription) => {
            let initial = Initial {
                entries,
                end_bookmark,
                replay: subscription.replay,
            };
            let seen_rv = subscription.rv;
            tokio::spawn(stream_events(
                shared.clone(),
                plan,
                initial,
                subscription.receiver,
                seen_rv,
                tx,
            ));
        }
        Err(oldest) => {
            let expired = ApiError::watch_expired(asked_rv, oldest);
            let _ = tx.try_send(event_line("ERROR", &expired.body));
        }
    }
    stream_response(rx)
}

fn stream_response(rx: mpsc::Receiver<Bytes>) -> Response<Body> {
    Response::builder()
        .status(200)
        .header("Content-Type", "application/json")
        .header("Cache-Control", "no-cache, private")
        .body(StreamBody::new(Lines(rx)).boxed())
        .unwrap_or_else(|_| Response::new(full("")))
}

/// Sends one line unless the client left or the server is stopping; false ends the watch.
async fn send(shared: &Shared, tx: &mpsc::Sender<Bytes>, line: Bytes) -> bool {
    tokio::select! {
        sent = tx.send(line) => sent.is_ok(),
        () = shared.cancel.cancelled() => false,
    }
}

async fn stream_events(
    shared: Arc<Shared>,
    plan: WatchPlan,
    initial: Initial,
    mut receiver: broadcast::Receiver<Arc<Event>>,
    mut seen_rv: u64,
    tx: mpsc::Sender<Bytes>,
) {
    let def = &RESOURCES[plan.resource];
    for entry in &initial.entries {
        if let Some(line) = plan.initial_line(entry)
            && !send(&shared, &tx, line).await
        {
            return;
        }
    }
    drop(initial.entries);
    if let Some(rv) = initial.end_bookmark {
        let line = event_line(
            "BOOKMARK",
            &plan.shown(bookmark(def, &plan.version, rv, true)),
        );
        if !send(&shared, &tx, line).await {
            return;
        }
    }
    for event in &initial.replay {
        if let Some(line) = plan.line(event)
            && !send(&shared, &tx, line).await
        {
            return;
        }
    }
    drop(initial.replay);
    let interval = shared
        .store
        .bookmark_interval()
        .max(Duration::from_millis(10));
    let started = Instant::now();
    let deadline = started + plan.timeout;
    let final_bookmark_at = deadline - Duration::from_secs(2).min(plan.timeout / 4);
    let mut next_bookmark = started + interval;
    let mut final_bookmark_sent = false;
    loop {
        let wake = if final_bookmark_sent {
            next_bookmark
        } else {
            next_bookmark.min(final_bookmark_at)
        };
        let line = tokio::select! {
            _ = shared.cancel.cancelled() => return,
            _ = tx.closed() => return,
            _ = sleep_until(deadline) => return,
            _ = sleep_until(wake), if plan.bookmarks => {
                if Instant::now() >= final_bookmark_at && !final_bookmark_sent {
                    final_bookmark_sent = true;
                } else {
                    next_bookmark += interval;
                }
                // Only RVs whose events were all handled, so resuming from it loses nothing.
                if seen_rv <= plan.start_rv {
                    continue;
                }
                event_line("BOOKMARK", &plan.shown(bookmark(def, &plan.version, seen_rv, false)))
            }
            received = receiver.recv() => match received {
                Ok(event) => {
                    seen_rv = seen_rv.max(event.rv);
                    let Some(line) = plan.line(&event) else {
                        continue;
                    };
                    line
                }
                // A lagging or closed feed ends the watch; clients resume from their last RV.
                Err(_) => return,
            },
        };
        if tx.send(line).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::VIRTUALSERVICES;

    #[test]
    fn pod_bookmarks_carry_spec_and_status_stubs() {
        let pod = bookmark(&RESOURCES[PODS], "v1", 332, false);
        assert_eq!(
            pod,
            json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "332"},
                   "spec": {"containers": null}, "status": {}})
        );
        let vs = bookmark(&RESOURCES[VIRTUALSERVICES], "v1beta1", 7, true);
        assert_eq!(vs["apiVersion"], "networking.istio.io/v1beta1");
        assert_eq!(
            vs["metadata"]["annotations"]["k8s.io/initial-events-end"],
            "true"
        );
        assert!(vs.get("spec").is_none());
    }

    #[test]
    fn event_lines_are_newline_terminated_json() {
        let line = event_line("ADDED", &json!({"a": 1}));
        assert!(line.ends_with(b"\n"));
        let parsed: Value = serde_json::from_slice(&line[..line.len() - 1]).unwrap();
        assert_eq!(parsed["type"], "ADDED");
    }
}
