//! Helpers for the Table stories (tests/sim_tables*.rs): the demo cluster set up as kubectl's
//! recordings were (Bookinfo injected in `default`, its routing applied, the node named
//! `bookinfo-worker`), requests sent as kubectl sends them, and readings of the Tables.
#![allow(dead_code)]

use std::time::Duration;

use istio_lab::sim::{self, Scenario, SidecarMode, SimOptions};
use serde_json::{Value, json};

use super::sim::{Answer, Tester, fixture};
use super::watch::{BOOKINFO, SPEED, apply_manifest};

/// The Accept header of every table-printing `kubectl get`, `-w` included.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
pub const ROUTING: [&str; 3] = [
    include_str!("../../assets/bookinfo/bookinfo-gateway.yaml"),
    include_str!("../../assets/bookinfo/destination-rule-reviews.yaml"),
    include_str!("../../assets/bookinfo/virtual-service-reviews-80-20.yaml"),
];

/// The demo scenario with the recordings' node name and `default` labelled for injection.
pub fn recorded_scenario(mode: SidecarMode) -> Scenario {
    let demo = include_str!("../../assets/sim/demo.yaml");
    let node = "nodeName: istio-lab-worker";
    let default_labels = "        kubernetes.io/metadata.name: default\n";
    assert!(demo.contains(node) && demo.contains(default_labels));
    let text = demo.replace(node, "nodeName: bookinfo-worker").replace(
        default_labels,
        &format!("{default_labels}        istio-injection: enabled\n"),
    );
    Scenario::from_yaml(&text).unwrap().with_sidecar_mode(mode)
}

/// The demo cluster as the recordings found theirs: Bookinfo applied in `default` with
/// its Gateway, DestinationRule and VirtualServices, every pod Running 2/2 and every
/// Deployment 1/1.
pub async fn recorded_cluster(mode: SidecarMode) -> Tester {
    let sim = sim::start(SimOptions {
        port: 0,
        speed: SPEED,
        scenario: recorded_scenario(mode),
    })
    .await
    .unwrap();
    let kube = kube::Client::try_from(sim.kube_config()).unwrap();
    apply_manifest(&kube, BOOKINFO, "default").await;
    for manifest in ROUTING {
        apply_manifest(&kube, manifest, "default").await;
    }
    let sim_ca = &sim.ca_der().to_vec();
    let t = Tester {
        sim,
        client: super::sim::new_client(sim_ca),
    };
    wait_for_rows(&t, "/api/v1/namespaces/default/pods", |rows| {
        rows.len() == 6 && rows.iter().all(|r| r[1] == "2/2" && r[2] == "Running")
    })
    .await;
    // The controllers count ready pods in the Deployments' and ReplicaSets' status after.
    wait_for_rows(&t, "/apis/apps/v1/namespaces/default/deployments", |rows| {
        rows.len() == 6 && rows.iter().all(|r| r[1] == "1/1" && r[3] == 1)
    })
    .await;
    wait_for_rows(&t, "/apis/apps/v1/namespaces/default/replicasets", |rows| {
        rows.len() == 6 && rows.iter().all(|r| r[3] == 1)
    })
    .await;
    t
}

/// A GET as kubectl sends it for table output.
pub fn table_request(path: &str, query: &str) -> Value {
    json!({"method": "GET", "path": path, "query": query,
        "headers": {"Accept": TABLE_ACCEPT, "User-Agent": "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07"}})
}

/// The recorded request of a kubectl fixture, without the headers that belong to its
/// connection (`Host`, `Content-Length`), its raw body kept as sent.
pub fn recorded_request(name: &str) -> Value {
    let mut request = fixture(&format!("kubectl/{name}"))["request"].clone();
    let headers = request["headers"].as_object_mut().unwrap();
    headers.remove("Host");
    headers.remove("Content-Length");
    if let Some(raw) = request.get("body_raw").cloned() {
        request["body"] = raw;
    }
    request
}

pub async fn get_table(t: &Tester, path: &str, query: &str) -> Answer {
    t.send(&table_request(path, query), Duration::from_secs(5))
        .await
}

/// The cells of every row of a Table.
pub fn cells(table: &Value) -> Vec<Vec<Value>> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"].as_array().unwrap().clone())
        .collect()
}

/// Polls a Table list until `done` holds for its rows.
pub async fn wait_for_rows(t: &Tester, path: &str, done: impl Fn(&[Vec<Value>]) -> bool) {
    let mut last = Vec::new();
    for _ in 0..400 {
        let answer = get_table(t, path, "limit=500").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        last = cells(&answer.body);
        if done(&last) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never got there: {last:?}");
}

/// `details-v1` for the pod `details-v1-6c65c4fcf6-h5k6f`, the ReplicaSet
/// `details-v1-6c65c4fcf6` gives `details`: the part no hash changes.
pub fn without_suffix(name: &str, parts: usize) -> String {
    let pieces: Vec<&str> = name.split('-').collect();
    pieces[..pieces.len() - parts].join("-")
}

/// An Age cell as the apiserver prints one (`0s`, `2m3s`, `8h`, ...).
pub fn is_age(cell: &Value) -> bool {
    let text = cell.as_str().unwrap_or_default();
    text.starts_with(|c: char| c.is_ascii_digit())
        && text.ends_with(['s', 'm', 'h', 'd', 'y'])
        && text.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn is_ipv4(cell: &Value) -> bool {
    cell.as_str()
        .is_some_and(|s| s.parse::<std::net::Ipv4Addr>().is_ok())
}
