//! Replays the recorded kube-apiserver exchanges (tests/fixtures/k8s) against the demo
//! cluster over real HTTP, in the order they were recorded, and compares the answers.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use istio_lab::sim::{self, ADMIN_TOKEN, Scenario, SimHandle, SimOptions, VIEWER_TOKEN};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/k8s");

/// The state the recordings started from: namespaces and the apiserver's own Service.
const STORY_START: &str = r#"
objects:
- {apiVersion: v1, kind: Namespace, metadata: {name: default}}
- {apiVersion: v1, kind: Namespace, metadata: {name: istio-system}}
- apiVersion: v1
  kind: Service
  writtenBy: kube-apiserver
  metadata: {name: kubernetes, namespace: default, labels: {component: apiserver, provider: kubernetes}}
  spec: {clusterIP: 10.96.0.1, ports: [{name: https, port: 443, targetPort: 6443}]}
"#;

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Answer {
    status: u16,
    content_type: String,
    body: Value,
    lines: Vec<Value>,
}

struct Tester {
    sim: SimHandle,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Tester {
    async fn start() -> Tester {
        let scenario = Scenario::from_yaml(STORY_START).unwrap();
        let sim = sim::start(SimOptions {
            port: 0,
            speed: 20.0,
            scenario,
        })
        .await
        .unwrap();
        let client = Client::builder(TokioExecutor::new()).build_http();
        Tester { sim, client }
    }

    /// Sends the fixture's request; watches are read until the stream ends or `read_for`.
    async fn send(&self, request: &Value, read_for: Duration) -> Answer {
        self.send_until(request, read_for, usize::MAX).await
    }

    /// Like `send`, but stops reading a watch once `lines` events have arrived.
    async fn send_until(&self, request: &Value, read_for: Duration, lines: usize) -> Answer {
        let query = request["query"].as_str().unwrap_or_default();
        let path = request["path"].as_str().unwrap();
        let uri = format!(
            "{}{}{}{}",
            self.sim.server_url(),
            path,
            if query.is_empty() { "" } else { "?" },
            query
        );
        let token = match request["auth_user"].as_str() {
            Some(user) if user.starts_with("demo-viewer") => VIEWER_TOKEN,
            Some(_) => "not-a-known-token",
            None => ADMIN_TOKEN,
        };
        let body = match &request["body"] {
            Value::Null => Bytes::new(),
            Value::String(raw) => Bytes::from(raw.clone()),
            other => Bytes::from(serde_json::to_vec(other).unwrap()),
        };
        let mut builder = hyper::Request::builder()
            .method(request["method"].as_str().unwrap())
            .uri(uri)
            .header("Authorization", format!("Bearer {token}"));
        for (name, value) in request["headers"].as_object().unwrap() {
            if name != "Authorization" {
                builder = builder.header(name.as_str(), value.as_str().unwrap());
            }
        }
        let response = self
            .client
            .request(builder.body(Full::new(body)).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        let deadline = tokio::time::Instant::now() + read_for;
        while let Ok(Some(frame)) = tokio::time::timeout_at(deadline, body.frame()).await {
            if let Ok(data) = frame.unwrap().into_data() {
                bytes.extend_from_slice(&data);
            }
            if bytes.iter().filter(|b| **b == b'\n').count() >= lines {
                break;
            }
        }
        let text = String::from_utf8(bytes).unwrap();
        let parsed = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        let lines = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        Answer {
            status,
            content_type,
            body: parsed,
            lines,
        }
    }

    /// Replays one exchange and checks status, Content-Type and body shape.
    async fn replay(&self, name: &str) -> Value {
        let recorded = fixture(name);
        let answer = self
            .send(&recorded["request"], Duration::from_secs(5))
            .await;
        let expected = &recorded["response"];
        assert_eq!(
            answer.status,
            expected["status"].as_u64().unwrap() as u16,
            "{name}: {}",
            answer.body
        );
        assert_eq!(
            answer.content_type,
            expected["headers"]["Content-Type"].as_str().unwrap(),
            "{name}"
        );
        same_shape(name, &expected["body"], &answer.body);
        answer.body
    }
}

/// Keys whose values legitimately differ between the recording and the demo cluster.
const FREE_VALUES: &[&str] = &[
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "time",
    "clusterIP",
    "deletionTimestamp",
    "lastTransitionTime",
    "startTime",
    "serverAddress",
    "targetPort",
    "nodePort",
    "fieldsV1",
];

/// Same keys recursively (ignoring the trimming marker); Status bodies and scalar leaves
/// must match exactly except for the values listed in FREE_VALUES.
fn same_shape(at: &str, expected: &Value, actual: &Value) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) if made_by_controllers(expected) => {
            // Recorded without a scheduler or kubelet, so only its metadata is comparable.
            let keys = |m: &serde_json::Map<String, Value>| {
                m["metadata"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(e), keys(a), "metadata keys at {at}");
        }
        (Value::Object(e), Value::Object(a)) => {
            let mut expected_keys: Vec<&String> = e.keys().filter(|k| *k != "_trimmed").collect();
            let mut actual_keys: Vec<&String> = a.keys().collect();
            expected_keys.sort();
            actual_keys.sort();
            assert_eq!(expected_keys, actual_keys, "keys at {at}");
            for (key, value) in e.iter().filter(|(k, _)| *k != "_trimmed") {
                if FREE_VALUES.contains(&key.as_str()) {
                    continue;
                }
                same_shape(&format!("{at}.{key}"), value, &a[key]);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "length at {at}");
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                same_shape(&format!("{at}[{i}]"), ev, av);
            }
        }
        (e, a) => {
            let generated = e.as_str().is_some_and(|s| s.contains(RECORDED_HASH));
            let free = generated || at.ends_with("clusterIPs[0]");
            if !free {
                assert_eq!(e, a, "value at {at}");
            }
        }
    }
}

