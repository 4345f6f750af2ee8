//! Shared bench helpers: the model on a 200×60 screen, a realistic injected Bookinfo pod,
//! and the demo cluster wired to the model the way the runtime wires it.
#![allow(dead_code)]

use istio_lab::features::cluster::msg::ClusterMsg;
use std::time::Duration;

pub mod child;
#[path = "../../tests/common/harness.rs"]
pub mod harness;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::init::{Start, new_model};
use istio_lab::app::{Model, Msg, update};
use istio_lab::features::cluster::{WatchHandle, spawn_watchers};
use istio_lab::sim::SimHandle;
use istio_lab::ui::layout::Pane;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub const WIDTH: u16 = 200;
pub const HEIGHT: u16 = 60;
pub const NAMESPACE: &str = "default";
/// The clock of benchmarks where time does not matter.
pub const T0: Timestamp = Timestamp::UNIX_EPOCH;

/// An injected `reviews-v1` pod as a real cluster returns it (native sidecar, Istio 1.28).
pub const BOOKINFO_POD_JSON: &str = include_str!("../fixtures/reviews-v1-pod.json");

/// The model as the app starts it against a cluster, resized to 200×60 with the cluster pane
/// focused, so the pods table is on screen beside the lesson.
pub fn model() -> Model {
    let (mut model, _) = new_model(Start {
        now: Timestamp::now(),
        watch: true,
        ..harness::start(WIDTH, HEIGHT)
    });
    let resize = Msg::Resize {
        width: WIDTH,
        height: HEIGHT,
    };
    update(&mut model, resize, Timestamp::now());
    let f2 = Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    update(&mut model, f2, Timestamp::now());
    assert_eq!(model.focus, Pane::Cluster);
    assert!(
        model.layout.cluster.is_some(),
        "the cluster pane must be on screen at {WIDTH}x{HEIGHT}"
    );
    model
}

/// The demo cluster as `--demo` starts it, on an OS-chosen port.
pub async fn demo_cluster() -> SimHandle {
    istio_lab::sim::start(istio_lab::sim::SimOptions {
        port: 0,
        speed: 1.0,
        scenario: istio_lab::sim::Scenario::demo().expect("the demo scenario loads"),
    })
    .await
    .expect("the demo cluster starts")
}

pub fn bookinfo_pod_value() -> Value {
    serde_json::from_str(BOOKINFO_POD_JSON).expect("the pod fixture is valid JSON")
}

pub fn bookinfo_pod() -> Pod {
    serde_json::from_str(BOOKINFO_POD_JSON).expect("the pod fixture is a Pod")
}

/// Name of the `index`-th generated pod, shaped like a ReplicaSet's pod names.
pub fn pod_name(index: usize) -> String {
    format!("reviews-v1-7f99cc4496-{index:05}")
}

/// The fixture as a standalone object the demo cluster accepts as new: renamed, without the
/// server-set fields, and without an owner (the sim's controller would delete an orphan).
pub fn standalone_pod(template: &Value, name: &str) -> Value {
    let mut pod = template.clone();
    if let Some(meta) = pod["metadata"].as_object_mut() {
        for field in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "ownerReferences",
            "generateName",
        ] {
            meta.remove(field);
        }
        meta.insert("name".into(), Value::String(name.into()));
    }
    pod
}

pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The app's side of a watched cluster: the watchers and the message channel the runtime
/// would read, with events tagged by the model's watcher generation.
pub struct Watching {
    pub handle: WatchHandle,
    pub rx: UnboundedReceiver<Msg>,
}

/// Starts the watchers against the demo cluster exactly as the runtime's `WatchNamespace`
/// effect does: one channel of cluster events forwarded into the app's message channel.
pub fn watch(sim: &SimHandle, generation: u64) -> Watching {
    let client = istio_lab::features::cluster::client_from_config(sim.kube_config())
        .expect("a client for the demo cluster");
    watch_client(client, generation)
}

/// `watch` through any client, e.g. one for a demo cluster served by another process.
pub fn watch_client(client: kube::Client, generation: u64) -> Watching {
    let (cluster_tx, mut cluster_rx) = unbounded_channel();
    let handle = spawn_watchers(client, NAMESPACE, cluster_tx);
    let (tx, rx) = unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = cluster_rx.recv().await {
            if tx
                .send(Msg::Cluster(ClusterMsg::Event { generation, event }))
                .is_err()
            {
                break;
            }
        }
    });
    Watching { handle, rx }
}

/// Waits for one message, then applies every message already queued, as the runtime's loop
/// does before it draws.
pub async fn next_batch(model: &mut Model, rx: &mut UnboundedReceiver<Msg>) -> bool {
    istio_lab::runtime::next_batch(model, rx).await;
    !model.quit
}

/// Applies batches until `done` holds; panics after `limit` so a broken setup cannot hang.
pub async fn apply_until(
    model: &mut Model,
    rx: &mut UnboundedReceiver<Msg>,
    limit: Duration,
    what: &str,
    done: impl Fn(&Model) -> bool,
) {
    let waiting = async {
        while !done(model) {
            if !next_batch(model, rx).await {
                panic!("the watcher channel closed while waiting for {what}");
            }
        }
    };
    if tokio::time::timeout(limit, waiting).await.is_err() {
        panic!(
            "timed out after {limit:?} waiting for {what} (connection {:?}, {} pods in {NAMESPACE})",
            model.cluster.connection,
            default_pods(model)
        );
    }
}

/// The watchers have listed everything: the connection line says so.
pub fn connected(model: &Model) -> bool {
    use istio_lab::features::cluster::ConnectionState;
    matches!(
        model.cluster.connection,
        ConnectionState::Connected { .. } | ConnectionState::IstioNotInstalled
    )
}

pub fn default_pods(model: &Model) -> usize {
    model
        .cluster
        .pods
        .get(NAMESPACE)
        .map_or(0, |rows| rows.len())
}
