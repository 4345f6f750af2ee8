//! `kubectl get` against the demo cluster: kubectl's recorded Table requests
//! (tests/fixtures/k8s/kubectl/get-tables) replayed on a cluster set up as the recording's
//! was, and the answers compared with the recorded Tables: the same column definitions, and
//! the same cells for the same objects where names, addresses and times are not generated.

use std::collections::BTreeMap;
use std::time::Duration;

use istio_lab::sim::SidecarMode;
use serde_json::Value;

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::sim::{Answer, Tester, fixture};
use common::tables::{
    cells, get_table, is_age, is_ipv4, recorded_cluster, recorded_request, without_suffix,
};

/// Replays a recorded request and checks what every Table answer shares with the recording:
/// status, Content-Type, envelope, column definitions, and rows carrying their metadata.
async fn replay_table(t: &Tester, name: &str) -> (Value, Value) {
    let recorded = fixture(&format!("kubectl/{name}"))["response"]["body"].clone();
    let answer: Answer = t
        .send(&recorded_request(name), Duration::from_secs(5))
        .await;
    assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    assert_eq!(answer.content_type, "application/json", "{name}");
    let table = answer.body;
    assert_eq!(table["kind"], "Table", "{name}");
    assert_eq!(table["apiVersion"], "meta.k8s.io/v1", "{name}");
    assert_eq!(
        keys(&table["metadata"]),
        keys(&recorded["metadata"]),
        "{name}"
    );
    assert_eq!(
        table["columnDefinitions"], recorded["columnDefinitions"],
        "{name}"
    );
    for row in table["rows"].as_array().unwrap() {
        let object = &row["object"];
        assert_eq!(object["kind"], "PartialObjectMetadata", "{name}");
        assert_eq!(object["apiVersion"], "meta.k8s.io/v1", "{name}");
        assert_eq!(object["metadata"]["name"], row["cells"][0], "{name}");
        assert!(object.get("spec").is_none(), "{name}");
    }
    (recorded, table)
}

fn keys(object: &Value) -> Vec<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

/// Rows with their Age cell (at `at`) checked and blanked.
fn aged(mut rows: Vec<Vec<Value>>, at: usize) -> Vec<Vec<Value>> {
    for row in &mut rows {
        assert!(is_age(&row[at]), "{row:?}");
        row[at] = Value::Null;
    }
    rows
}

