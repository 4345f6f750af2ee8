//! `kubectl get -w` against the demo cluster: the recorded Table list and watch
//! (tests/fixtures/k8s/kubectl/watch-table) replayed while the recorded status patches make
//! reviews-v1 not ready and ready again, and watches whose first events are the objects
//! that exist, ending with a bookmark.

use std::time::Duration;

use istio_lab::sim::SidecarMode;
use serde_json::{Value, json};

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::sim::{Tester, fixture};
use common::tables::{TABLE_ACCEPT, cells, is_age, is_ipv4, recorded_cluster, recorded_request};

fn keys(object: &Value) -> Vec<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

/// The recorded patch of the reviews-v1 pod's status, aimed at this cluster's pod.
fn status_patch(name: &str, pod: &str) -> Value {
    let mut request = recorded_request(&format!("watch-table/{name}"));
    request["path"] = json!(format!("/api/v1/namespaces/default/pods/{pod}/status"));
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_w_prints_one_row_per_change() {
    // reviews-v1 carried a classic sidecar in the recording.
    let t = recorded_cluster(SidecarMode::Classic).await;
    let list = t
        .send(
            &recorded_request("watch-table/01-get-pods-w-list-pods"),
            Duration::from_secs(5),
        )
        .await
        .body;
    assert_eq!(list["kind"], "Table");
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let pod = cells(&list)
        .into_iter()
        .map(|row| row[0].as_str().unwrap().to_string())
        .find(|name| name.starts_with("reviews-v1-"))
        .unwrap();

    // kubectl watches from the list's resourceVersion, with the same Accept header.
    let mut watch = recorded_request("watch-table/02-get-pods-w-watch-pods");
    assert_eq!(watch["headers"]["Accept"], TABLE_ACCEPT);
    watch["query"] = json!(format!("resourceVersion={rv}&watch=true"));
    let patches = async {
        let not_ready =
            "04-patch-status-not-ready-merge-patch-pod-reviews-v1-5975c48ccb-d4cvq-status";
        let ready = "06-patch-status-ready-merge-patch-pod-reviews-v1-5975c48ccb-d4cvq-status";
        for name in [not_ready, ready] {
            let answer = t
                .send(&status_patch(name, &pod), Duration::from_secs(5))
                .await;
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
    };
    let (answer, ()) = tokio::join!(t.send_until(&watch, Duration::from_secs(10), 2), patches);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json");

    let recorded = fixture("kubectl/watch-table/02-get-pods-w-watch-pods");
    let recorded = recorded["response"]["events"].as_array().unwrap();
    assert_eq!(answer.lines.len(), recorded.len());
    for (i, (event, recorded)) in answer.lines.iter().zip(recorded).enumerate() {
        assert_eq!(event["type"], recorded["type"], "event {i}");
        let (table, recorded) = (&event["object"], &recorded["object"]);
        assert_eq!(keys(table), keys(recorded), "event {i}");
        assert_eq!(
            (&table["kind"], &table["apiVersion"]),
            (&recorded["kind"], &recorded["apiVersion"])
        );
        // Only the first event carries the columns; kubectl keeps them for the next.
        assert_eq!(
            table["columnDefinitions"], recorded["columnDefinitions"],
            "event {i}"
        );
        let (row, recorded_row) = (&cells(table)[0], &cells(recorded)[0]);
        assert_eq!(cells(table).len(), 1);
        assert_eq!(row[0], pod.as_str());
        assert_eq!(row[1..4], recorded_row[1..4], "event {i}");
        assert_eq!(row[6..], recorded_row[6..], "event {i}");
        assert!(is_age(&row[4]) && is_ipv4(&row[5]), "{row:?}");
        let object = &table["rows"][0]["object"];
        assert_eq!(object["kind"], "PartialObjectMetadata");
        assert_eq!(
            table["metadata"]["resourceVersion"],
            object["metadata"]["resourceVersion"]
        );
    }
    assert_eq!(cells(&answer.lines[0]["object"])[0][1], "1/2");
    assert_eq!(cells(&answer.lines[1]["object"])[0][1], "2/2");
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_events_and_bookmarks_come_as_tables_too() {
    let t = Tester::start().await;
    let request = json!({"method": "GET", "path": "/api/v1/namespaces",
        "query": "sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&watch=true",
        "headers": {"Accept": TABLE_ACCEPT}});
    let answer = t.send_until(&request, Duration::from_secs(10), 3).await;
    let types: Vec<&Value> = answer.lines.iter().map(|e| &e["type"]).collect();
    assert_eq!(types, ["ADDED", "ADDED", "BOOKMARK"]);
    let tables: Vec<&Value> = answer.lines.iter().map(|e| &e["object"]).collect();
    assert!(tables.iter().all(|t| t["kind"] == "Table"));
    assert_eq!(tables[0]["columnDefinitions"].as_array().unwrap().len(), 3);
    assert_eq!(tables[1]["columnDefinitions"], Value::Null);
    assert_eq!(cells(tables[0])[0][0], "default");
    assert_eq!(cells(tables[1])[0][0], "istio-system");
    // The bookmark is printed as the apiserver prints it: an object with nothing but a
    // resourceVersion (and here the end-of-initial-events annotation).
    let bookmark = tables[2];
    assert_eq!(cells(bookmark)[0], ["", "", "<unknown>"]);
    let metadata = &bookmark["rows"][0]["object"]["metadata"];
    assert_eq!(metadata["annotations"]["k8s.io/initial-events-end"], "true");
    assert_eq!(
        metadata["resourceVersion"],
        bookmark["metadata"]["resourceVersion"]
    );
    t.sim.shutdown().await;
}
