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
//! Served: core v1 pods, services, serviceaccounts, namespaces; apps/v1 deployments and
//! replicasets; networking.istio.io v1/v1beta1/v1alpha3 virtualservices, destinationrules
//! and gateways (one stored object, three versions). Controllers (`controller`,
//! `lifecycle`) turn Deployments into ReplicaSets and pods, inject sidecars where the
//! namespace has `istio-injection=enabled`, and move pods through their start-up stages
//! at a pace scaled by `SimOptions::speed`.
//!
//! It refuses what kube-apiserver refuses, in its words: bodies in unknown media types or
//! over 3 MiB, objects of another kind, names that break the kind's DNS rule, namespaces
//! that differ from the URL or do not exist, stale resourceVersions in patches, malformed
//! label selectors, and writes by the read-only viewer (`SimHandle::viewer_token`).
//!
//! Beside the API, the `istio-ingressgateway` listens on a real port (`gateway`; 80 where
//! allowed) and serves Bookinfo as the mesh objects route it; the workloads keep logs for
//! `kubectl logs` (`telemetry`, `logs`), and the service proxy reaches Bookinfo and Kiali.
//!
//! For tests, `SimHandle` keeps a log of the requests clients sent (`requests`), can drop
//! every open connection while serving on (`drop_connections`), and can restart the server
//! as an apiserver restarts (`restart`).
//!
//! Not modelled: other resource types, OpenAPI documents, admission webhooks, namespace
//! deletion cascades, and `$patch` directives other than `delete` in strategic merge
//! patches. Gets, lists and watches answer kubectl's `as=Table` requests (`table`).

mod alloc;
mod apply;
mod body;
pub mod bookinfo;
mod bookinfo_api;
mod checks;
mod controller;
mod defaults;
mod direct;
pub mod envoy_log;
mod error;
mod fieldset;
mod gateway;
mod gateway_route;
mod handlers;
mod http;
pub mod kiali;
mod kubeconfig;
mod labels;
mod lifecycle;
mod logs;
mod logs_app;
mod meta;
mod names;
mod patch;
pub mod productpage;
mod productpage_html;
mod proxy;
mod requests;
mod resources;
mod scenario;
mod select;
mod server;
mod standalone;
mod status;
mod store;
mod table;
pub mod telemetry;
mod tls;
mod tokens;
mod validate;
mod watch;
mod watch_list;
mod writes;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use error::SimError;
pub use kubeconfig::CONTEXT_NAME;
pub use requests::{REQUEST_LOG_LIMIT, RequestRecord};
pub use scenario::{Scenario, SidecarMode};
pub use standalone::{Standalone, Stopped, run_standalone};
pub use status::ApiError;
pub use store::{SimStore, StreamingLists};
pub use tls::{Listen, check_name as check_tls_name};