/// The pod-template-hash of the recorded `reviews-v1` Deployment; names built from it are
/// generated and differ here.
const RECORDED_HASH: &str = "6bdf74cc7d";

fn made_by_controllers(obj: &Value) -> bool {
    obj["metadata"]["name"]
        .as_str()
        .is_some_and(|n| n.contains(RECORDED_HASH))
}

fn rv(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn managers(obj: &Value) -> Vec<(String, String, Value)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap().into(),
                m["operation"].as_str().unwrap().into(),
                m["fieldsV1"].clone(),
            )
        })
        .collect()
}

async fn wait_for_running_pods(sim: &SimHandle) {
    let store = sim.store();
    for _ in 0..500 {
        let pods = store.get_all_pods();
        if pods.iter().all(|p| p["status"]["phase"] == "Running") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("pods did not reach Running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_story_replays() {
    let mut t = Tester::start().await;
    for name in [
        "api",
        "apis",
        "api-v1",
        "apis-apps-v1",
        "apis-networking.istio.io-v1",
        "apis-networking.istio.io-v1beta1",
        "apis-networking.istio.io-v1alpha3",
        "apis-aggregated",
        "api-aggregated",
    ] {
        t.replay(&format!("discovery/{name}")).await;
    }

    // Bookinfo-like objects by server-side apply: 201 each, then an unchanged re-apply.
    for name in [
        "01-service-reviews",
        "02-service-ratings",
        "03-serviceaccount-bookinfo-reviews",
        "04-deployment-reviews-v1",
        "05-gateway-bookinfo-gateway",
        "06-virtualservice-reviews",
        "07-destinationrule-reviews",
    ] {
        t.replay(&format!("apply/{name}")).await;
    }
    let vs = t
        .replay("apply/08-virtualservice-reviews-reapply-unchanged")
        .await;
    let vs_before = t
        .sim
        .store()
        .get_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
        )
        .unwrap();
    assert_eq!(rv(&vs), rv(&vs_before));
    assert_eq!(vs["metadata"]["generation"], 1);

    // The controllers made a ReplicaSet and a pod for reviews-v1.
    wait_for_running_pods(&t.sim).await;
    let store = t.sim.store();
    let rs = store.list_objects("apps/v1", "ReplicaSet", "default");
    assert_eq!(rs.len(), 1);
    let rs_name = rs[0]["metadata"]["name"].as_str().unwrap();
    assert!(rs_name.starts_with("reviews-v1-") && rs_name.len() == "reviews-v1-".len() + 10);
    assert_eq!(
        rs[0]["metadata"]["ownerReferences"][0]["kind"],
        "Deployment"
    );
    assert_eq!(
        rs[0]["metadata"]["labels"]["pod-template-hash"]
            .as_str()
            .unwrap()
            .len(),
        10
    );
    let pods = store.get_all_pods();
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["metadata"]["labels"]["app"], "reviews");
    assert_eq!(pods[0]["spec"]["nodeName"], "istio-lab-worker");
    let made = [
        (
            "apply/09-replicaset-created-by-deployment-controller",
            rs_name.to_string(),
        ),
        (
            "apply/10-pod-created-by-replicaset-controller",
            pods[0]["metadata"]["name"].as_str().unwrap().to_string(),
        ),
        (
            "apply/11-deployment-after-controller",
            "reviews-v1".to_string(),
        ),
    ];
    for (name, object) in made {
        let recorded = fixture(name);
        let mut request = recorded["request"].clone();
        let path = request["path"].as_str().unwrap();
        request["path"] = json!(format!("{}/{object}", &path[..path.rfind('/').unwrap()]));
        let answer = t.send(&request, Duration::from_secs(1)).await;
        let expected = &recorded["response"]["body"];
        assert_eq!(answer.status, 200, "{name}");
        let keys = |v: &Value| {
            v["metadata"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(expected), keys(&answer.body), "{name}");
        let owners = |v: &Value| -> Vec<(Value, Value, Value)> {
            let entries = v["metadata"]["managedFields"].as_array().unwrap().iter();
            entries
                .map(|m| {
                    (
                        m["manager"].clone(),
                        m["operation"].clone(),
                        m["subresource"].clone(),
                    )
                })
                .collect()
        };
        // The recording had no kubelet, so the pod shows no status writer there.
        let live_owners: Vec<_> = owners(&answer.body)
            .into_iter()
            .filter(|o| o.0 != "kubelet")
            .collect();
        assert_eq!(owners(expected), live_owners, "{name}");
        // Without a kubelet the recorded pod never became available; here it did.
        let comparable = |key: &&String| !name.contains("pod") && *key != "unavailableReplicas";
        for key in expected["status"]
            .as_object()
            .unwrap()
            .keys()
            .filter(comparable)
        {
            assert!(
                answer.body["status"].get(key).is_some(),
                "{name}: status.{key}"
            );
        }
    }

    t.replay("setup/01-create-pod-ratings-v1").await;
    t.replay("setup/02-patch-pod-ratings-v1-status-running")
        .await;
    let listed = t.replay("list/pods").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert!(listed.get("kind").is_some() && listed["items"][0].get("kind").is_none());
    for name in [
        "services",
        "virtualservices",
        "virtualservices-v1beta1",
        "virtualservices-v1alpha3",
        "destinationrules",
        "gateways",
        "pods-empty-namespace",
    ] {
        t.replay(&format!("list/{name}")).await;
    }
    let old_rv = rv(&listed);

    watch_story(&t, old_rv).await;
    patch_story(&t).await;
    error_story(&t).await;
    for name in [
        "01-get-before-install-404",
        "02-apply-istio-ingressgateway",
        "03-patch-status-load-balancer",
        "04-get-istio-ingressgateway",
    ] {
        t.replay(&format!("ingress/{name}")).await;
    }

    // Before a restart, old RVs are still served; afterwards they expire.
    let recorded = fixture("list/pods-exact-old-resourceversion-from-watch-cache");
    let mut exact = recorded["request"].clone();
    exact["query"] = json!(format!(
        "&limit=500&resourceVersion={old_rv}&resourceVersionMatch=Exact"
    ));
    let answer = t.send(&exact, Duration::from_secs(1)).await;
    assert_eq!(answer.status, 200);
    same_shape("exact list", &recorded["response"]["body"], &answer.body);
    // The list as it was then: details-v1 came and went afterwards.
    assert_eq!(rv(&answer.body), old_rv);
    assert_eq!(answer.body["items"], listed["items"]);
    let mut request = fixture("watch/pods-from-compacted-rv-before-restart")["request"].clone();
    request["query"] = json!(format!(
        "&watch=true&timeoutSeconds=10&allowWatchBookmarks=true&resourceVersion={old_rv}"
    ));
    let replayed = t.send_until(&request, Duration::from_secs(10), 5).await;
    let types: Vec<&str> = replayed
        .lines
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        &types[..5],
        ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"]
    );

    t.sim.restart().await.unwrap();
    // Pooled keep-alive connections died with the old server.
    t.client = Client::builder(TokioExecutor::new()).build_http();
    let expired = t.send(&request, Duration::from_secs(3)).await;
    assert_eq!(expired.status, 200);
    assert_eq!(expired.lines.len(), 1);
    let message = expired.lines[0]["object"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with(&format!("too old resource version: {old_rv} (")),
        "{message}"
    );
    let mut recorded =
        fixture("watch/pods-too-old-resourceversion-410")["response"]["events"][0].clone();
    recorded["object"]["message"] = json!(message);
    same_shape("410 event", &recorded, &expired.lines[0]);
    let mut list_request =
        fixture("errors/list-pods-exact-compacted-resourceversion-410")["request"].clone();
    list_request["query"] = json!(format!(
        "&limit=500&resourceVersion={old_rv}&resourceVersionMatch=Exact"
    ));
    let answer = t.send(&list_request, Duration::from_secs(1)).await;
    assert_eq!(answer.status, 410);
    same_shape(
        "410 list",
        &fixture("errors/list-pods-exact-compacted-resourceversion-410")["response"]["body"],
        &answer.body,
    );
    t.sim.shutdown().await;
}

