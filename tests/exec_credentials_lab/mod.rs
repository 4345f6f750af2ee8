//! A lab for the exec credential tests: the demo cluster, a kubeconfig whose user logs in
//! through tests/fixtures/exec/credential.sh (driven by the kubeconfig's `env`), what the
//! plugin recorded, and a log capture.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use base64::Engine;
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions};
use k8s_openapi::api::core::v1::Pod;
use kube::api::ObjectList;

pub const PLUGIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exec/credential.sh"
);

pub struct Lab {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

/// The demo cluster and a kubeconfig for it whose user's exec plugin has `mode` as its
/// interactiveMode and `env` besides the token the cluster accepts and the record folder.
pub async fn lab(mode: &str, env: &[(&str, &str)]) -> Lab {
    let scenario = Scenario::demo().expect("the demo scenario");
    let sim = sim::start(SimOptions {
        port: 0,
        speed: 1.0,
        scenario,
    })
    .await
    .expect("the demo cluster starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let record = dir.path().display().to_string();
    let token = sim.token().to_string();
    let mut entries = vec![
        ("EXEC_TEST_DIR", record.as_str()),
        ("EXEC_TEST_TOKEN", token.as_str()),
    ];
    entries.extend_from_slice(env);
    let env_yaml: String = entries
        .iter()
        .map(|(name, value)| format!("      - name: {name}\n        value: {}\n", quoted(value)))
        .collect();
    let yaml = format!(
        "apiVersion: v1\nkind: Config\n\
         clusters:\n- name: lab\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\n\
         users:\n- name: learner\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      \
         command: {PLUGIN}\n      interactiveMode: {mode}\n      env:\n{env_yaml}\
         contexts:\n- name: lab\n  context:\n    cluster: lab\n    user: learner\n    namespace: default\n\
         current-context: lab\n",
        server = sim.server_url(),
        ca = base64::engine::general_purpose::STANDARD.encode(sim.ca_pem()),
    );
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, yaml).expect("kubeconfig");
    Lab {
        sim,
        dir,
        kubeconfig,
    }
}

fn quoted(value: &str) -> String {
    serde_json::to_string(value).expect("a string serializes")
}

impl Lab {
    /// One line per plugin run: `interactive=true|false`, as it was told.
    pub fn runs(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.path().join("runs")).unwrap_or_default();
        text.lines().map(str::to_string).collect()
    }
}

pub async fn list_pods(client: &kube::Client) -> Result<ObjectList<Pod>, kube::Error> {
    kube::Api::<Pod>::namespaced(client.clone(), "default")
        .list(&Default::default())
        .await
}

pub fn api_code(error: &kube::Error) -> Option<u16> {
    match error {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// Everything logged on this thread while the guard lives.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log lock")).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn log_capture() -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}
