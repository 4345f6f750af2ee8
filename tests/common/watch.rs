//! Helpers for the watcher stories (tests/cluster_watch_*.rs): the demo cluster, the
//! watchers feeding a `ClusterView` as the app does, and readings of the tables.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use istio_lab::features::cluster::model::ClusterView;
use istio_lab::features::cluster::watch::{ListModes, spawn_watchers_with};
use istio_lab::features::cluster::{
    ClusterEvent, ConnectionState, WatchHandle, client_from_config,
};
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions};
use jiff::Timestamp;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, Scope};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};
use tokio::sync::mpsc::{self, UnboundedReceiver};

/// Lifecycle delays are divided by this: a pod's five status steps take about a quarter second.
pub const SPEED: f64 = 20.0;
/// Upper bound for any one wait; reaching it is a failure, never a measurement.
pub const WAIT: Duration = Duration::from_secs(20);
pub const BOOKINFO: &str = include_str!("../../assets/bookinfo/bookinfo.yaml");
/// Pods, services, VirtualServices, DestinationRules and Gateways all listed.
pub const ALL_KINDS: ConnectionState = ConnectionState::Connected { kinds: 5 };
pub const BOOKINFO_APPS: [&str; 6] = [
    "details-v1",
    "productpage-v1",
    "ratings-v1",
    "reviews-v1",
    "reviews-v2",
    "reviews-v3",
];

pub async fn demo_cluster() -> (SimHandle, Client) {
    cluster(Scenario::demo().unwrap()).await
}

pub async fn cluster(scenario: Scenario) -> (SimHandle, Client) {
    let sim = sim::start(SimOptions {
        port: 0,
        speed: SPEED,
        scenario,
    })
    .await
    .unwrap();
    let client = client_from_config(sim.kube_config()).unwrap();
    (sim, client)
}

/// The watchers and the table state they feed, as the app holds them.
pub struct Tables {
    events: UnboundedReceiver<ClusterEvent>,
    pub view: ClusterView,
    watchers: WatchHandle,
}

impl Tables {
    pub fn start(client: Client, lab_namespace: &str) -> Tables {
        Tables::start_with(client, lab_namespace, ListModes::default())
    }

    /// Watchers that remember the list strategies earlier ones decided, as the app's next
    /// watchers after a namespace switch do.
    pub fn start_with(client: Client, lab_namespace: &str, modes: ListModes) -> Tables {
        let (tx, events) = mpsc::unbounded_channel();
        Tables {
            events,
            view: ClusterView::new(Timestamp::now()),
            watchers: spawn_watchers_with(client, lab_namespace, tx, modes),
        }
    }

    /// The list strategies these watchers decided so far.
    pub fn list_modes(&self) -> ListModes {
        self.watchers.list_modes()
    }

    /// Applies events until `done` holds for the view (checked first, then after each event).
    pub async fn wait_until(&mut self, what: &str, mut done: impl FnMut(&ClusterView) -> bool) {
        if !done(&self.view) {
            self.wait_event(what, |view, _| done(view)).await;
        }
    }

    /// Applies events until `done` holds just after one of them; panics with the last state
    /// when `WAIT` passes first.
    pub async fn wait_event(
        &mut self,
        what: &str,
        mut done: impl FnMut(&ClusterView, &ClusterEvent) -> bool,
    ) {
        let outcome = tokio::time::timeout(WAIT, async {
            while let Some(event) = self.events.recv().await {
                self.view.apply(event.clone());
                if done(&self.view, &event) {
                    return true;
                }
            }
            false
        })
        .await;
        match outcome {
            Ok(true) => {}
            Ok(false) => panic!("watchers stopped before: {what}\n{}", describe(&self.view)),
            Err(_) => panic!("still waiting for: {what}\n{}", describe(&self.view)),
        }
    }
}

pub fn describe(view: &ClusterView) -> String {
    let mut lines = vec![format!("connection: {:?}", view.connection)];
    for (namespace, pods) in &view.pods {
        for pod in pods.values() {
            let (ready, status) = (pod.ready_text(), &pod.status);
            lines.push(format!("pod {namespace}/{} {ready} {status}", pod.name));
        }
    }
    for (namespace, services) in &view.services {
        for s in services.values() {
            let (kind, ip, ext, ports) = (&s.type_, &s.cluster_ip, &s.external_ip, &s.ports);
            lines.push(format!(
                "svc {namespace}/{} {kind} {ip} {ext} {ports}",
                s.name
            ));
        }
    }
    lines.join("\n")
}