async fn watch_story(t: &Tester, list_rv: u64) {
    let recorded = fixture("watch/pods-streaming-list");
    let answer = t
        .send(&recorded["request"], Duration::from_millis(500))
        .await;
    assert_eq!(answer.status, 200);
    let expected = recorded["response"]["events"].as_array().unwrap();
    assert_eq!(answer.lines.len(), expected.len());
    for (e, a) in expected.iter().zip(&answer.lines) {
        assert_eq!(e["type"], a["type"]);
    }
    let end = answer.lines.last().unwrap();
    assert_eq!(
        end["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );

    // A watch from the list RV sees the details-v1 story, then bookmarks, then ends.
    t.sim
        .store()
        .set_bookmark_interval(Duration::from_millis(400));
    let mut request = fixture("watch/pods")["request"].clone();
    request["query"] = json!(format!(
        "&watch=true&timeoutSeconds=2&allowWatchBookmarks=true&resourceVersion={list_rv}"
    ));
    let watching = t.send(&request, Duration::from_secs(6));
    let acting = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        t.replay("setup/03-create-pod-details-v1").await;
        t.replay("setup/04-patch-pod-details-v1-status-running")
            .await;
        let terminating = t.replay("setup/05-delete-pod-details-v1").await;
        assert_eq!(terminating["metadata"]["deletionGracePeriodSeconds"], 30);
        t.replay("setup/06-delete-pod-details-v1-grace-0").await;
    };
    let (answer, ()) = tokio::join!(watching, acting);
    let types: Vec<&str> = answer
        .lines
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        &types[..5],
        ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"],
        "{types:?}"
    );
    assert!(
        types[5..].iter().all(|t| *t == "BOOKMARK") && types.len() > 5,
        "{types:?}"
    );
    let rvs: Vec<u64> = answer.lines[..5].iter().map(|l| rv(&l["object"])).collect();
    assert!(rvs.windows(2).all(|w| w[0] < w[1]), "{rvs:?}");
    let recorded = fixture("watch/pods");
    let recorded_events = recorded["response"]["events"].as_array().unwrap();
    for (i, expected) in recorded_events[..5].iter().enumerate() {
        same_shape(&format!("watch event {i}"), expected, &answer.lines[i]);
        assert_eq!(
            expected["object"]["metadata"]["generation"],
            answer.lines[i]["object"]["metadata"]["generation"]
        );
    }
    same_shape(
        "bookmark",
        recorded_events.last().unwrap(),
        answer.lines.last().unwrap(),
    );
    t.sim.store().set_bookmark_interval(Duration::from_secs(60));
}

