//! `istioctl version`: the client's version, the control plane's and the data plane's, as
//! istioctl prints them, plus one line saying this is the demo's stand-in.

use std::io::Write;

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};

use super::{StandInError, VERSION};

pub async fn run(client: Option<Client>, out: &mut dyn Write) -> Result<u8, StandInError> {
    let _ = writeln!(out, "client version: {VERSION}");
    if let Some(client) = client {
        server_versions(client, out).await;
    }
    let _ = writeln!(
        out,
        "(istio-lab 데모 클러스터의 istioctl 대역입니다: install, analyze, dashboard kiali, uninstall, manifest generate, version만 합니다)"
    );
    Ok(super::exit::OK)
}

async fn server_versions(client: Client, out: &mut dyn Write) {
    let control = Api::<Pod>::namespaced(client.clone(), "istio-system")
        .list(&ListParams::default().labels("app=istiod"))
        .await;
    match control {
        Ok(list) if !list.items.is_empty() => {
            let _ = writeln!(out, "control plane version: {VERSION}");
        }
        Ok(_) => {
            let _ = writeln!(out, "control plane version: none (istiod is not running)");
            return;
        }
        Err(_) => return,
    }
    let proxies = Api::<Pod>::all(client)
        .list(&ListParams::default())
        .await
        .map(|list| list.items.iter().filter(|p| has_proxy(p)).count())
        .unwrap_or(0);
    let _ = writeln!(out, "data plane version: {VERSION} ({proxies} proxies)");
}

/// A pod with Istio's proxy: an `istio-proxy` container or native sidecar, or a gateway's.
fn has_proxy(pod: &Pod) -> bool {
    let Some(spec) = &pod.spec else { return false };
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .any(|c| c.name == "istio-proxy")
}