/// The pods of one namespace as `app-version` → (READY, STATUS), e.g. `reviews-v2` → `2/2`.
pub fn pods_by_app(view: &ClusterView, namespace: &str) -> BTreeMap<String, (String, String)> {
    view.pods
        .get(namespace)
        .into_iter()
        .flat_map(|pods| pods.values())
        .filter(|pod| !pod.deleting)
        .map(|pod| {
            let label = |key: &str| pod.labels.get(key).cloned().unwrap_or_default();
            let app = match label("version") {
                version if version.is_empty() => label("app"),
                version => format!("{}-{version}", label("app")),
            };
            (app, (pod.ready_text(), pod.status.clone()))
        })
        .collect()
}

pub fn all_bookinfo_pods_read(view: &ClusterView, namespace: &str, ready: &str) -> bool {
    let pods = pods_by_app(view, namespace);
    BOOKINFO_APPS
        .iter()
        .all(|app| pods.get(*app) == Some(&(ready.to_string(), "Running".to_string())))
}

/// Every pod's (READY, STATUS) as the table showed it, consecutive repeats folded.
#[derive(Default)]
pub struct PodHistory(pub BTreeMap<String, Vec<(String, String)>>);

impl PodHistory {
    pub fn record(&mut self, view: &ClusterView, namespace: &str) {
        for pod in view
            .pods
            .get(namespace)
            .into_iter()
            .flat_map(|p| p.values())
        {
            let seen = self.0.entry(pod.name.clone()).or_default();
            let now = (pod.ready_text(), pod.status.clone());
            if seen.last() != Some(&now) {
                seen.push(now);
            }
        }
    }

    /// Each pod's sequence must follow `order` without going back or leaving it.
    pub fn assert_follows(&self, order: &[(&str, &str)]) {
        for (pod, seen) in &self.0 {
            let positions: Vec<usize> = seen
                .iter()
                .map(|(ready, status)| {
                    order
                        .iter()
                        .position(|(r, s)| r == ready && s == status)
                        .unwrap_or_else(|| panic!("{pod}: unexpected {ready} {status} in {seen:?}"))
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "{pod} went backwards: {seen:?}"
            );
        }
    }

    pub fn distinct_states(&self) -> BTreeSet<&(String, String)> {
        self.0.values().flatten().collect()
    }
}

/// Applies every document of a multi-document manifest with server-side apply, as
/// `kubectl apply --server-side --force-conflicts` does.
pub async fn apply_manifest(client: &Client, manifest: &str, namespace: &str) {
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let documents: Vec<Value> = serde_saphyr::from_multiple(manifest).unwrap();
    for document in documents.into_iter().filter(|d| !d.is_null()) {
        let mut object: DynamicObject = serde_json::from_value(document).unwrap();
        let types = object.types.clone().unwrap();
        let (group, version) = types.api_version.split_once('/').unwrap_or(("", "v1"));
        let gvk = GroupVersionKind::gvk(group, version, &types.kind);
        let (resource, capabilities) = discovery.resolve_gvk(&gvk).unwrap();
        let api: Api<DynamicObject> = match capabilities.scope {
            Scope::Namespaced => {
                object.metadata.namespace = Some(namespace.to_string());
                Api::namespaced_with(client.clone(), namespace, &resource)
            }
            Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        let params = PatchParams::apply("istio-lab").force();
        api.patch(&object.name_any(), &params, &Patch::Apply(&object))
            .await
            .unwrap();
    }
}

/// A pod as a kubelet would report it running (no owner, so no controller touches it).
pub fn running_pod(namespace: &str, name: &str, restarts: u32) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {"nodeName": "istio-lab-worker", "containers": [{"name": "app", "image": "busybox:1.36"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "app", "image": "busybox:1.36", "imageID": "", "ready": true,
                "started": true, "restartCount": restarts,
                "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}})
}

pub async fn names<K>(api: Api<K>) -> BTreeSet<String>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let list = api.list(&ListParams::default()).await.unwrap();
    list.items.iter().map(ResourceExt::name_any).collect()
}

pub fn row_names<T>(
    rows: &BTreeMap<String, BTreeMap<String, T>>,
    namespace: &str,
) -> BTreeSet<String> {
    rows.get(namespace)
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}