async fn patch_story(t: &Tester) {
    let mut watch_request = fixture("watch/virtualservices")["request"].clone();
    let start = t.sim.store().current_rv();
    watch_request["query"] = json!(format!(
        "&watch=true&timeoutSeconds=10&allowWatchBookmarks=true&resourceVersion={start}"
    ));
    let watching = t.send_until(&watch_request, Duration::from_secs(10), 7);
    let patching = async {
        let mut previous = Value::Null;
        let mut changes = Vec::new();
        for name in [
            "01-apply-istio-lab",
            "02-merge-patch",
            "03-strategic-merge-patch-415",
            "04-json-patch",
            "05-merge-patch-with-fieldmanager",
            "06-apply-istio-lab-conflict-409",
            "07-apply-istio-lab-force",
            "08-apply-other-tool-conflict-409",
            "09-apply-other-tool-force",
            "10-apply-other-tool-noop",
            "11-merge-patch-back-to-90-10",
        ] {
            let recorded = fixture(&format!("patch/{name}"));
            let body = t.replay(&format!("patch/{name}")).await;
            let expected = &recorded["response"]["body"];
            if expected["kind"] == "VirtualService" {
                let want: Vec<_> = managers(expected).into_iter().collect();
                assert_eq!(managers(&body), want, "managers after {name}");
                assert_eq!(
                    body["metadata"]["generation"], expected["metadata"]["generation"],
                    "{name}"
                );
                if name.starts_with("10") {
                    assert_eq!(rv(&body), rv(&previous));
                } else {
                    changes.push(rv(&body));
                }
                previous = body;
            }
        }
        changes
    };
    let (answer, changes) = tokio::join!(watching, patching);
    let modified: Vec<&Value> = answer
        .lines
        .iter()
        .filter(|l| l["type"] == "MODIFIED")
        .collect();
    assert_eq!(modified.len(), 7);
    let event_rvs: Vec<u64> = modified.iter().map(|l| rv(&l["object"])).collect();
    assert_eq!(
        event_rvs, changes,
        "one event per changing write, none for refusals or no-ops"
    );
    let recorded = fixture("watch/virtualservices");
    for (e, a) in recorded["response"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&modified)
    {
        same_shape("vs event", e, a);
    }
}

