//! The embedded demo cluster: a Kubernetes API subset served on loopback.
//!
//! `start` serves the API over HTTPS (HTTP/1.1) on 127.0.0.1 with a CA, a serving certificate
//! and a bearer token made anew for every run (`tls`, `SimHandle::token`), as kind and k3d
//! do: client-go sends a bearer token only over TLS. The app reaches it through an ordinary
//! kube-rs client built from `SimHandle::kube_config`, which trusts that CA and nothing
//! else, and `istio-lab sim` (`standalone`) writes the same into a private kubeconfig file
//! for kubectl.
//! It behaves like kube-apiserver v1.36 for what the app uses (recorded behaviour in
//! `tests/fixtures/k8s`): one global resourceVersion, lists with paging and selectors,
//! watches with bookmarks and 410 expiry, streaming lists (or their refusal, as servers without
//! them answer: `set_streaming_lists`), server-side apply with `managedFields` and
//! conflicts, merge/JSON/strategic patches, and the apiserver's Status bodies.
//!
//! Served: core v1 pods, services, serviceaccounts, namespaces, configmaps, secrets,
//! endpoints and events; apps/v1 deployments and replicasets; discovery.k8s.io/v1
//! endpointslices; networking.istio.io v1/v1beta1/v1alpha3 virtualservices,
//! destinationrules and gateways (one stored object, three versions). Controllers
//! (`controller`, `lifecycle`) turn Deployments into numbered ReplicaSets and pods, inject
//! sidecars where the namespace has `istio-injection=enabled`, move pods through their
//! start-up stages at a pace scaled by `SimOptions::speed`, keep each Service's Endpoints and
//! EndpointSlice up to date, publish `kube-root-ca.crt` in every namespace, empty and remove
//! deleted namespaces, and record the scheduler's, kubelet's and controllers' Events
//! (`events`). `istio-lab sim` writes the guide's `istio-<version>/samples` tree (`samples`).
//!
//! It refuses what kube-apiserver refuses, in its words: bodies in unknown media types or
//! over 3 MiB, objects of another kind, names that break the kind's DNS rule, namespaces
//! that differ from the URL or do not exist, stale resourceVersions in patches, malformed
//! label selectors, new content in a namespace being deleted, and writes by the read-only
//! viewer (`SimHandle::viewer_token`).
//!
//! Beside the API, the `istio-ingressgateway` listens on a real port (`gateway`; 80 where
//! allowed) and serves Bookinfo as the mesh objects route it; the workloads keep logs for
//! `kubectl logs` (`telemetry`, `logs`), and the service proxy reaches Bookinfo and Kiali.
//!
//! For tests, `SimHandle` keeps a log of the requests clients sent (`requests`), can drop
//! every open connection while serving on (`drop_connections`), and can restart the server
//! as an apiserver restarts (`restart`).
//!
//! Pods' `exec` and `portforward` are served over WebSocket as the kubelet serves them
//! (`exec`, `portforward`, `websocket`): a small command interpreter (`curl` into the mesh,
//! `hostname`, `env`, `sh`'s prompt...) and the pods' HTTP servers; SPDY is refused, so
//! `kubectl port-forward` fails cleanly (the app forwards through kube-rs instead). `hooks`
//! tells an access-log recorder of each request a pod answered and serves Kiali's port.
//! Gets, lists and watches answer kubectl's `as=Table` requests (`table`).

mod alloc;
mod apply;
mod body;
pub mod bookinfo;
mod bookinfo_api;
mod bookinfo_book;
mod checks;
mod controller;
mod defaults;
mod direct;
pub mod envoy_log;
mod error;
mod events;
mod exec;
mod fieldset;
mod gateway;
mod gateway_route;
mod handle;
mod handlers;
mod http;
pub mod kiali;
mod kubeconfig;
mod labels;
mod last_applied;
mod lifecycle;
mod logs;
mod logs_app;
mod meta;
mod names;
mod openapi;
mod openapi_fields;
mod openapi_schema;
mod patch;
mod portforward;
pub mod productpage;
mod productpage_html;
mod protobuf;
mod proxy;
mod requests;
mod resources;
mod room;
mod samples;
mod scale;
mod scenario;
mod select;
mod server;
mod standalone;
mod status;
mod store;
mod strategic;
mod table;
pub mod telemetry;
mod tls;
mod tokens;
mod validate;
mod watch;
mod watch_list;
mod websocket;
mod wiring;
mod writes;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use error::SimError;
pub use exec::hooks::{AccessLog, Hooks, HttpAnswer, KialiServe, PodRequest};
pub use kubeconfig::CONTEXT_NAME;
pub use requests::{REQUEST_LOG_LIMIT, RequestRecord};
pub use samples::{FILES as SAMPLE_FILES, ISTIO_VERSION, write_samples};
pub use scenario::{Scenario, SidecarMode};
pub use standalone::{Standalone, Stopped, run_standalone};
pub use status::ApiError;
pub use store::{SimStore, StreamingLists};
pub use tls::{Listen, check_name as check_tls_name};

