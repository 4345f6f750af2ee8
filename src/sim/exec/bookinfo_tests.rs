//! Tests of the pods' servers and of how a Service name reaches one.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::bookinfo::{Cluster, Reached, call};
use super::hooks::{AccessLog, Hooks, PodRequest};
use crate::sim::Scenario;
use crate::sim::store::SimStore;

const MESH: &str = r#"
objects:
- {apiVersion: v1, kind: Namespace, metadata: {name: default}}
- {apiVersion: v1, kind: Service, metadata: {name: reviews}, spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}}
- {apiVersion: v1, kind: Service, metadata: {name: ratings}, spec: {selector: {app: ratings}, ports: [{name: http, port: 9080}]}}
- apiVersion: v1
  kind: Pod
  metadata: {name: reviews-v1-a, labels: {app: reviews, version: v1}}
  spec: {containers: [{name: reviews, image: r, ports: [{containerPort: 9080}]}]}
  status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: reviews-v3-a, labels: {app: reviews, version: v3}}
  spec: {containers: [{name: reviews, image: r, ports: [{containerPort: 9080}]}]}
  status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
- apiVersion: networking.istio.io/v1
  kind: DestinationRule
  metadata: {name: reviews}
  spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v3, labels: {version: v3}}]}
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata: {name: reviews}
  spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v3}}]}]}
"#;

#[derive(Default)]
struct Recorder(Mutex<Vec<PodRequest>>);

impl AccessLog for Recorder {
    fn on_request(&self, request: &PodRequest) {
        self.0.lock().unwrap().push(request.clone());
    }
}

fn body(reached: Reached) -> (u16, Value) {
    let Reached::Answer(answer) = reached else {
        panic!("no answer: {reached:?}");
    };
    let json = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, json)
}

#[test]
fn reviews_calls_follow_the_virtual_service_and_are_recorded() {
    let store = SimStore::new();
    Scenario::from_yaml(MESH).unwrap().load(&store).unwrap();
    let hooks = Hooks::default();
    let recorder = Arc::new(Recorder::default());
    hooks.set_access_log(recorder.clone());
    for roll in [0, 1, 50_000, 99_999] {
        let cluster = Cluster {
            store: &store,
            hooks: &hooks,
            roll,
        };
        let host = "reviews.default.svc.cluster.local";
        let (status, json) = body(call(&cluster, "default", host, 9080, "GET", "/reviews/0"));
        assert_eq!(status, 200);
        assert_eq!(json["podname"], "reviews-v3-a", "roll {roll}");
        assert_eq!(json["reviews"][1]["rating"]["color"], "red");
    }
    let recorded = recorder.0.lock().unwrap();
    assert_eq!(recorded.len(), 4);
    assert_eq!(recorded[0].pod, "reviews-v3-a");
    assert_eq!(recorded[0].path, "/reviews/0");
}

#[test]
fn hosts_ports_and_endpoints_fail_as_in_a_mesh() {
    let store = SimStore::new();
    Scenario::from_yaml(MESH).unwrap().load(&store).unwrap();
    let hooks = Hooks::default();
    let cluster = Cluster {
        store: &store,
        hooks: &hooks,
        roll: 7,
    };
    assert_eq!(
        call(&cluster, "default", "details", 9080, "GET", "/"),
        Reached::UnknownHost
    );
    assert_eq!(
        call(&cluster, "default", "reviews.other", 9080, "GET", "/"),
        Reached::UnknownHost
    );
    assert_eq!(
        call(
            &cluster,
            "default",
            "reviews.default.svc.x",
            9080,
            "GET",
            "/"
        ),
        Reached::UnknownHost
    );
    assert_eq!(
        call(&cluster, "default", "reviews", 80, "GET", "/"),
        Reached::Refused
    );
    // ratings has a Service and no pod: the sidecar has no healthy upstream.
    let Reached::Answer(answer) = call(&cluster, "default", "ratings", 9080, "GET", "/ratings/0")
    else {
        panic!("an answer");
    };
    assert_eq!(
        (answer.status, answer.body.as_ref()),
        (503, b"no healthy upstream".as_ref())
    );
    let (status, _) = body(call(&cluster, "default", "reviews", 9080, "GET", "/nope"));
    assert_eq!(status, 404);
}

#[test]
fn a_page_is_told_with_the_calls_productpage_made() {
    let extra = r#"
- {apiVersion: v1, kind: Service, metadata: {name: productpage}, spec: {selector: {app: productpage}, ports: [{name: http, port: 9080}]}}
- apiVersion: v1
  kind: Pod
  metadata: {name: productpage-v1-a, labels: {app: productpage, version: v1}}
  spec: {containers: [{name: productpage, image: p, ports: [{containerPort: 9080}]}]}
  status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: ratings-v1-a, labels: {app: ratings, version: v1}}
  spec: {containers: [{name: ratings, image: r, ports: [{containerPort: 9080}]}]}
  status: {phase: Running, conditions: [{type: Ready, status: "True"}]}
"#;
    let store = SimStore::new();
    Scenario::from_yaml(&format!("{MESH}{extra}"))
        .unwrap()
        .load(&store)
        .unwrap();
    let hooks = Hooks::default();
    let recorder = Arc::new(Recorder::default());
    hooks.set_access_log(recorder.clone());
    let cluster = Cluster {
        store: &store,
        hooks: &hooks,
        roll: 3,
    };
    let Reached::Answer(page) = call(
        &cluster,
        "default",
        "productpage",
        9080,
        "GET",
        "/productpage",
    ) else {
        panic!("a page");
    };
    assert_eq!(page.status, 200);
    let told: Vec<(String, String)> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|r| (r.pod.clone(), r.path.clone()))
        .collect();
    // No details pod here; reviews v3 (the route) shows stars, so it called ratings.
    let expected = [
        ("reviews-v3-a", "/reviews/0"),
        ("ratings-v1-a", "/ratings/0"),
        ("productpage-v1-a", "/productpage"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, q)| (p.to_string(), q.to_string()))
        .collect();
    assert_eq!(told, expected);
}
