//! The resources kubectl's `get`, `describe` and `delete namespace` read besides workloads,
//! replayed from kubectl's recordings (tests/fixtures/k8s/kubectl) on a cluster set up as
//! the recording's: ConfigMaps (each namespace's `kube-root-ca.crt`), Secrets, Events from
//! the controllers, the scheduler and the kubelet, Endpoints and EndpointSlices following
//! the pods, and a namespace going through Terminating before it disappears.
//! (`kubectl get -w` on them: tests/sim_kubectl_resources_watch.rs.)

use std::time::Duration;

use istio_lab::sim::SidecarMode;
use serde_json::{Value, json};

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::sim::{Answer, Tester, fixture};
use common::tables::{cells, get_table, recorded_cluster, recorded_request, without_suffix};

/// The recorded answer's body and ours to the same request, after checking that both are
/// Tables with the same columns.
async fn replay_columns(t: &Tester, name: &str) -> (Value, Value) {
    let recorded = fixture(&format!("kubectl/{name}"))["response"]["body"].clone();
    let answer = t
        .send(&recorded_request(name), Duration::from_secs(5))
        .await;
    assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    assert_eq!(answer.body["kind"], "Table", "{name}");
    assert_eq!(
        answer.body["columnDefinitions"], recorded["columnDefinitions"],
        "{name}"
    );
    (recorded, answer.body)
}