use http::Shared;
use requests::RequestLog;
use scenario::ControllerSettings;
use server::Connections;
use tls::Tls;
use tokens::Tokens;

#[derive(Debug, Clone)]
pub struct SimOptions {
    /// 0 lets the OS choose.
    pub port: u16,
    /// 1.0 is normal pace; lifecycle delays are divided by it.
    pub speed: f64,
    pub scenario: Scenario,
}

pub struct SimHandle {
    store: SimStore,
    speed: f64,
    tokens: Tokens,
    tls: Arc<Tls>,
    listen: IpAddr,
    server: Serving,
    requests: Arc<RequestLog>,
    hooks: Arc<Hooks>,
    telemetry: Arc<telemetry::Telemetry>,
    /// The ingress gateway's address (`gateway`); it outlives API server restarts.
    gateway: SocketAddr,
    controllers_cancel: CancellationToken,
}

/// One run of the HTTP server; a restart replaces it.
struct Serving {
    addr: SocketAddr,
    cancel: CancellationToken,
    connections: Arc<Connections>,
    task: JoinHandle<()>,
}

/// Loads the scenario, starts the controllers and serves the API on 127.0.0.1.
pub async fn start(options: SimOptions) -> Result<SimHandle, SimError> {
    start_on(options, &Listen::default()).await
}

/// `start`, listening where `listen` says, with a certificate for its names too.
pub async fn start_on(options: SimOptions, listen: &Listen) -> Result<SimHandle, SimError> {
    start_with_gateway(options, listen, None).await
}

/// `start_on`, with the ingress gateway on `gateway_port` (None: 80 where allowed, else a
/// free port; 0: a free port).
pub async fn start_with_gateway(
    options: SimOptions,
    listen: &Listen,
    gateway_port: Option<u16>,
) -> Result<SimHandle, SimError> {
    let speed = if options.speed.is_finite() && options.speed > 0.0 {
        options.speed
    } else {
        1.0
    };
    let store = SimStore::new();
    options.scenario.load(&store)?;
    let mut tokens = Tokens::generate().map_err(SimError::Token)?;
    tokens
        .add_room(options.scenario.room())
        .map_err(SimError::Token)?;
    let tls = Arc::new(Tls::generate(listen)?);
    let controllers_cancel = CancellationToken::new();
    let settings = ControllerSettings {
        root_ca: tls.ca_pem().to_string(),
        ..options.scenario.settings()
    };
    controller::start(store.clone(), settings, speed, controllers_cancel.clone());
    let requests = Arc::new(RequestLog::default());
    let hooks = Arc::new(Hooks::default());
    let telemetry = Arc::new(telemetry::Telemetry::default());
    wiring::connect(&hooks, &telemetry);
    let server = serve_on(
        &store,
        SocketAddr::new(listen.addr, options.port),
        speed,
        &controllers_cancel,
        (&requests, &hooks, &telemetry),
        &tokens,
        &tls,
    )
    .await
    // A cluster that cannot serve stops its controllers too.
    .inspect_err(|_| controllers_cancel.cancel())?;
    let gateway = gateway::open(
        listen,
        gateway_port,
        &store,
        &telemetry,
        &controllers_cancel,
    )
    .await
    .inspect_err(|_| controllers_cancel.cancel())?;
    Ok(SimHandle {
        store,
        speed,
        tokens,
        tls,
        listen: listen.addr,
        server,
        requests,
        hooks,
        telemetry,
        gateway,
        controllers_cancel,
    })
}

async fn serve_on(
    store: &SimStore,
    addr: SocketAddr,
    speed: f64,
    lifetime: &CancellationToken,
    // What outlives restarts: the request log, the exec hooks, and the workloads' logs and
    // traffic counts.
    (requests, hooks, telemetry): (&Arc<RequestLog>, &Arc<Hooks>, &Arc<telemetry::Telemetry>),
    tokens: &Tokens,
    tls: &Arc<Tls>,
) -> Result<Serving, SimError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    let cancel = lifetime.child_token();
    let shared = Arc::new(Shared {
        store: store.clone(),
        speed,
        cancel: cancel.clone(),
        lifetime: lifetime.clone(),
        requests: requests.clone(),
        tokens: tokens.clone(),
        hooks: hooks.clone(),
        telemetry: telemetry.clone(),
    });
    let connections = Arc::new(Connections::new(&cancel));
    let task = tokio::spawn(server::serve(
        listener,
        tls.clone(),
        shared,
        connections.clone(),
    ));
    Ok(Serving {
        addr,
        cancel,
        connections,
        task,
    })
}