use http::Shared;
use requests::RequestLog;
use server::Connections;
use tls::{Tls, reachable};
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
    let tokens = Tokens::generate().map_err(SimError::Token)?;
    let tls = Arc::new(Tls::generate(listen)?);
    let controllers_cancel = CancellationToken::new();
    controller::start(
        store.clone(),
        options.scenario.settings(),
        speed,
        controllers_cancel.clone(),
    );
    let requests = Arc::new(RequestLog::default());
    let telemetry = Arc::new(telemetry::Telemetry::default());
    let server = serve_on(
        &store,
        SocketAddr::new(listen.addr, options.port),
        speed,
        &controllers_cancel,
        (&requests, &telemetry),
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
    // What outlives restarts: the request log, and the workloads' logs and traffic counts.
    (requests, telemetry): (&Arc<RequestLog>, &Arc<telemetry::Telemetry>),
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

impl SimHandle {
    /// The address to connect to (on 0.0.0.0 or ::, loopback's).
    pub fn addr(&self) -> SocketAddr {
        reachable(self.server.addr)
    }

    /// The address the server listens on, as `Listen` asked with the port it got.
    pub fn listen_addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// `https://` and `addr`.
    pub fn server_url(&self) -> String {
        format!("https://{}", self.addr())
    }

    /// The run's CA certificate in PEM: the only one `kube_config` and the written
    /// kubeconfig trust.
    pub fn ca_pem(&self) -> &str {
        self.tls.ca_pem()
    }

    /// The same CA certificate in DER, for TLS clients of tests and tools.
    pub fn ca_der(&self) -> &[u8] {
        self.tls.ca_der()
    }

    /// The names and addresses the serving certificate is valid for.
    pub fn tls_names(&self) -> &[String] {
        self.tls.names()
    }

    /// A kubeconfig for the demo cluster (context `istio-lab-demo`, namespace default),
    /// carrying this run's CA and admin token.
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig::render(&self.server_url(), self.tls.ca_pem(), &self.tokens.admin)
    }

    /// The admin user's bearer token for this run: random, and nowhere but in memory and
    /// the kubeconfig this handle writes.
    pub fn token(&self) -> &str {
        &self.tokens.admin
    }

    /// The read-only viewer's bearer token for this run: it may get, list and watch, and
    /// every write it attempts is refused with RBAC's 403.
    pub fn viewer_token(&self) -> &str {
        &self.tokens.viewer
    }

    /// A client configuration ready for `kube::Client::try_from`.
    pub fn kube_config(&self) -> kube::Config {
        self.kube_config_with_token(&self.tokens.admin)
    }

    /// The same configuration authenticated with another bearer token (e.g. `viewer_token`).
    pub fn kube_config_with_token(&self, token: &str) -> kube::Config {
        let uri = self
            .server_url()
            .parse()
            .unwrap_or_else(|_| ::http::Uri::from_static("https://127.0.0.1"));
        let mut config = kube::Config::new(uri);
        // The run's CA alone: the certificate is verified as kubectl verifies it.
        config.root_cert = Some(vec![self.tls.ca_der().to_vec()]);
        config.default_namespace = "default".into();
        config.auth_info =
            serde_json::from_value(serde_json::json!({ "token": token })).unwrap_or_default();
        config
    }

    pub fn store(&self) -> SimStore {
        self.store.clone()
    }

    /// Stops the server and starts it again on the same port with the same data, as an
    /// apiserver restart does: open watches end and older resourceVersions expire.
    pub async fn restart(&mut self) -> Result<(), SimError> {
        self.server.cancel.cancel();
        // The task ends as soon as it sees the cancellation; a join error only means it panicked.
        let _ = (&mut self.server.task).await;
        self.store.forget_history();
        self.server = serve_on(
            &self.store,
            SocketAddr::new(self.listen, self.server.addr.port()),
            self.speed,
            &self.controllers_cancel,
            (&self.requests, &self.telemetry),
            &self.tokens,
            &self.tls,
        )
        .await?;
        Ok(())
    }

    /// Closes every open connection, watches included, as a network hiccup or a load
    /// balancer would, and goes on serving: the same listener, store and event history,
    /// so clients reconnect and resume from the resourceVersions they have. (`restart`
    /// instead ends the server and expires old resourceVersions.) The connections close
    /// as their tasks next run, right after this returns.
    pub fn drop_connections(&self) {
        self.server.connections.drop_all();
    }

    /// The requests clients sent, oldest first: the last `REQUEST_LOG_LIMIT` of them, across
    /// restarts. Unauthenticated and refused requests are included.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.requests.snapshot()
    }

    /// Forgets the logged requests, so a test can look at what comes after this point.
    pub fn clear_requests(&self) {
        self.requests.clear();
    }

    /// Makes watches answer streaming lists (`sendInitialEvents=true`) as `mode` says: served
    /// as kube-apiserver v1.36 serves them, or refused as a server without them refuses.
    pub fn set_streaming_lists(&self, mode: StreamingLists) {
        self.store.set_streaming_lists(mode);
    }

    pub async fn shutdown(mut self) {
        self.controllers_cancel.cancel();
        let _ = (&mut self.server.task).await;
    }
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.server.addr)
            .field("speed", &self.speed)
            .finish_non_exhaustive()
    }
}

impl Drop for SimHandle {
    /// A handle dropped without `shutdown` still stops the server and controllers.
    fn drop(&mut self) {
        self.controllers_cancel.cancel();
    }
}
