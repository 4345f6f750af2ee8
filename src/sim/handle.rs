//! What a running demo cluster offers its owner: addresses, credentials and kubeconfigs,
//! the request log, faults for tests, restart and shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use super::tls::reachable;
use super::{
    Hooks, RequestRecord, SimError, SimHandle, SimStore, StreamingLists, kubeconfig, serve_on,
};

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

    /// The kubeconfig of a workshop room's user (`instructor`, `learner-07`…): their token,
    /// and their lab namespace (the instructor's is `default`). `None` for anyone else.
    pub fn room_kubeconfig(&self, user: &str) -> Option<String> {
        let token = self.tokens.room_token(user)?;
        let namespace = super::room::learner_namespace(user).unwrap_or("default");
        Some(kubeconfig::render_as(
            &self.server_url(),
            self.tls.ca_pem(),
            token,
            user,
            namespace,
        ))
    }

    /// The room's users, the instructor first.
    pub fn room_users(&self) -> Vec<&'static str> {
        self.tokens.room.iter().map(|(_, user)| *user).collect()
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

    /// The access-log recorder and Kiali server of pods' HTTP answers (exec's curl, forwards).
    pub fn hooks(&self) -> Arc<Hooks> {
        self.hooks.clone()
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
            (&self.requests, &self.hooks, &self.telemetry),
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
