//! Helpers for the tests of the demo cluster's ingress gateway, logs and Kiali: the guide's
//! cluster with a kubeconfig file for the real kubectl, plain HTTP requests to the gateway,
//! and running kubectl or a shell against the cluster.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use istio_lab::features::cluster::apply::apply_manifest;
use istio_lab::sim::SimHandle;
use kube::Client;

use super::harness::{NAMESPACE, guide_cluster};
use super::sim::{Reply, Tester, new_client};

pub const GATEWAY: &str = include_str!("../../assets/bookinfo/bookinfo-gateway.yaml");

/// The guide's cluster (Bookinfo, the reviews DestinationRule and 80/20 route), a client,
/// and a folder holding its kubeconfig (`kcfg`) and kubectl's cache.
pub struct Lab {
    /// The cluster, with a raw HTTPS client for requests whose exact answer matters.
    pub t: Tester,
    pub client: Client,
    pub dir: tempfile::TempDir,
}

impl Lab {
    pub async fn start() -> Lab {
        let sim = guide_cluster(50.0)
            .await
            .expect("the guide's cluster starts");
        let client = Client::try_from(sim.kube_config()).expect("a client for the sim");
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("kcfg"), sim.kubeconfig_yaml()).expect("kubeconfig written");
        let t = Tester {
            client: new_client(sim.ca_der()),
            sim,
        };
        Lab { t, client, dir }
    }

    pub fn sim(&self) -> &SimHandle {
        &self.t.sim
    }

    /// `GET path` on the API server as the admin, read whole (the kube client would retry 503s).
    pub async fn api_get(&self, path: &str) -> Reply {
        self.t
            .raw("GET", path, None, Vec::new(), self.t.sim.token())
            .await
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kcfg")
    }

    pub async fn apply(&self, manifest: &str) {
        self.apply_in(NAMESPACE, manifest).await;
    }

    pub async fn apply_in(&self, namespace: &str, manifest: &str) {
        apply_manifest(&self.client, namespace, manifest)
            .await
            .expect("the manifest applies");
    }

    /// Applies the guide's Gateway and VirtualService and waits until the gateway serves
    /// Bookinfo's page (its pods start at the sim's pace).
    pub async fn with_gateway(&self) {
        self.apply(GATEWAY).await;
        self.wait_for_page().await;
    }

    pub async fn wait_for_page(&self) {
        let store = self.sim().store();
        for _ in 0..500 {
            let pods = store.get_all_pods();
            let bookinfo = pods
                .iter()
                .filter(|p| p["metadata"]["namespace"] == NAMESPACE);
            if bookinfo.clone().count() >= 6
                && bookinfo.clone().all(|p| p["status"]["phase"] == "Running")
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for _ in 0..500 {
            let (status, _, body) = get(self.sim().gateway_addr(), "/productpage").await;
            if status == 200 && body.contains("Book Reviews") && !body.contains("Error fetching") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the gateway never served Bookinfo's page");
    }

    /// Runs the real kubectl on this cluster: exit code, stdout, stderr.
    pub async fn kubectl(&self, args: &[&str]) -> (i32, String, String) {
        let out = tokio::process::Command::new("kubectl")
            .args(args)
            .env("KUBECONFIG", self.kubeconfig())
            .env("HOME", self.dir.path())
            .output()
            .await
            .expect("kubectl runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `script` in `sh` with KUBECONFIG set: exit code, stdout, stderr.
    pub async fn sh(&self, script: &str) -> (i32, String, String) {
        let out = tokio::process::Command::new("sh")
            .args(["-c", script])
            .env("KUBECONFIG", self.kubeconfig())
            .env("HOME", self.dir.path())
            .output()
            .await
            .expect("sh runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// Whether `tool` is missing from PATH (the tests that need it then say so and stop).
pub fn missing(tool: &str) -> bool {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| Path::new(&dir).join(tool).is_file())
    });
    if !found {
        eprintln!("skipped: {tool} is not installed (not found on PATH)");
    }
    !found
}

/// `GET http://addr{path}`: status, headers as `name: value` lines, body.
pub async fn get(addr: SocketAddr, path: &str) -> (u16, Vec<String>, String) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<Bytes>>();
    let uri: http::Uri = format!("http://{addr}{path}").parse().expect("a valid URI");
    let response = client.get(uri).await.expect("the gateway answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or_default()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body arrives")
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// The reviews route of the guide's VirtualService with these weights.
pub fn reviews_route(weights: &[(&str, u32)]) -> String {
    let route: String = weights
        .iter()
        .map(|(subset, weight)| {
            format!("    - destination:\n        host: reviews\n        subset: {subset}\n      weight: {weight}\n")
        })
        .collect();
    format!(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts:\n  - reviews\n  http:\n  - route:\n{route}"
    )
}
