//! The embedded demo cluster: a Kubernetes API subset served on loopback.
//!
//! `start` serves the API over plain HTTP/1.1 on 127.0.0.1 with a bearer token made anew
//! for every run (`SimHandle::token`); the app reaches it through an ordinary kube-rs
//! client built from `SimHandle::kube_config`, and `istio-lab sim` writes it into a
//! private kubeconfig file.
//! It behaves like kube-apiserver v1.36 for what the app uses (recorded behaviour in
//! `tests/fixtures/k8s`): one global resourceVersion, lists with paging and selectors,
//! watches with bookmarks and 410 expiry, server-side apply with `managedFields` and
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
mod checks;
mod controller;
mod defaults;
mod direct;
mod fieldset;
mod handlers;
mod http;
mod kubeconfig;
mod labels;
mod lifecycle;
mod meta;
mod names;
mod patch;
pub mod productpage;
mod proxy;
mod requests;
mod resources;
mod scenario;
mod select;
mod server;
mod status;
mod store;
mod table;
mod tokens;
mod validate;
mod watch;
mod writes;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use kubeconfig::CONTEXT_NAME;
pub use requests::{REQUEST_LOG_LIMIT, RequestRecord};
pub use scenario::{Scenario, SidecarMode};
pub use status::ApiError;
pub use store::SimStore;

use http::Shared;
use requests::RequestLog;
use server::Connections;
use tokens::Tokens;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("invalid scenario: {0}")]
    Scenario(String),
    #[error("cannot write the kubeconfig to {path}: {source}")]
    Kubeconfig {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "kubeconfig 파일이 이미 있습니다: {path} — 그 안의 설정을 지우지 않도록 쓰지 않았습니다. 덮어쓰려면 --force를 붙이세요"
    )]
    KubeconfigExists { path: String },
    #[error("cannot make the demo cluster's tokens from /dev/urandom: {0}")]
    Token(std::io::Error),
    #[error("waiting for Ctrl-C failed: {0}")]
    Signal(std::io::Error),
}

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
    server: Serving,
    requests: Arc<RequestLog>,
    controllers_cancel: CancellationToken,
}

/// One run of the HTTP server; a restart replaces it.
struct Serving {
    addr: SocketAddr,
    cancel: CancellationToken,
    connections: Arc<Connections>,
    task: JoinHandle<()>,
}

/// Loads the scenario, starts the controllers and serves the API.
pub async fn start(options: SimOptions) -> Result<SimHandle, SimError> {
    let speed = if options.speed.is_finite() && options.speed > 0.0 {
        options.speed
    } else {
        1.0
    };
    let store = SimStore::new();
    options.scenario.load(&store)?;
    let controllers_cancel = CancellationToken::new();
    controller::start(
        store.clone(),
        options.scenario.settings(),
        speed,
        controllers_cancel.clone(),
    );
    let tokens = Tokens::generate().map_err(SimError::Token)?;
    let requests = Arc::new(RequestLog::default());
    let server = serve_on(
        &store,
        options.port,
        speed,
        &controllers_cancel,
        &requests,
        &tokens,
    )
    .await?;
    Ok(SimHandle {
        store,
        speed,
        tokens,
        server,
        requests,
        controllers_cancel,
    })
}

async fn serve_on(
    store: &SimStore,
    port: u16,
    speed: f64,
    lifetime: &CancellationToken,
    requests: &Arc<RequestLog>,
    tokens: &Tokens,
) -> Result<Serving, SimError> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| SimError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { port, source })?;
    let cancel = lifetime.child_token();
    let shared = Arc::new(Shared {
        store: store.clone(),
        speed,
        cancel: cancel.clone(),
        lifetime: lifetime.clone(),
        requests: requests.clone(),
        tokens: tokens.clone(),
    });
    let connections = Arc::new(Connections::new(&cancel));
    let task = tokio::spawn(server::serve(listener, shared, connections.clone()));
    Ok(Serving {
        addr,
        cancel,
        connections,
        task,
    })
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    pub fn server_url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// A kubeconfig for the demo cluster (context `istio-lab-demo`, namespace default),
    /// carrying this run's admin token.
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig::render(&self.server_url(), &self.tokens.admin)
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
            .unwrap_or_else(|_| ::http::Uri::from_static("http://127.0.0.1"));
        let mut config = kube::Config::new(uri);
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
            self.server.addr.port(),
            self.speed,
            &self.controllers_cancel,
            &self.requests,
            &self.tokens,
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

/// `istio-lab sim --port P --kubeconfig-out FILE [--force]`: serve the demo cluster until
/// Ctrl-C. An existing FILE is refused unless `force`, since it may be the user's own
/// kubeconfig; it is checked before the cluster starts and again, atomically, on writing.
pub async fn run_standalone(
    port: u16,
    kubeconfig_out: &Path,
    speed: f64,
    force: bool,
) -> Result<(), SimError> {
    if !force && std::fs::symlink_metadata(kubeconfig_out).is_ok() {
        return Err(SimError::KubeconfigExists {
            path: kubeconfig_out.display().to_string(),
        });
    }
    let scenario = Scenario::demo()?;
    let handle = start(SimOptions {
        port,
        speed,
        scenario,
    })
    .await?;
    if let Err(err) = kubeconfig::write(kubeconfig_out, &handle.kubeconfig_yaml(), force) {
        handle.shutdown().await;
        return Err(err);
    }
    tracing::info!(addr = %handle.addr(), kubeconfig = %kubeconfig_out.display(), "demo cluster serving");
    let signal = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    signal.map_err(SimError::Signal)
}
