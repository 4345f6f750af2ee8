//! The demo cluster's streaming lists, checked against the recorded kube-apiserver v1.36
//! exchange: the initial ADDED events, the end bookmark at the list's resourceVersion, the
//! live events after it; and its two refusals, as servers without streaming lists answer.

use std::time::{Duration, Instant};

use istio_lab::sim::StreamingLists;
use serde_json::{Value, json};

// Only the sim helpers: common/mod.rs brings the app's model along.
mod common {
    pub mod sim;
}
use common::sim::{Tester, bookinfo_with_pods, fixture, rv, same_shape};

fn streaming_request() -> Value {
    fixture("watch/pods-streaming-list")["request"].clone()
}

fn with_query(query: &str) -> Value {
    let mut request = streaming_request();
    request["query"] = json!(query);
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_list_matches_the_recorded_one_and_goes_on_with_changes() {
    let t = Tester::start().await;
    bookinfo_with_pods(&t).await;
    let listed_at = rv(&t.replay("list/pods").await);
    let recorded = fixture("watch/pods-streaming-list");
    let expected = recorded["response"]["events"].as_array().unwrap();
    let watching = t.send_until(&recorded["request"], Duration::from_secs(5), 4);
    let acting = async {
        // Written once the stream is open: it must come after the bookmark, as a change.
        tokio::time::sleep(Duration::from_millis(300)).await;
        t.replay("setup/03-create-pod-details-v1").await;
    };
    let (answer, ()) = tokio::join!(watching, acting);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json");
    let types: Vec<&str> = answer
        .lines
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["ADDED", "ADDED", "BOOKMARK", "ADDED"],
        "{:#?}",
        answer.lines
    );
    for (i, event) in expected[..2].iter().enumerate() {
        same_shape(&format!("initial event {i}"), event, &answer.lines[i]);
    }
    let names: Vec<&str> = answer.lines[..2]
        .iter()
        .map(|l| l["object"]["metadata"]["name"].as_str().unwrap())
        .collect();
    // In name order, as the recording; the ReplicaSet's pod has its own generated name here.
    assert_eq!(names[0], "ratings-v1");
    assert!(names[1].starts_with("reviews-v1-"), "{names:?}");

    // The bookmark is the recorded one but for its resourceVersion: the snapshot's, which is
    // at least the list's and no older than any object in it.
    let bookmark = &answer.lines[2];
    let end_rv = rv(&bookmark["object"]);
    let mut shown = bookmark.clone();
    shown["object"]["metadata"]["resourceVersion"] = json!("305");
    assert_eq!(shown, expected[2]);
    assert!(end_rv >= listed_at, "{end_rv} < {listed_at}");
    assert!(answer.lines[..2].iter().all(|l| rv(&l["object"]) <= end_rv));
    let change = &answer.lines[3];
    assert_eq!(change["object"]["metadata"]["name"], "details-v1");
    assert!(rv(&change["object"]) > end_rv);
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_without_watch_progress_refuses_with_one_error_event() {
    let t = Tester::start().await;
    bookinfo_with_pods(&t).await;
    t.sim
        .set_streaming_lists(StreamingLists::WithoutWatchProgress);
    let started = Instant::now();
    let answer = t.send(&streaming_request(), Duration::from_secs(5)).await;
    // 200, one ERROR event, and the end of the stream (not the read limit).
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(
        answer.lines,
        [json!({"type": "ERROR", "object": {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "a watch stream was requested by the client but the required storage \
                        feature RequestWatchProgress is disabled",
            "reason": "InternalError", "code": 500}})]
    );
    // Lists and plain watches are served as before.
    let listed_at = rv(&t.replay("list/pods").await);
    let watch = with_query(&format!(
        "&watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion={listed_at}"
    ));
    let watching = t.send_until(&watch, Duration::from_secs(5), 1);
    let acting = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        t.replay("setup/03-create-pod-details-v1").await;
    };
    let (answer, ()) = tokio::join!(watching, acting);
    assert_eq!(answer.lines[0]["type"], "ADDED");
    assert_eq!(answer.lines[0]["object"]["metadata"]["name"], "details-v1");
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_the_watch_list_gate_refuses_with_422() {
    let t = Tester::start().await;
    t.sim.set_streaming_lists(StreamingLists::GateDisabled);
    let answer = t.send(&streaming_request(), Duration::from_secs(1)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.body,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: \
                        sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
            "reason": "Invalid",
            "details": {"group": "meta.k8s.io", "kind": "ListOptions", "causes": [{
                "reason": "FieldValueForbidden",
                "message": "Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
                "field": "sendInitialEvents"}]},
            "code": 422})
    );
    // Served again once switched back.
    t.sim.set_streaming_lists(StreamingLists::Served);
    let answer = t
        .send_until(&streaming_request(), Duration::from_secs(2), 1)
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.lines[0]["type"], "BOOKMARK");
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_parameters_are_validated_as_kube_apiserver_does() {
    let t = Tester::start().await;
    let without_match = with_query(
        "&watch=true&timeoutSeconds=290&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersion=0",
    );
    let answer = t.send(&without_match, Duration::from_secs(1)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.body["message"],
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: \
         sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
    );
    let match_alone = with_query(
        "&watch=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=0",
    );
    let answer = t.send(&match_alone, Duration::from_secs(1)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.body["details"]["causes"][0]["message"],
        "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_streaming_list_starts_before_it_is_all_written() {
    let t = Tester::start().await;
    let store = t.sim.store();
    let pod = |i: usize| {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("bulk-{i:05}"), "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]},
            "status": {"phase": "Running"}})
    };
    for i in 0..2_000 {
        store.put(pod(i)).unwrap();
    }
    // Read only the first event: the objects are written out as the client reads them, so
    // the first arrives long before 2,000 could be serialised, and the stream holds back
    // the rest (the server's buffer is bounded) instead of piling them up.
    let started = Instant::now();
    let answer = t
        .send_until(&streaming_request(), Duration::from_secs(5), 1)
        .await;
    let first = started.elapsed();
    assert_eq!(answer.lines[0]["object"]["metadata"]["name"], "bulk-00000");
    let whole = t
        .send_until(&streaming_request(), Duration::from_secs(60), 2_001)
        .await;
    let everything = started.elapsed() - first;
    assert_eq!(whole.lines.len(), 2_001);
    assert_eq!(whole.lines[2_000]["type"], "BOOKMARK");
    assert!(
        first * 4 < everything,
        "first event after {first:?}, the whole list after {everything:?}"
    );
    t.sim.shutdown().await;
}
