//! Whole-process memory with the demo cluster holding 5,000 pods and the app's watchers
//! and model showing them all: the sim, the kube-rs client and the model in one process,
//! as `--demo` runs. Each pod shape is measured in a fresh child process, since RSS
//! never shrinks back after a measurement.

mod common;

use std::process::Command;
use std::time::Duration;

use istio_lab::sim::SimHandle;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};

use common::{NAMESPACE, apply_until, mib, rss_kib, standalone_pod};

const PODS: usize = 5_000;
const TARGET_MIB: f64 = 60.0;
const SHAPE_VAR: &str = "ISTIO_LAB_BENCH_POD_SHAPE";
const SETUP_LIMIT: Duration = Duration::from_secs(120);
/// Lets the last list buffers and the controller's pass finish before reading RSS.
const SETTLE: Duration = Duration::from_millis(500);

#[derive(Clone, Copy)]
enum Shape {
    /// The injected `reviews-v1` pod as a real cluster returns it.
    RealCluster,
    /// The pod the demo cluster's own controller makes for an injected `reviews-v1`.
    SimCreated,
}

impl Shape {
    const ALL: [Shape; 2] = [Shape::SimCreated, Shape::RealCluster];

    fn key(self) -> &'static str {
        match self {
            Shape::RealCluster => "real-cluster",
            Shape::SimCreated => "sim-created",
        }
    }

    fn from_key(key: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.key() == key)
    }
}

fn main() {
    match std::env::var(SHAPE_VAR)
        .ok()
        .as_deref()
        .map(Shape::from_key)
    {
        Some(Some(shape)) => measure_in_this_process(shape),
        Some(None) => panic!("{SHAPE_VAR} names no known pod shape"),
        None => {
            let exe = std::env::current_exe().expect("the bench binary's path");
            for shape in Shape::ALL {
                let status = Command::new(&exe)
                    .env(SHAPE_VAR, shape.key())
                    .status()
                    .expect("the bench re-runs itself");
                assert!(status.success(), "the {} measurement failed", shape.key());
            }
        }
    }
}

fn measure_in_this_process(shape: Shape) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(measure(shape));
}

async fn measure(shape: Shape) {
    let sim = common::demo_cluster().await;
    let template = match shape {
        Shape::RealCluster => common::bookinfo_pod_value(),
        Shape::SimCreated => sim_created_pod(&sim).await,
    };
    let pod_bytes = serde_json::to_vec(&template).map_or(0, |v| v.len());
    let started = rss_kib().unwrap_or(0);

    let clock = std::time::Instant::now();
    eprintln!("{}: writing {PODS} pods into the demo cluster", shape.key());
    let store = sim.store();
    for index in 0..PODS {
        store
            .put(standalone_pod(&template, &common::pod_name(index)))
            .expect("the sim stores a pod");
    }
    tokio::time::sleep(SETTLE).await;
    let with_pods = rss_kib().unwrap_or(0);
    eprintln!(
        "{}: pods written after {:.1?}; watching until the model holds them",
        shape.key(),
        clock.elapsed()
    );

    let mut model = common::model();
    let mut watching = common::watch(&sim, model.cluster.generation);
    let shown = PODS + usize::from(matches!(shape, Shape::SimCreated));
    apply_until(
        &mut model,
        &mut watching.rx,
        SETUP_LIMIT,
        "the watchers to list every pod",
        |m| common::connected(m) && common::default_pods(m) == shown,
    )
    .await;
    tokio::time::sleep(SETTLE).await;
    // Drain what arrived while settling, so the model is as current as the screen would be.
    while let Ok(msg) = watching.rx.try_recv() {
        istio_lab::app::update(&mut model, msg, jiff::Timestamp::now());
    }
    let total = rss_kib().unwrap_or(0);
    let peak = peak_kib().unwrap_or(0);
    println!(
        "memory, {shape} pods ({kb:.1} KB JSON each): VmRSS {rss:.1} MiB with {rows} pod rows \
         [target < {TARGET_MIB} MiB: {verdict}] (demo cluster running: {start:.1} MiB, \
         + {PODS} pods in the sim: {sim:.1} MiB, + listing, watching and the model: {app:.1} MiB; \
         peak VmHWM {peak:.1} MiB)",
        shape = shape.key(),
        kb = pod_bytes as f64 / 1000.0,
        rss = mib(total),
        rows = common::default_pods(&model),
        verdict = if mib(total) < TARGET_MIB {
            "met"
        } else {
            "MISSED"
        },
        start = mib(started),
        sim = mib(with_pods.saturating_sub(started)),
        app = mib(total.saturating_sub(with_pods)),
        peak = mib(peak),
    );
    watching.handle.stop();
    sim.shutdown().await;
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Has the sim's controller make one injected `reviews-v1` pod (namespace labelled for
/// injection, a one-replica Deployment) and returns it once it runs.
async fn sim_created_pod(sim: &SimHandle) -> Value {
    let store = sim.store();
    store
        .put(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": NAMESPACE, "labels": {
                "kubernetes.io/metadata.name": NAMESPACE, "istio-injection": "enabled"}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }))
        .expect("the sim stores the namespace");
    store
        .put(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "reviews-v1", "namespace": NAMESPACE,
                "labels": {"app": "reviews", "version": "v1"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "reviews", "version": "v1"}},
                "template": {
                    "metadata": {"labels": {"app": "reviews", "version": "v1"}},
                    "spec": {
                        "serviceAccountName": "bookinfo-reviews",
                        "containers": [{
                            "name": "reviews",
                            "image": "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
                            "imagePullPolicy": "IfNotPresent",
                            "ports": [{"containerPort": 9080}],
                            "env": [{"name": "LOG_DIR", "value": "/tmp/logs"}],
                            "volumeMounts": [
                                {"name": "tmp", "mountPath": "/tmp"},
                                {"name": "wlp-output", "mountPath": "/opt/ibm/wlp/output"}
                            ]
                        }],
                        "volumes": [{"name": "wlp-output", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]
                    }
                }
            }
        }))
        .expect("the sim stores the deployment");
    let client = istio_lab::features::cluster::client_from_config(sim.kube_config())
        .expect("a client for the demo cluster");
    let pods: Api<Pod> = Api::namespaced(client, NAMESPACE);
    let running = async {
        loop {
            let listed = pods.list(&ListParams::default()).await;
            if let Some(pod) = listed.ok().and_then(|list| {
                list.items
                    .into_iter()
                    .find(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            }) {
                return pod;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let pod = tokio::time::timeout(SETUP_LIMIT, running)
        .await
        .expect("the sim's controller runs the reviews-v1 pod");
    serde_json::to_value(pod).expect("a Pod serializes")
}