/// Rows keyed by `key(name)`.
fn by_key(table: &Value, key: impl Fn(&str) -> String) -> BTreeMap<String, Vec<Value>> {
    cells(table)
        .into_iter()
        .map(|cells| (key(cells[0].as_str().unwrap()), cells))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_read_two_of_two_running_with_native_and_classic_sidecars() {
    for mode in [SidecarMode::Native, SidecarMode::Classic] {
        let t = recorded_cluster(mode).await;
        let (recorded, table) = replay_table(&t, "get-tables/01-get-pods").await;
        let metadata_keys = |t: &Value| keys(&t["rows"][0]["object"]["metadata"]);
        assert_eq!(metadata_keys(&table), metadata_keys(&recorded));
        let ours = by_key(&table, |n| without_suffix(n, 2));
        let theirs = by_key(&recorded, |n| without_suffix(n, 2));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        for (app, recorded) in &theirs {
            let row = &ours[app];
            // READY, STATUS, RESTARTS, then NODE, NOMINATED NODE and READINESS GATES.
            assert_eq!(row[1..4], recorded[1..4], "{mode:?} {app}");
            assert_eq!(row[6..], recorded[6..], "{mode:?} {app}");
            assert!(is_age(&row[4]) && is_ipv4(&row[5]), "{mode:?} {row:?}");
        }
        // --show-labels and -L read the labels from each row's metadata.
        let store = t.sim.store();
        for row in table["rows"].as_array().unwrap() {
            let name = row["cells"][0].as_str().unwrap();
            let pod = store
                .get_object("v1", "Pod", "default", name)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(row["object"]["metadata"], pod["metadata"], "{name}");
        }
        t.sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_and_field_selectors_and_named_gets_narrow_the_rows() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let (recorded, table) = replay_table(&t, "get-tables/04-get-pods-l-app-reviews").await;
    let apps = |t: &Value| {
        by_key(t, |n| without_suffix(n, 2))
            .into_keys()
            .collect::<Vec<_>>()
    };
    assert_eq!(apps(&table), ["reviews-v1", "reviews-v2", "reviews-v3"]);
    assert_eq!(apps(&table), apps(&recorded));

    // `kubectl get pods --field-selector metadata.name=...` and `kubectl get pod NAME`.
    let name = table["rows"][1]["cells"][0].as_str().unwrap().to_string();
    let path = "/api/v1/namespaces/default/pods";
    let query = format!("fieldSelector=metadata.name%3D{name}&limit=500");
    let selected = get_table(&t, path, &query).await.body;
    let listed = table["rows"][1]["cells"].as_array().unwrap().clone();
    // Ages move on between two requests; everything else is the same.
    assert_eq!(aged(cells(&selected), 4), aged(vec![listed], 4));
    let named = get_table(&t, &format!("{path}/{name}"), "").await.body;
    assert_eq!(named["kind"], "Table");
    assert_eq!(named["columnDefinitions"], table["columnDefinitions"]);
    assert_eq!(aged(cells(&named), 4), aged(cells(&selected), 4));
    assert_eq!(
        named["metadata"]["resourceVersion"],
        named["rows"][0]["object"]["metadata"]["resourceVersion"]
    );
    t.sim.shutdown().await;
}

/// `15021:30334/TCP` reads `15021:N/TCP`: node ports are allocated at random.
fn without_node_ports(ports: &Value) -> String {
    let ports = ports.as_str().unwrap().split(',');
    let shown: Vec<String> = ports
        .map(|p| match p.split_once(':') {
            Some((port, rest)) => format!("{port}:N/{}", rest.split_once('/').unwrap().1),
            None => p.to_string(),
        })
        .collect();
    shown.join(",")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_print_type_addresses_ports_and_selector_as_recorded() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let (recorded, table) = replay_table(&t, "get-tables/05-get-services").await;
    let (ours, theirs) = (
        by_key(&table, str::to_string),
        by_key(&recorded, str::to_string),
    );
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (name, recorded) in &theirs {
        let row = &ours[name];
        assert!(is_ipv4(&row[2]) && is_age(&row[5]), "{row:?}");
        for column in [1, 3, 4, 6] {
            assert_eq!(row[column], recorded[column], "{name} column {column}");
        }
    }

    // The demo's istio-system holds more than the recording's; the ingress gateway is in both.
    let (recorded, table) = replay_table(&t, "get-tables/06-get-svc-n-istio-system").await;
    let gateway = "istio-ingressgateway";
    let (row, recorded) = (
        &by_key(&table, str::to_string)[gateway],
        &by_key(&recorded, str::to_string)[gateway],
    );
    for column in [1, 6] {
        assert_eq!(row[column], recorded[column], "column {column}");
    }
    // The demo's gateway advertises where it really listens: this run's address and port.
    let gateway_addr = t.sim.gateway_addr();
    assert_eq!(row[3], gateway_addr.ip().to_string());
    let http2 = format!(",{}:", gateway_addr.port());
    assert_eq!(
        without_node_ports(&row[4]),
        without_node_ports(&recorded[4]).replace(",80:", &http2)
    );
    assert_eq!(
        without_node_ports(&row[4]),
        format!("15021:N/TCP{http2}N/TCP,443:N/TCP")
    );

    let (_, named) = replay_table(&t, "get-tables/31-get-svc-istio-ingressgateway").await;
    assert_eq!(aged(cells(&named), 5), aged(vec![row.clone()], 5));
    t.sim.shutdown().await;
}

/// The recording's Deployments carried the classic sidecar in their template (injected
/// before they were applied); the demo cluster injects it into the pods.
fn without_template_sidecar(cell: &Value) -> Value {
    let text = cell.as_str().unwrap();
    Value::from(
        text.replace(",istio-proxy", "")
            .replace(",docker.io/istio/proxyv2:1.28.0", ""),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_and_replicasets_count_ready_replicas_as_recorded() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let (recorded, table) = replay_table(&t, "get-tables/07-get-deploy").await;
    let (ours, theirs) = (
        by_key(&table, str::to_string),
        by_key(&recorded, str::to_string),
    );
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (name, recorded) in &theirs {
        let row = &ours[name];
        assert_eq!(row[1..4], recorded[1..4], "{name}");
        assert!(is_age(&row[4]), "{row:?}");
        assert_eq!(row[5], without_template_sidecar(&recorded[5]), "{name}");
        assert_eq!(row[6], without_template_sidecar(&recorded[6]), "{name}");
        assert_eq!(row[7], recorded[7], "{name}");
    }

    let (recorded, table) = replay_table(&t, "get-tables/08-get-rs").await;
    let (ours, theirs) = (
        by_key(&table, |n| without_suffix(n, 1)),
        by_key(&recorded, |n| without_suffix(n, 1)),
    );
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (name, recorded) in &theirs {
        let row = &ours[name];
        assert_eq!(row[1..4], recorded[1..4], "{name}");
        assert_eq!(row[5], without_template_sidecar(&recorded[5]), "{name}");
        // The pod-template-hash is the ReplicaSet's own.
        let hash = |cells: &[Value]| {
            cells[0]
                .as_str()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap()
                .to_string()
        };
        let selector = recorded[7]
            .as_str()
            .unwrap()
            .replace(&hash(recorded), &hash(row));
        assert_eq!(row[7], selector, "{name}");
    }
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_service_accounts_and_istio_kinds_print_as_recorded() {
    let t = recorded_cluster(SidecarMode::Classic).await;
    // `kubectl get ns -L istio-injection`: the label column comes from each row's metadata.
    let (recorded, table) = replay_table(&t, "get-tables/09-get-ns-L-istio-injection").await;
    let theirs = by_key(&recorded, str::to_string);
    for row in table["rows"].as_array().unwrap() {
        let cells = row["cells"].as_array().unwrap();
        let name = cells[0].as_str().unwrap();
        assert_eq!(cells[1], theirs[name][1], "{name}");
        let injection = &row["object"]["metadata"]["labels"]["istio-injection"];
        assert_eq!(
            injection.as_str(),
            (name == "default").then_some("enabled"),
            "{name}"
        );
    }
    let (recorded, table) = replay_table(&t, "get-tables/10-get-sa").await;
    let names = |t: &Value| by_key(t, str::to_string).into_keys().collect::<Vec<_>>();
    assert_eq!(names(&table), names(&recorded));

    for name in [
        "get-tables/16-get-vs-dr-gw-list-virtualservices",
        "get-tables/17-get-vs-dr-gw-list-destinationrules",
        "get-tables/18-get-vs-dr-gw-list-gateways",
    ] {
        let (recorded, table) = replay_table(&t, name).await;
        let (ours, theirs) = (cells(&table), cells(&recorded));
        assert_eq!(ours.len(), theirs.len(), "{name}");
        for (row, recorded) in ours.iter().zip(&theirs) {
            let age = row.len() - 1;
            assert_eq!(row[..age], recorded[..age], "{name}");
            assert!(is_age(&row[age]), "{row:?}");
        }
    }
    t.sim.shutdown().await;
}