/// Polls a list until `done` holds for its items.
async fn wait_for_items(t: &Tester, path: &str, query: &str, done: impl Fn(&[Value]) -> bool) {
    let mut last = Value::Null;
    for _ in 0..200 {
        let request = json!({"method": "GET", "path": path, "query": query,
            "headers": {"Accept": "application/json"}});
        let answer = t.send(&request, Duration::from_secs(5)).await;
        if answer.status == 200
            && let Some(items) = answer.body["items"].as_array()
            && done(items)
        {
            return;
        }
        last = answer.body;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}?{query} never got there: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configmaps_and_secrets_print_as_recorded() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let (recorded, table) = replay_columns(&t, "get-tables/11-get-cm").await;
    // The recording's cluster also published an OpenShift CA; a plain cluster has the root CA.
    let root = |t: &Value| {
        cells(t)
            .into_iter()
            .find(|r| r[0] == "kube-root-ca.crt")
            .map(|r| r[1].clone())
    };
    assert_eq!(root(&table), root(&recorded));
    assert_eq!(cells(&table).len(), 1, "{table}");
    let ca = t
        .sim
        .store()
        .get_object("v1", "ConfigMap", "istio-system", "kube-root-ca.crt")
        .unwrap();
    assert_eq!(ca["data"]["ca.crt"], t.sim.ca_pem());

    let (recorded, table) = replay_columns(&t, "get-tables/12-get-secrets").await;
    assert_eq!(cells(&table), cells(&recorded));
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "data": {"a": "Yg==", "c": "ZA=="}});
    let create = json!({"method": "POST", "path": "/api/v1/namespaces/default/secrets",
        "headers": {"Content-Type": "application/json", "Accept": "application/json"}, "body": secret});
    assert_eq!(t.send(&create, Duration::from_secs(5)).await.status, 201);
    let listed = get_table(&t, "/api/v1/namespaces/default/secrets", "limit=500").await;
    assert_eq!(
        cells(&listed.body)[0][..3],
        [json!("s"), json!("Opaque"), json!(2)]
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_and_endpointslices_list_the_ready_pods_as_recorded() {
    let t = recorded_cluster(SidecarMode::Classic).await;
    // The endpoints controllers follow the pods' readiness a moment later.
    wait_for_items(&t, "/api/v1/namespaces/default/endpoints", "", |items| {
        let ready = |e: &Value| e["subsets"][0]["addresses"].as_array().map_or(0, Vec::len);
        items.len() == 4 && items.iter().map(ready).sum::<usize>() == 6
    })
    .await;
    let (recorded, table) = replay_columns(&t, "get-tables/14-get-endpoints").await;
    // Addresses differ from the recording's, their count per Service does not.
    let shape = |t: &Value| -> Vec<(String, usize)> {
        cells(t)
            .into_iter()
            .map(|r| {
                let cell = r[1].as_str().unwrap().to_string();
                assert!(cell.split(',').all(|a| a.ends_with(":9080")), "{cell}");
                (r[0].as_str().unwrap().to_string(), cell.split(',').count())
            })
            .collect()
    };
    assert_eq!(shape(&table), shape(&recorded));

    let (recorded, table) = replay_columns(&t, "get-tables/15-get-endpointslices").await;
    let slices = |t: &Value| -> Vec<(String, Value, Value, usize)> {
        cells(t)
            .into_iter()
            .map(|r| {
                let name = without_suffix(r[0].as_str().unwrap(), 1);
                let count = r[3].as_str().unwrap().split(',').count();
                (name, r[1].clone(), r[2].clone(), count)
            })
            .collect()
    };
    assert_eq!(slices(&table), slices(&recorded));
    let labels = &table["rows"][0]["object"]["metadata"]["labels"];
    assert_eq!(
        labels["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );

    // `kubectl describe svc productpage` finds the slice by its service-name label.
    let name = "describe/06-describe-svc-productpage-list-endpointslices-protobuf";
    let answer: Answer = t
        .send(&recorded_request(name), Duration::from_secs(5))
        .await;
    assert_eq!(answer.status, 200);
    let items = answer.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", answer.body);
    let pods = t
        .sim
        .store()
        .list_objects("v1", "Pod", "default")
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "productpage")
        .collect::<Vec<_>>();
    assert_eq!(
        items[0]["endpoints"][0]["addresses"][0],
        pods[0]["status"]["podIP"]
    );
    assert_eq!(items[0]["endpoints"][0]["conditions"]["ready"], true);

    // A pod that stops being ready moves to the not-ready addresses.
    let pod = pods[0]["metadata"]["name"].as_str().unwrap();
    let patch =
        "watch-table/04-patch-status-not-ready-merge-patch-pod-reviews-v1-5975c48ccb-d4cvq-status";
    let mut request = recorded_request(patch);
    request["path"] = json!(format!("/api/v1/namespaces/default/pods/{pod}/status"));
    assert_eq!(t.send(&request, Duration::from_secs(5)).await.status, 200);
    wait_for_items(
        &t,
        "/api/v1/namespaces/default/endpoints",
        "fieldSelector=metadata.name%3Dproductpage",
        |items| {
            items.len() == 1
                && items[0]["subsets"][0]["notReadyAddresses"][0]["targetRef"]["name"] == pod
                && items[0]["subsets"][0].get("addresses").is_none()
        },
    )
    .await;
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_tell_each_pod_story_as_describe_and_get_events_read_them() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let (recorded, table) = replay_columns(&t, "get-tables/13-get-events").await;
    // The controllers' events, as recorded, by object with hashes taken off.
    let controller_events = |t: &Value| -> Vec<(String, String, String)> {
        let mut rows: Vec<(String, String, String)> = cells(t)
            .into_iter()
            .filter(|r| r[2] == "SuccessfulCreate" || r[2] == "ScalingReplicaSet")
            .map(|r| {
                let object = r[3].as_str().unwrap();
                let parts = if object.starts_with("replicaset/") {
                    1
                } else {
                    0
                };
                let message = r[6]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .take(2)
                    .collect::<Vec<_>>();
                (
                    r[2].as_str().unwrap().to_string(),
                    without_suffix(object, parts),
                    message.join(" "),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(controller_events(&table), controller_events(&recorded));

    // `kubectl describe pod`: the events of one pod, by name, namespace and uid.
    let pod = t
        .sim
        .store()
        .list_objects("v1", "Pod", "default")
        .into_iter()
        .find(|p| p["metadata"]["labels"]["app"] == "productpage")
        .unwrap();
    let (name, uid) = (
        pod["metadata"]["name"].as_str().unwrap(),
        pod["metadata"]["uid"].as_str().unwrap(),
    );
    let mut request = recorded_request("describe/03-describe-pod-productpage-list-events-protobuf");
    request["query"] = json!(format!(
        "fieldSelector=involvedObject.name%3D{name}%2CinvolvedObject.namespace%3Ddefault%2CinvolvedObject.uid%3D{uid}&limit=500"
    ));
    let answer = t.send(&request, Duration::from_secs(5)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["kind"], "EventList");
    let events: Vec<(String, String)> = answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reason"].as_str().unwrap().to_string(),
                e["involvedObject"]["fieldPath"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let reasons: Vec<&str> = events.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(reasons[0], "Scheduled", "{events:?}");
    // istio-init, the native istio-proxy sidecar and productpage: four kubelet events each.
    for container in [
        "spec.initContainers{istio-init}",
        "spec.initContainers{istio-proxy}",
        "spec.containers{productpage}",
    ] {
        let of: Vec<&str> = events
            .iter()
            .filter(|(_, path)| path == container)
            .map(|(r, _)| r.as_str())
            .collect();
        assert_eq!(
            of,
            ["Pulling", "Pulled", "Created", "Started"],
            "{container}"
        );
    }
    let scheduled = &answer.body["items"][0];
    assert_eq!(
        scheduled["message"],
        format!("Successfully assigned default/{name} to bookinfo-worker")
    );
    assert_eq!(scheduled["reportingComponent"], "default-scheduler");
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_namespace_is_terminating_until_its_content_is_gone() {
    let t = recorded_cluster(SidecarMode::Native).await;
    let kube = kube::Client::try_from(t.sim.kube_config()).unwrap();
    let lab = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab-xyz\n";
    common::watch::apply_manifest(&kube, lab, "default").await;
    let details = common::watch::BOOKINFO
        .split("\n---")
        .filter(|doc| doc.contains("details"))
        .collect::<Vec<_>>()
        .join("\n---");
    common::watch::apply_manifest(&kube, &details, "lab-xyz").await;
    wait_for_items(&t, "/api/v1/namespaces/lab-xyz/pods", "", |pods| {
        pods.len() == 1 && pods[0]["status"]["phase"] == "Running"
    })
    .await;

    let delete = "delete/08-delete-namespace-lab-xyz-delete-namespace";
    let recorded = fixture(&format!("kubectl/{delete}"))["response"]["body"].clone();
    let answer = t
        .send(&recorded_request(delete), Duration::from_secs(5))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for field in ["spec", "status"] {
        assert_eq!(answer.body[field], recorded[field], "{field}");
    }
    assert!(answer.body["metadata"]["deletionTimestamp"].is_string());

    // Nothing new may go in meanwhile: NamespaceLifecycle's 403.
    let cm = json!({"method": "POST", "path": "/api/v1/namespaces/lab-xyz/configmaps",
        "headers": {"Content-Type": "application/json", "Accept": "application/json"},
        "body": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}}});
    let refused = t.send(&cm, Duration::from_secs(5)).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body["message"],
        "configmaps \"late\" is forbidden: unable to create new content in namespace lab-xyz because it is being terminated"
    );
    assert_eq!(
        refused.body["details"]["causes"][0]["reason"],
        "NamespaceTerminating"
    );

    // kubectl's wait: the list with a field selector, then the namespace is gone.
    let listed = t
        .send(
            &recorded_request("delete/10-delete-namespace-lab-xyz-list-namespaces"),
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(listed.status, 200);
    let gone = recorded_request("delete/15-get-namespace-lab-xyz-not-found");
    let mut last = Value::Null;
    for _ in 0..200 {
        let answer = t.send(&gone, Duration::from_secs(5)).await;
        if answer.status == 404 {
            let recorded = fixture("kubectl/delete/15-get-namespace-lab-xyz-not-found");
            assert_eq!(answer.body, recorded["response"]["body"]);
            let store = t.sim.store();
            assert!(store.list_objects("v1", "Pod", "lab-xyz").is_empty());
            assert!(store.list_objects("v1", "ConfigMap", "lab-xyz").is_empty());
            t.sim.shutdown().await;
            return;
        }
        assert_eq!(cells(&answer.body)[0][1], "Terminating");
        last = answer.body;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("lab-xyz never went away: {last}");
}