async fn error_story(t: &Tester) {
    let store = t.sim.store();
    for name in [
        "get-virtualservice-not-found-404",
        "get-pod-not-found-404",
        "get-unknown-resource-type-404",
        "merge-patch-virtualservice-not-found-404",
        "create-virtualservice-already-exists-409",
        "merge-patch-virtualservice-invalid-weight-422",
        "merge-patch-virtualservice-float-weight-422",
        "apply-virtualservice-missing-host-422",
        "apply-virtualservice-string-weight-500",
        "apply-without-fieldmanager-422",
        "merge-patch-malformed-json-400",
        "unauthorized-401",
    ] {
        t.replay(&format!("errors/{name}")).await;
    }
    let current = store
        .get_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
        )
        .unwrap();
    let mut stale = fixture("errors/put-virtualservice-stale-resourceversion-409");
    stale["request"]["body"]["metadata"]["resourceVersion"] = json!("1");
    let answer = t.send(&stale["request"], Duration::from_secs(1)).await;
    assert_eq!(answer.status, 409);
    same_shape("stale put", &stale["response"]["body"], &answer.body);
    let mut fresh = fixture("errors/put-virtualservice-current-resourceversion-200");
    fresh["request"]["body"]["metadata"]["resourceVersion"] =
        current["metadata"]["resourceVersion"].clone();
    let answer = t.send(&fresh["request"], Duration::from_secs(1)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        rv(&answer.body),
        rv(&current),
        "an unchanged PUT keeps the RV"
    );

    store.set_forbidden("list", "pods", "default");
    store.set_forbidden("list", "virtualservices", "default");
    store.set_forbidden("watch", "pods", "default");
    store.set_forbidden("patch", "virtualservices", "default");
    for name in [
        "list-pods-forbidden-403",
        "list-virtualservices-forbidden-403",
        "watch-pods-forbidden-403",
        "patch-virtualservice-forbidden-403",
    ] {
        t.replay(&format!("errors/{name}")).await;
    }
    store.clear_forbidden();
}
