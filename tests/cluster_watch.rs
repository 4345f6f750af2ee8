//! The cluster watchers end to end: real HTTP against the embedded demo cluster, every event
//! applied to the app's `ClusterView` as the running app does.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use istio_lab::features::cluster::mesh::{HttpRouteView, VirtualServiceView};
use istio_lab::features::cluster::model::ClusterView;
use istio_lab::features::cluster::{
    Change, ClusterEvent, ConnectionState, MeshKind, WatchHandle, client_from_config,
    spawn_watchers,
};
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions};
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, Scope};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{self, UnboundedReceiver};

/// Lifecycle delays are divided by this: a pod's five status steps take about a quarter second.
const SPEED: f64 = 20.0;
/// Upper bound for any one wait; reaching it is a failure, never a measurement.
const WAIT: Duration = Duration::from_secs(20);
const BOOKINFO: &str = include_str!("../assets/bookinfo/bookinfo.yaml");
const REVIEWS_80_20: &str = include_str!("../assets/bookinfo/virtual-service-reviews-80-20.yaml");
/// Pods, services, VirtualServices, DestinationRules and Gateways all listed.
const ALL_KINDS: ConnectionState = ConnectionState::Connected { kinds: 5 };
const BOOKINFO_APPS: [&str; 6] = [
    "details-v1",
    "productpage-v1",
    "ratings-v1",
    "reviews-v1",
    "reviews-v2",
    "reviews-v3",
];

async fn demo_cluster() -> (SimHandle, Client) {
    cluster(Scenario::demo().unwrap()).await
}

