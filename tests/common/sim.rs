//! Helpers for the tests that replay the recorded kube-apiserver exchanges
//! (tests/fixtures/k8s) against the demo cluster over real HTTPS: a raw HTTP client trusting
//! the run's CA, shape comparison with the recordings, and the setup steps several stories
//! start from.
#![allow(dead_code)]

#[path = "tls.rs"]
pub mod tls;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions};
use serde_json::Value;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/k8s");

/// The state the recordings started from: namespaces and the apiserver's own Service.
pub const STORY_START: &str = r#"
objects:
- {apiVersion: v1, kind: Namespace, metadata: {name: default}}
- {apiVersion: v1, kind: Namespace, metadata: {name: istio-system}}
- apiVersion: v1
  kind: Service
  writtenBy: kube-apiserver
  metadata: {name: kubernetes, namespace: default, labels: {component: apiserver, provider: kubernetes}}
  spec: {clusterIP: 10.96.0.1, ports: [{name: https, port: 443, targetPort: 6443}]}
"#;

pub fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub lines: Vec<Value>,
}

pub struct Tester {
    pub sim: SimHandle,
    pub client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Tester {
    pub async fn start() -> Tester {
        let scenario = Scenario::from_yaml(STORY_START).unwrap();
        let sim = sim::start(SimOptions {
            port: 0,
            speed: 20.0,
            scenario,
        })
        .await
        .unwrap();
        let client = new_client(sim.ca_der());
        Tester { sim, client }
    }

    /// A client with no pooled connections, for after the server closed the old ones.
    pub fn reconnect(&mut self) {
        self.client = new_client(self.sim.ca_der());
    }

    /// Sends the fixture's request; watches are read until the stream ends or `read_for`.
    pub async fn send(&self, request: &Value, read_for: Duration) -> Answer {
        self.send_until(request, read_for, usize::MAX).await
    }

    /// Like `send`, but stops reading a watch once `lines` events have arrived.
    pub async fn send_until(&self, request: &Value, read_for: Duration, lines: usize) -> Answer {
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
            Some(user) if user.starts_with("demo-viewer") => self.sim.viewer_token(),
            Some(_) => "not-a-known-token",
            None => self.sim.token(),
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
            // A body cut short (the server dropped the connection) ends with what came.
            let Ok(frame) = frame else { break };
            if let Ok(data) = frame.into_data() {
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
    pub async fn replay(&self, name: &str) -> Value {
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
pub const FREE_VALUES: &[&str] = &[
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
pub fn same_shape(at: &str, expected: &Value, actual: &Value) {
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
pub const RECORDED_HASH: &str = "6bdf74cc7d";

pub fn made_by_controllers(obj: &Value) -> bool {
    obj["metadata"]["name"]
        .as_str()
        .is_some_and(|n| n.contains(RECORDED_HASH))
}

pub fn rv(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

pub fn managers(obj: &Value) -> Vec<(String, String, Value)> {
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

pub async fn wait_for_running_pods(sim: &SimHandle) {
    let store = sim.store();
    let client = kube::Client::try_from(sim.kube_config()).expect("a client");
    let deployments: kube::Api<k8s_openapi::api::apps::v1::Deployment> = kube::Api::all(client);
    for _ in 0..500 {
        let pods = store.get_all_pods();
        // No pods yet is not "all running": under load the controllers may not have run. And
        // istio-system's pods can all run before Bookinfo's exist: every Deployment must also
        // have all its replicas ready.
        let running = !pods.is_empty() && pods.iter().all(|p| p["status"]["phase"] == "Running");
        if running
            && let Ok(list) = deployments.list(&Default::default()).await
            && list.items.iter().all(|d| {
                let want = d.spec.replicas.unwrap_or(1);
                let ready = d
                    .status
                    .as_ref()
                    .and_then(|s| s.ready_replicas)
                    .unwrap_or(0);
                ready >= want
            })
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("pods did not reach Running");
}

/// A pooling client that speaks HTTPS only and trusts `ca_der` alone.
pub fn new_client(ca_der: &[u8]) -> Client<HttpsConnector<HttpConnector>, Full<Bytes>> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*tls::client_config(ca_der)).clone())
        .https_only()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Bookinfo-like objects by server-side apply, as the recording starts: 201 each.
pub async fn apply_bookinfo(t: &Tester) {
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
}

/// Bookinfo applied, its reviews pod Running, and ratings-v1 created and marked Running by
/// hand: the two pods the recorded pod lists and watches start from.
pub async fn bookinfo_with_pods(t: &Tester) {
    apply_bookinfo(t).await;
    wait_for_running_pods(&t.sim).await;
    t.replay("setup/01-create-pod-ratings-v1").await;
    t.replay("setup/02-patch-pod-ratings-v1-status-running")
        .await;
}

/// details-v1 comes and goes: created, Running, deleted gracefully, then at once.
pub async fn details_v1_comes_and_goes(t: &Tester) {
    t.replay("setup/03-create-pod-details-v1").await;
    t.replay("setup/04-patch-pod-details-v1-status-running")
        .await;
    let terminating = t.replay("setup/05-delete-pod-details-v1").await;
    assert_eq!(terminating["metadata"]["deletionGracePeriodSeconds"], 30);
    t.replay("setup/06-delete-pod-details-v1-grace-0").await;
}

/// One answer to `Tester::raw`: status, Content-Type, and the body (JSON, or a string).
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Tester {
    /// Sends one request as given (path with query, optional Content-Type, raw body,
    /// bearer token) and reads the whole answer, for requests no recording has.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        token: &str,
    ) -> Reply {
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path_and_query}", self.sim.server_url()))
            .header("Authorization", format!("Bearer {token}"));
        if let Some(content_type) = content_type {
            builder = builder.header("Content-Type", content_type);
        }
        let response = self
            .client
            .request(builder.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = tokio::time::timeout(Duration::from_secs(10), response.into_body().collect())
            .await
            .expect("the answer ends")
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            content_type,
            body,
        }
    }
}
