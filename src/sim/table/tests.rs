//! The printers against kubectl's recordings (`tests/fixtures/k8s/kubectl`): the recorded
//! column definitions, and the recorded cells for the objects the recordings hold in full.
//! Kinds recorded only as Table rows get objects built to match those rows.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::human_duration;
use super::{Wanted, istio, printer_for, wanted};

macro_rules! fixture {
    ($name:literal) => {
        serde_json::from_str::<Value>(include_str!(concat!(
            "../../../tests/fixtures/k8s/",
            $name,
            ".json"
        )))
        .unwrap()
    };
}

fn table_of(recorded: &Value) -> &Value {
    assert_eq!(recorded["response"]["body"]["kind"], "Table");
    &recorded["response"]["body"]
}

fn recorded_row<'a>(table: &'a Value, name: &str) -> &'a Vec<Value> {
    let rows = table["rows"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["object"]["metadata"]["name"] == name);
    row.unwrap_or_else(|| panic!("no row {name}"))["cells"]
        .as_array()
        .unwrap()
}

/// The object's cells when `now` is `seconds` after its creation.
fn cells(group: &str, plural: &str, obj: &Value, seconds: i64) -> Vec<Value> {
    let created: Timestamp = obj["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = created + jiff::SignedDuration::from_secs(seconds);
    (printer_for(group, plural).row)(obj, now).cells
}

/// The recorded cells with the Age cell (at `age_at`) replaced by what `seconds` prints.
fn expected(recorded: &[Value], age_at: usize, seconds: i64) -> Vec<Value> {
    let mut cells = recorded.to_vec();
    cells[age_at] = json!(human_duration(seconds));
    cells
}

#[test]
fn every_printer_has_the_recorded_columns() {
    let recordings = [
        ("", "pods", fixture!("kubectl/get-tables/01-get-pods")),
        (
            "",
            "services",
            fixture!("kubectl/get-tables/05-get-services"),
        ),
        (
            "apps",
            "deployments",
            fixture!("kubectl/get-tables/07-get-deploy"),
        ),
        (
            "apps",
            "replicasets",
            fixture!("kubectl/get-tables/08-get-rs"),
        ),
        (
            "",
            "namespaces",
            fixture!("kubectl/get-tables/09-get-ns-L-istio-injection"),
        ),
        (
            "",
            "serviceaccounts",
            fixture!("kubectl/get-tables/10-get-sa"),
        ),
        ("", "configmaps", fixture!("kubectl/get-tables/11-get-cm")),
        ("", "secrets", fixture!("kubectl/get-tables/12-get-secrets")),
        ("", "events", fixture!("kubectl/get-tables/13-get-events")),
        (
            "",
            "endpoints",
            fixture!("kubectl/get-tables/14-get-endpoints"),
        ),
        (
            "discovery.k8s.io",
            "endpointslices",
            fixture!("kubectl/get-tables/15-get-endpointslices"),
        ),
        (
            "networking.istio.io",
            "virtualservices",
            fixture!("kubectl/get-tables/16-get-vs-dr-gw-list-virtualservices"),
        ),
        (
            "networking.istio.io",
            "destinationrules",
            fixture!("kubectl/get-tables/17-get-vs-dr-gw-list-destinationrules"),
        ),
        (
            "networking.istio.io",
            "gateways",
            fixture!("kubectl/get-tables/18-get-vs-dr-gw-list-gateways"),
        ),
    ];
    for (group, plural, recorded) in &recordings {
        let printer = printer_for(group, plural);
        let columns: Vec<Value> = printer.columns.iter().map(|c| c.to_json()).collect();
        assert_eq!(
            Value::Array(columns),
            table_of(recorded)["columnDefinitions"],
            "{plural}"
        );
    }
    assert_eq!(printer_for("", "nodes").columns[1].name, "Created At");
}

#[test]
fn istio_columns_are_the_crds_printer_columns_in_every_version() {
    let crds = [
        (istio::VIRTUALSERVICE, fixture!("crds/virtualservices")),
        (istio::DESTINATIONRULE, fixture!("crds/destinationrules")),
        (istio::GATEWAY, fixture!("crds/gateways")),
    ];
    for (ours, crd) in &crds {
        for version in crd["spec"]["versions"].as_array().unwrap() {
            let theirs = version["additionalPrinterColumns"].as_array().unwrap();
            assert_eq!(ours.len(), theirs.len());
            for (our, their) in ours.iter().zip(theirs) {
                assert_eq!(our.column.name, their["name"]);
                assert_eq!(our.column.kind, their["type"]);
                assert_eq!(our.json_path, their["jsonPath"]);
                if let Some(description) = their["description"].as_str() {
                    assert_eq!(our.column.description, description);
                }
            }
        }
    }
}

#[test]
fn recorded_pods_print_their_recorded_cells() {
    // A classic sidecar (second container), Running 2/2.
    let listed = fixture!("kubectl/get-tables/36-get-pod-productpage-o-yaml");
    let pod = &listed["response"]["body"]["items"][0];
    let table = fixture!("kubectl/get-tables/01-get-pods");
    let recorded = recorded_row(table_of(&table), "productpage-v1-685f5858dc-x7p5q");
    assert_eq!(cells("", "pods", pod, 101), expected(recorded, 4, 101));

    // A native sidecar (restartable init container) being deleted: 2/2 Terminating.
    let pod =
        &fixture!("kubectl/delete/06-get-pod-ratings-o-json-deletiontimestamp")["response"]["body"];
    let table = fixture!("kubectl/delete/05-get-pods-l-app-ratings-terminating");
    let recorded = recorded_row(table_of(&table), "ratings-v1-d87c97c48-xnvwb");
    assert_eq!(recorded[2], "Terminating");
    assert_eq!(cells("", "pods", pod, 277), expected(recorded, 4, 277));

    // The app container marked not ready: 1/2, as the watch's first event showed it.
    let patched = fixture!(
        "kubectl/watch-table/04-patch-status-not-ready-merge-patch-pod-reviews-v1-5975c48ccb-d4cvq-status"
    );
    let watch = fixture!("kubectl/watch-table/02-get-pods-w-watch-pods");
    let recorded = watch["response"]["events"][0]["object"]["rows"][0]["cells"]
        .as_array()
        .unwrap();
    assert_eq!(recorded[1], "1/2");
    let pod = &patched["response"]["body"];
    assert_eq!(cells("", "pods", pod, 145), expected(recorded, 4, 145));
}

#[test]
fn pod_status_follows_init_containers_then_containers() {
    let init = json!({"name": "istio-init"});
    let sidecar = json!({"name": "istio-proxy", "restartPolicy": "Always"});
    let pod = |init_statuses: Value, statuses: Value, phase: &str| {
        json!({"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"initContainers": [init, sidecar], "containers": [{"name": "app"}]},
            "status": {"phase": phase, "initContainerStatuses": init_statuses,
                "containerStatuses": statuses}})
    };
    let running = json!({"running": {"startedAt": "2026-01-01T00:00:01Z"}});
    let waiting = |reason: &str| json!({"waiting": {"reason": reason}});
    let done = json!({"terminated": {"exitCode": 0, "reason": "Completed"}});
    let status = |name: &str, state: &Value, ready: bool| json!({"name": name, "state": state, "ready": ready, "started": ready, "restartCount": 0});
    let read = |pod: &Value| {
        let cells = cells("", "pods", pod, 5);
        (cells[1].clone(), cells[2].clone())
    };
    let first_init = pod(
        json!([
            status("istio-init", &running, false),
            status("istio-proxy", &waiting("PodInitializing"), false)
        ]),
        json!([status("app", &waiting("PodInitializing"), false)]),
        "Pending",
    );
    assert_eq!(read(&first_init), (json!("0/2"), json!("Init:0/2")));
    let starting = pod(
        json!([
            status("istio-init", &done, false),
            status("istio-proxy", &running, true)
        ]),
        json!([status("app", &waiting("PodInitializing"), false)]),
        "Pending",
    );
    assert_eq!(read(&starting), (json!("1/2"), json!("PodInitializing")));
    let crashing = pod(
        json!([
            status("istio-init", &done, false),
            status("istio-proxy", &running, true)
        ]),
        json!([{"name": "app", "state": waiting("CrashLoopBackOff"), "ready": false,
            "restartCount": 4, "lastState": {"terminated": {"exitCode": 1,
            "finishedAt": "2026-01-01T00:00:02Z"}}}]),
        "Running",
    );
    let crashing_cells = cells("", "pods", &crashing, 302);
    assert_eq!(crashing_cells[2], "CrashLoopBackOff");
    assert_eq!(crashing_cells[3], "4 (5m ago)");
    let failed_init = pod(
        json!([{"name": "istio-init", "state": {"terminated": {"exitCode": 2}}}]),
        json!([]),
        "Pending",
    );
    assert_eq!(read(&failed_init).1, "Init:ExitCode:2");
    let finished = pod(json!([]), json!([]), "Succeeded");
    let row = (printer_for("", "pods").row)(&finished, Timestamp::now());
    assert_eq!(row.conditions.unwrap()[0]["reason"], "Succeeded");
}

#[test]
fn recorded_services_print_their_recorded_cells() {
    let gateway = &fixture!("kubectl/get-tables/29-jsonpath-ingress-ip")["response"]["body"];
    let table = fixture!("kubectl/get-tables/31-get-svc-istio-ingressgateway");
    let recorded = recorded_row(table_of(&table), "istio-ingressgateway");
    assert_eq!(
        cells("", "services", gateway, 123),
        expected(recorded, 5, 123)
    );
    let productpage =
        &fixture!("kubectl/describe/04-describe-svc-productpage-get-service")["response"]["body"];
    let table = fixture!("kubectl/get-tables/05-get-services");
    let recorded = recorded_row(table_of(&table), "productpage");
    assert_eq!(
        cells("", "services", productpage, 103),
        expected(recorded, 5, 103)
    );
}

#[test]
fn recorded_small_kinds_print_their_recorded_cells() {
    let namespace =
        &fixture!("kubectl/delete/12-get-namespace-lab-xyz-o-json-terminating")["response"]["body"];
    let table = fixture!("kubectl/delete/13-get-namespace-lab-xyz-terminating");
    let recorded = recorded_row(table_of(&table), "lab-xyz");
    assert_eq!(cells("", "namespaces", namespace, 17), recorded.to_vec());

    let map = &fixture!("kubectl/configmap-secret/05-get-cm-istio-lab-progress-o-yaml")["response"]
        ["body"];
    assert_eq!(
        cells("", "configmaps", map, 3),
        vec![json!("istio-lab-progress"), json!(1), json!("3s")]
    );
    let secret = &fixture!("kubectl/configmap-secret/04-create-secret-generic-s")["response"]["body_json_equivalent"];
    assert_eq!(
        cells("", "secrets", secret, 3),
        vec![json!("s"), json!("Opaque"), json!(1), json!("3s")]
    );

    // Read by `kubectl describe svc productpage`, which printed `Endpoints: 10.1.0.22:9080`.
    let slices =
        fixture!("kubectl/describe/06-describe-svc-productpage-list-endpointslices-protobuf");
    let slice = &slices["response"]["body_json_equivalent"]["items"][0];
    assert_eq!(
        cells("discovery.k8s.io", "endpointslices", slice, 106),
        vec![
            json!("productpage-c4dlk"),
            json!("IPv4"),
            json!("9080"),
            json!("10.1.0.22"),
            json!("106s")
        ]
    );

    let vs = &fixture!("kubectl/apply-twice/63-apply-vs-reviews-80-20-post-virtualservice")["response"]
        ["body"];
    let table = fixture!("kubectl/get-tables/16-get-vs-dr-gw-list-virtualservices");
    let recorded = recorded_row(table_of(&table), "reviews");
    assert_eq!(
        cells("networking.istio.io", "virtualservices", vs, 105),
        recorded.to_vec()
    );
}

#[test]
fn events_and_endpoints_print_as_the_recorded_rows() {
    let table = fixture!("kubectl/get-tables/13-get-events");
    let event = json!({"metadata": {"name": "openshift-kube-apiserver.18ecb0ec6599d64e",
            "creationTimestamp": "2026-11-30T02:14:55Z"},
        "involvedObject": {"kind": "Namespace", "name": "openshift-kube-apiserver"},
        "reason": "KubeAPIReadyz", "message": "readyz=true", "type": "Warning", "count": 1,
        "source": {"component": "apiserver", "host": "vm"},
        "firstTimestamp": "2026-11-30T02:14:55Z", "lastTimestamp": "2026-11-30T02:14:55Z"});
    let recorded = recorded_row(
        table_of(&table),
        "openshift-kube-apiserver.18ecb0ec6599d64e",
    );
    assert_eq!(cells("", "events", &event, 515), recorded.to_vec());
    // events.k8s.io events: no count, the reporting controller as the source.
    let newer = json!({"metadata": {"name": "e", "creationTimestamp": "2026-11-30T02:14:55Z"},
        "involvedObject": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{app}"},
        "reportingComponent": "kubelet", "eventTime": "2026-11-30T02:14:55.000000Z"});
    let row = cells("", "events", &newer, 10);
    assert_eq!(row[0], "10s");
    assert_eq!(row[3], "pod/p");
    assert_eq!(row[4], "spec.containers{app}");
    assert_eq!(row[5], "kubelet");
    assert_eq!(row[8], 1);

    let table = fixture!("kubectl/get-tables/14-get-endpoints");
    let endpoints = |ips: &[&str]| {
        let addresses: Vec<Value> = ips.iter().map(|ip| json!({"ip": ip})).collect();
        json!({"metadata": {"name": "reviews", "creationTimestamp": "2026-11-30T02:21:29Z"},
            "subsets": [{"addresses": addresses, "ports": [{"name": "http", "port": 9080}]}]})
    };
    let three = endpoints(&["10.1.0.15", "10.1.0.16", "10.1.0.17"]);
    let recorded = recorded_row(table_of(&table), "reviews");
    assert_eq!(cells("", "endpoints", &three, 106), recorded.to_vec());
    let five = endpoints(&["10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5"]);
    assert_eq!(
        cells("", "endpoints", &five, 1)[1],
        "10.1.0.1:9080,10.1.0.2:9080,10.1.0.3:9080 + 2 more..."
    );
}

#[test]
fn accept_headers_choose_the_table_or_the_object() {
    let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    assert_eq!(wanted(kubectl), Some(Wanted::Table("meta.k8s.io/v1")));
    let beta = "application/json;as=Table;v=v1beta1;g=meta.k8s.io";
    assert_eq!(wanted(beta), Some(Wanted::Table("meta.k8s.io/v1beta1")));
    for plain in ["", "application/json", "*/*", "application/json, */*"] {
        assert_eq!(wanted(plain), Some(Wanted::Plain), "{plain}");
    }
    // Typed clients ask for protobuf first; the demo cluster answers in JSON.
    let typed = "application/vnd.kubernetes.protobuf,application/json";
    assert_eq!(wanted(typed), Some(Wanted::Plain));
    // A lower q loses to a Table, whatever the order.
    let weighed = "application/json;q=0.5,application/json;as=Table;g=meta.k8s.io;v=v1";
    assert_eq!(wanted(weighed), Some(Wanted::Table("meta.k8s.io/v1")));
    // Tables come in JSON or YAML only, and only from meta.k8s.io v1 and v1beta1.
    for refused in [
        "application/json;as=Table;g=meta.k8s.io;v=v2",
        "application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1",
        "application/json;as=Table",
        "text/html",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    ] {
        assert_eq!(wanted(refused), None, "{refused}");
    }
}