async fn cluster(scenario: Scenario) -> (SimHandle, Client) {
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
struct Tables {
    events: UnboundedReceiver<ClusterEvent>,
    view: ClusterView,
    _watchers: WatchHandle,
}

impl Tables {
    fn start(client: Client, lab_namespace: &str) -> Tables {
        let (tx, events) = mpsc::unbounded_channel();
        Tables {
            events,
            view: ClusterView::new(Timestamp::now()),
            _watchers: spawn_watchers(client, lab_namespace, tx),
        }
    }

    /// Applies events until `done` holds for the view (checked first, then after each event).
    async fn wait_until(&mut self, what: &str, mut done: impl FnMut(&ClusterView) -> bool) {
        if !done(&self.view) {
            self.wait_event(what, |view, _| done(view)).await;
        }
    }

    /// Applies events until `done` holds just after one of them; panics with the last state
    /// when `WAIT` passes first.
    async fn wait_event(
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

fn describe(view: &ClusterView) -> String {
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
fn pods_by_app(view: &ClusterView, namespace: &str) -> BTreeMap<String, (String, String)> {
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

fn all_bookinfo_pods_read(view: &ClusterView, namespace: &str, ready: &str) -> bool {
    let pods = pods_by_app(view, namespace);
    BOOKINFO_APPS
        .iter()
        .all(|app| pods.get(*app) == Some(&(ready.to_string(), "Running".to_string())))
}

/// Every pod's (READY, STATUS) as the table showed it, consecutive repeats folded.
#[derive(Default)]
struct PodHistory(BTreeMap<String, Vec<(String, String)>>);

impl PodHistory {
    fn record(&mut self, view: &ClusterView, namespace: &str) {
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
    fn assert_follows(&self, order: &[(&str, &str)]) {
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

    fn distinct_states(&self) -> BTreeSet<&(String, String)> {
        self.0.values().flatten().collect()
    }
}

/// Applies every document of a multi-document manifest with server-side apply, as
/// `kubectl apply --server-side --force-conflicts` does.
async fn apply_manifest(client: &Client, manifest: &str, namespace: &str) {
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
fn running_pod(namespace: &str, name: &str, restarts: u32) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {"nodeName": "istio-lab-worker", "containers": [{"name": "app", "image": "busybox:1.36"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "app", "image": "busybox:1.36", "imageID": "", "ready": true,
                "started": true, "restartCount": restarts,
                "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}})
}

async fn names<K>(api: Api<K>) -> BTreeSet<String>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let list = api.list(&ListParams::default()).await.unwrap();
    list.items.iter().map(ResourceExt::name_any).collect()
}

fn row_names<T>(rows: &BTreeMap<String, BTreeMap<String, T>>, namespace: &str) -> BTreeSet<String> {
    rows.get(namespace)
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_cluster_shows_istio_running_and_the_ingress_gateway_like_kubectl() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    tables
        .wait_until("istio-system pods Running 1/1", |view| {
            let pods = pods_by_app(view, "istio-system");
            ["istiod", "istio-ingressgateway", "istio-egressgateway"]
                .iter()
                .all(|app| pods.get(*app) == Some(&("1/1".into(), "Running".into())))
        })
        .await;

    let stored = Api::<Service>::namespaced(client, "istio-system")
        .get("istio-ingressgateway")
        .await
        .unwrap();
    let stored = serde_json::to_value(&stored).unwrap();
    let address = stored["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .unwrap()
        .to_string();
    let ports: Vec<String> = stored["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let node_port = p["nodePort"].as_u64().unwrap();
            assert!((30000..=32767).contains(&node_port), "{p}");
            format!("{}:{node_port}/TCP", p["port"])
        })
        .collect();
    assert!(ports.iter().any(|p| p.starts_with("80:")), "{ports:?}");
    assert!(ports.iter().any(|p| p.starts_with("443:")), "{ports:?}");
    tables
        .wait_until("the ingress gateway row", |view| {
            view.services
                .get("istio-system")
                .and_then(|s| s.get("istio-ingressgateway"))
                .is_some()
        })
        .await;
    let row = &tables.view.services["istio-system"]["istio-ingressgateway"];
    assert_eq!(row.type_, "LoadBalancer");
    assert_eq!(row.external_ip, address);
    assert_eq!(row.ports, ports.join(","));
    assert!(
        row.cluster_ip.parse::<Ipv4Addr>().is_ok(),
        "{}",
        row.cluster_ip
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_bookinfo_pods_progress_to_two_of_two() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    let label = json!({"metadata": {"labels": {"istio-injection": "enabled"}}});
    Api::<Namespace>::all(client.clone())
        .patch("default", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();
    apply_manifest(&client, BOOKINFO, "default").await;

    let mut history = PodHistory::default();
    tables
        .wait_until("six bookinfo pods 2/2 Running", |view| {
            history.record(view, "default");
            all_bookinfo_pods_read(view, "default", "2/2")
        })
        .await;
    // A native sidecar: istio-init runs, then istio-proxy starts before the application.
    history.assert_follows(&[
        ("0/2", "Pending"),
        ("0/2", "Init:0/2"),
        ("0/2", "PodInitializing"),
        ("1/2", "Running"),
        ("2/2", "Running"),
    ]);
    assert_eq!(history.0.len(), 6, "{:?}", history.0.keys());
    assert!(
        history.distinct_states().len() >= 4,
        "hardly any progress seen: {:?}",
        history.0
    );

    tables
        .wait_until("bookinfo services", |view| {
            ["details", "ratings", "reviews", "productpage"]
                .iter()
                .all(|name| {
                    view.services
                        .get("default")
                        .is_some_and(|s| s.contains_key(*name))
                })
        })
        .await;
    for name in ["details", "ratings", "reviews", "productpage"] {
        let row = &tables.view.services["default"][name];
        assert_eq!(
            (
                row.type_.as_str(),
                row.external_ip.as_str(),
                row.ports.as_str()
            ),
            ("ClusterIP", "<none>", "9080/TCP")
        );
        assert!(
            row.cluster_ip.parse::<Ipv4Addr>().is_ok(),
            "{name}: {}",
            row.cluster_ip
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_without_the_injection_label_read_one_of_one() {
    let (_sim, client) = demo_cluster().await;
    let plain = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some("plain".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &plain)
        .await
        .unwrap();
    let mut tables = Tables::start(client.clone(), "plain");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    apply_manifest(&client, BOOKINFO, "plain").await;

    let mut history = PodHistory::default();
    tables
        .wait_until("six bookinfo pods 1/1 Running", |view| {
            history.record(view, "plain");
            all_bookinfo_pods_read(view, "plain", "1/1")
        })
        .await;
    history.assert_follows(&[
        ("0/1", "Pending"),
        ("0/1", "ContainerCreating"),
        ("1/1", "Running"),
    ]);
    assert_eq!(history.0.len(), 6, "{:?}", history.0.keys());
    assert!(!tables.view.pods.contains_key("default"));
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_pods_show_terminating_then_disappear() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    apply_manifest(&client, BOOKINFO, "default").await;
    tables
        .wait_until("bookinfo running", |view| {
            all_bookinfo_pods_read(view, "default", "1/1")
        })
        .await;
    let pod_of = |view: &ClusterView, app: &str| {
        view.pods["default"]
            .values()
            .find(|p| p.labels.get("app").map(String::as_str) == Some(app))
            .map(|p| p.name.clone())
            .unwrap()
    };

    // A Deployment's deletion cascades to its pods, which terminate gracefully.
    let ratings = pod_of(&tables.view, "ratings");
    Api::<Deployment>::namespaced(client.clone(), "default")
        .delete("ratings-v1", &DeleteParams::default())
        .await
        .unwrap();
    let mut seen = Vec::new();
    tables
        .wait_until("the ratings pod gone", |view| {
            let row = view.pods["default"].get(&ratings);
            seen.push(row.map(|p| p.status.clone()));
            seen.dedup();
            row.is_none()
        })
        .await;
    let terminating = Some("Terminating".to_string());
    assert_eq!(seen.iter().rev().nth(1), Some(&terminating), "{seen:?}");

    // A pod deleted with a grace period: Terminating, gone, and its ReplicaSet replaces it.
    let details = pod_of(&tables.view, "details");
    Api::<Pod>::namespaced(client.clone(), "default")
        .delete(&details, &DeleteParams::default().grace_period(1))
        .await
        .unwrap();
    let mut seen = Vec::new();
    tables
        .wait_until("the details pod replaced", |view| {
            let row = view.pods["default"].get(&details);
            seen.push(row.map(|p| p.status.clone()));
            seen.dedup();
            row.is_none() && pods_by_app(view, "default").contains_key("details-v1")
        })
        .await;
    assert!(seen.contains(&terminating), "{seen:?}");
    assert_eq!(seen.last(), Some(&None));
    let apps = pods_by_app(&tables.view, "default");
    assert!(!apps.contains_key("ratings-v1"), "{apps:?}");
    assert_eq!(apps.len(), 5, "{apps:?}");
}

/// Restarts the API server under running watchers, writes to the store, and waits until the
/// tables show the writes through a complete re-list. Returns the connection states published
/// meanwhile.
async fn restart_and_converge(sim: &mut SimHandle, client: Client) -> Vec<ConnectionState> {
    let store = sim.store();
    for name in ["alpha", "beta"] {
        store.put(running_pod("default", name, 0)).unwrap();
    }
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("both pods listed", |view| {
            view.connection == ALL_KINDS && view.pods.get("default").is_some_and(|p| p.len() == 2)
        })
        .await;

    sim.restart().await.unwrap();
    // Written while the watches are down or resuming from a now expired resourceVersion.
    store.put(running_pod("default", "gamma", 0)).unwrap();
    store.put(running_pod("default", "beta", 3)).unwrap();

    let mut relisted = false;
    let mut states = Vec::new();
    tables
        .wait_event("a re-list showing the new writes", |view, event| {
            match event {
                ClusterEvent::Pods {
                    namespace,
                    change: Change::Reset(rows),
                } if namespace == "default" => {
                    let unique: BTreeSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
                    assert_eq!(unique.len(), rows.len(), "duplicate rows in {rows:?}");
                    relisted = true;
                }
                ClusterEvent::Connection(state) => states.push(state.clone()),
                _ => {}
            }
            let pods = view.pods.get("default");
            relisted
                && view.connection == ALL_KINDS
                && pods.and_then(|p| p.get("gamma")).is_some()
                && pods
                    .and_then(|p| p.get("beta"))
                    .is_some_and(|p| p.restarts == 3)
        })
        .await;
    for namespace in ["default", "istio-system"] {
        let pods = names(Api::<Pod>::namespaced(client.clone(), namespace)).await;
        assert_eq!(row_names(&tables.view.pods, namespace), pods);
        let services = names(Api::<Service>::namespaced(client.clone(), namespace)).await;
        assert_eq!(row_names(&tables.view.services, namespace), services);
    }
    assert_eq!(tables.view.pods["default"].len(), 3);
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_converge_after_the_api_server_restarts() {
    let (mut sim, client) = demo_cluster().await;
    // Reached directly, the watchers may find the port closed for a moment and retry; the
    // status bar then shows the retry, never "connecting" again, and ends connected.
    let states = restart_and_converge(&mut sim, client).await;
    assert!(
        states
            .iter()
            .all(|s| *s == ALL_KINDS || matches!(s, ConnectionState::Reconnecting { .. })),
        "{states:?}"
    );
    assert!(states.last().is_none_or(|s| *s == ALL_KINDS), "{states:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_resource_version_after_a_restart_is_a_silent_relist() {
    let (mut sim, _) = demo_cluster().await;
    // Behind a stable endpoint whose watches end cleanly, as a gracefully restarting API server
    // behind a load balancer: the watches resume from their last resourceVersion and get 410.
    let client = proxied_client(&sim, false).await;
    let states = restart_and_converge(&mut sim, client).await;
    assert_eq!(states, [], "a 410 must re-list without reporting a retry");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_list_is_reported_and_retried_until_allowed() {
    let (sim, client) = demo_cluster().await;
    let store = sim.store();
    store.put(running_pod("default", "alpha", 0)).unwrap();
    store.set_forbidden("list", "pods", "default");
    let mut tables = Tables::start(client, "default");
    let refused = ConnectionState::Forbidden {
        verb: "list".into(),
        resource: "pods".into(),
        namespace: "default".into(),
    };
    tables
        .wait_until("the refusal", |view| view.connection == refused)
        .await;
    assert!(row_names(&tables.view.pods, "default").is_empty());

    store.clear_forbidden();
    tables
        .wait_until("recovery with the pod listed", |view| {
            view.connection == ALL_KINDS && !row_names(&view.pods, "default").is_empty()
        })
        .await;
    assert_eq!(
        row_names(&tables.view.pods, "default"),
        BTreeSet::from(["alpha".to_string()])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_istio_crds_pods_are_still_watched() {
    let (sim, _) = cluster(Scenario::empty()).await;
    let client = proxied_client(&sim, true).await;
    let mut tables = Tables::start(client, "default");
    tables
        .wait_until("Istio reported missing", |view| {
            view.connection == ConnectionState::IstioNotInstalled
        })
        .await;
    sim.store().put(running_pod("default", "alpha", 0)).unwrap();
    tables
        .wait_until("the pod row", |view| {
            view.pods
                .get("default")
                .is_some_and(|p| p.contains_key("alpha"))
        })
        .await;
    assert_eq!(tables.view.connection, ConnectionState::IstioNotInstalled);
    assert!(tables.view.mesh.values().all(BTreeMap::is_empty));
}

#[tokio::test(flavor = "multi_thread")]
async fn virtual_service_changes_arrive_as_applied_objects() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    let weights_in = |event: &ClusterEvent| match event {
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(object),
        } if object.name_any() == "reviews" => VirtualServiceView::from_object(object)
            .route_to("reviews")
            .map(HttpRouteView::effective_weights),
        _ => None,
    };

    apply_manifest(&client, REVIEWS_80_20, "default").await;
    tables
        .wait_event("the 80/20 split", |_, event| {
            weights_in(event) == Some(vec![80, 20])
        })
        .await;

    let even_split = json!({"spec": {"http": [{"route": [
        {"destination": {"host": "reviews", "subset": "v1"}, "weight": 50},
        {"destination": {"host": "reviews", "subset": "v2"}, "weight": 50}]}]}});
    let resource = tables.view.mesh[&MeshKind::VirtualService]["reviews"]
        .types
        .clone()
        .unwrap();
    let gvk = GroupVersionKind::try_from(&resource).unwrap();
    let (resource, _) = kube::discovery::pinned_kind(&client, &gvk).await.unwrap();
    Api::<DynamicObject>::namespaced_with(client, "default", &resource)
        .patch(
            "reviews",
            &PatchParams::default(),
            &Patch::Merge(even_split),
        )
        .await
        .unwrap();
    tables
        .wait_event("the 50/50 split", |_, event| {
            weights_in(event) == Some(vec![50, 50])
        })
        .await;
    assert_eq!(tables.view.mesh[&MeshKind::VirtualService].len(), 1);
}

/// A client reaching the demo cluster through a loopback proxy that retries until the server
/// answers, ends watches cleanly when the server goes away, and, with `hide_istio`, answers as
/// a cluster without Istio's CRDs.
async fn proxied_client(sim: &SimHandle, hide_istio: bool) -> Client {
    let upstream = sim.addr();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service_fn(move |request| forward(upstream, hide_istio, request));
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    let mut config = sim.kube_config();
    config.cluster_url = format!("http://{address}").parse().unwrap();
    client_from_config(config).unwrap()
}

type ProxyBody = BoxBody<Bytes, hyper::Error>;

fn full_body(bytes: impl Into<Bytes>) -> ProxyBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

async fn forward(
    upstream: SocketAddr,
    hide_istio: bool,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, hyper::Error> {
    const ISTIO: &str = "networking.istio.io";
    let path = request.uri().path().trim_end_matches('/').to_string();
    if hide_istio && path.starts_with(&format!("/apis/{ISTIO}")) {
        let mut response = Response::new(full_body("404 page not found\n"));
        *response.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(response);
    }
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let response = loop {
        let mut replay = Request::new(Full::new(body.clone()));
        *replay.method_mut() = parts.method.clone();
        *replay.uri_mut() = parts.uri.clone();
        *replay.headers_mut() = parts.headers.clone();
        if let Ok(response) = send_once(upstream, replay).await {
            break response;
        }
        // The server is restarting; the bounded waits of the tests cap how long this goes on.
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    if !(hide_istio && path == "/apis") {
        return Ok(response.map(|body| EndCleanly(body).boxed()));
    }
    let (mut parts, body) = response.into_parts();
    let mut groups: Value = serde_json::from_slice(&body.collect().await?.to_bytes()).unwrap();
    // The plain group list names groups in `groups`, the aggregated one in `items`.
    for list in ["groups", "items"] {
        if let Some(entries) = groups[list].as_array_mut() {
            entries.retain(|g| g["name"] != ISTIO && g["metadata"]["name"] != ISTIO);
        }
    }
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    let body = full_body(serde_json::to_vec(&groups).unwrap());
    Ok(Response::from_parts(parts, body))
}

async fn send_once(
    upstream: SocketAddr,
    request: Request<Full<Bytes>>,
) -> Result<Response<Incoming>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(upstream).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender.send_request(request).await?)
}

/// A response body that ends where the upstream connection broke off, as an API server's
/// graceful shutdown ends its watch streams.
struct EndCleanly(Incoming);

impl hyper::body::Body for EndCleanly {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        match Pin::new(&mut self.get_mut().0).poll_frame(cx) {
            Poll::Ready(Some(Err(_))) => Poll::Ready(None),
            other => other,
        }
    }
}
