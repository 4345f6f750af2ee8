//! `kubectl get events -w` and `kubectl get endpoints -w` on the demo cluster: kubectl's
//! recorded watch request (tests/fixtures/k8s/kubectl/watch-table) pointed at Events and
//! Endpoints, answered with one-row Tables as a pod is replaced.

use std::time::Duration;

use istio_lab::sim::SidecarMode;
use serde_json::json;

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::tables::{recorded_cluster, recorded_request};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_w_follows_events_and_endpoints_as_table_rows() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let rv = t.sim.store().current_rv().to_string();
    let mut watches = Vec::new();
    for path in [
        "/api/v1/namespaces/default/events",
        "/api/v1/namespaces/default/endpoints",
    ] {
        let mut request = recorded_request("watch-table/02-get-pods-w-watch-pods");
        request["path"] = json!(path);
        let only = if path.ends_with("endpoints") {
            "&fieldSelector=metadata.name%3Dratings"
        } else {
            ""
        };
        request["query"] = json!(format!("resourceVersion={rv}&watch=true{only}"));
        watches.push(request);
    }
    // A pod replaced by its ReplicaSet: events for the new pod, endpoints for its address.
    let delete = json!({"method": "DELETE", "path": "/api/v1/namespaces/default/pods/placeholder",
        "headers": {"Content-Type": "application/json", "Accept": "application/json"},
        "body": {"gracePeriodSeconds": 0}});
    let pod = t
        .sim
        .store()
        .list_objects("v1", "Pod", "default")
        .into_iter()
        .find(|p| p["metadata"]["labels"]["app"] == "ratings")
        .unwrap();
    let mut delete = delete;
    delete["path"] = json!(format!(
        "/api/v1/namespaces/default/pods/{}",
        pod["metadata"]["name"].as_str().unwrap()
    ));
    let (events, endpoints, deleted) = tokio::join!(
        t.send_until(&watches[0], Duration::from_secs(10), 8),
        t.send_until(&watches[1], Duration::from_secs(10), 1),
        async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            t.send(&delete, Duration::from_secs(5)).await
        }
    );
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    for (answer, columns) in [(&events, 10), (&endpoints, 3)] {
        assert_eq!(answer.status, 200);
        let first = &answer.lines[0]["object"];
        assert_eq!(first["kind"], "Table");
        assert_eq!(
            first["columnDefinitions"].as_array().unwrap().len(),
            columns
        );
        assert_eq!(first["rows"][0]["cells"].as_array().unwrap().len(), columns);
    }
    let reasons: Vec<&str> = events
        .lines
        .iter()
        .filter_map(|l| l["object"]["rows"][0]["cells"][2].as_str())
        .collect();
    assert_eq!(
        reasons[..2],
        ["SuccessfulCreate", "Scheduled"],
        "{reasons:?}"
    );
    assert_eq!(
        endpoints.lines[0]["object"]["rows"][0]["cells"][0],
        "ratings"
    );
    t.sim.shutdown().await;
}
