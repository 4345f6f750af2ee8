//! `istioctl install --set profile=demo -y` and `istioctl uninstall -y --purge`: the demo
//! profile's objects are applied to, or removed from, istio-system, with istioctl's lines.

use std::io::Write;

use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, DeleteParams, DynamicObject, GroupVersionKind};
use kube::{Client, discovery};
use serde_json::Value;

use super::args::{InstallArgs, UninstallArgs};
use super::manifest::{check_profile, demo_profile, manifest_yaml};
use super::{StandInError, exit};
use crate::features::cluster::apply::apply_manifest;

const NAMESPACE: &str = "istio-system";
const GATEWAY_SERVICE: &str = "istio-ingressgateway";

/// What each install line stands for: the objects whose names contain the component's name.
const COMPONENTS: &[(&str, &str)] = &[
    ("Istio core installed ⛵️", ""),
    ("Istiod installed 🧠", "istiod"),
    ("Egress gateways installed 🛫", "egressgateway"),
    ("Ingress gateways installed 🛬", "ingressgateway"),
];

pub async fn install(
    client: &Client,
    args: &InstallArgs,
    out: &mut dyn Write,
) -> Result<u8, StandInError> {
    check_profile(&args.set)?;
    if !args.yes {
        // istioctl would ask "Proceed? (y/N)"; the guide always passes -y, and the stand-in
        // does not read the terminal.
        return Err(StandInError::Usage(
            "the istio-lab demo stand-in needs -y (istioctl install --set profile=demo -y)".into(),
        ));
    }
    let namespace = serde_json::json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": NAMESPACE},
    });
    apply(client, &[namespace]).await?;
    let mut objects = demo_profile();
    keep_gateway_port(client, &mut objects).await;
    for (line, part) in COMPONENTS {
        let of_part: Vec<Value> = objects
            .iter()
            .filter(|o| component_of(o) == *part)
            .cloned()
            .collect();
        apply(client, &of_part).await?;
        let _ = writeln!(out, "✔ {line}");
    }
    let _ = writeln!(out, "✔ Installation complete");
    Ok(exit::OK)
}

/// The demo cluster writes the port its gateway really listens on into the ingress gateway
/// Service's `http2` port (80 only where it may bind 80). Installing again must not move it
/// back to 80: the learner's GATEWAY_URL would point nowhere, and without force the apply
/// would be refused as a conflict with the field's owner. So the live port is kept.
async fn keep_gateway_port(client: &Client, objects: &mut [Value]) {
    let services: Api<Service> = Api::namespaced(client.clone(), NAMESPACE);
    // Not there yet (a first install after an uninstall): the profile's 80 stands.
    let Ok(Some(live)) = services.get_opt(GATEWAY_SERVICE).await else {
        return;
    };
    let port = live
        .spec
        .and_then(|spec| spec.ports)
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.name.as_deref() == Some("http2"))
        .map(|p| p.port);
    let Some(port) = port else {
        return;
    };
    for object in objects
        .iter_mut()
        .filter(|o| o["kind"] == "Service" && o["metadata"]["name"] == GATEWAY_SERVICE)
    {
        if let Some(ports) = object
            .pointer_mut("/spec/ports")
            .and_then(Value::as_array_mut)
        {
            for p in ports.iter_mut().filter(|p| p["name"] == "http2") {
                p["port"] = Value::from(port);
            }
        }
    }
}

/// The component an object belongs to: the first of istiod/egress/ingress its name contains,
/// else core.
fn component_of(object: &Value) -> &'static str {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    COMPONENTS
        .iter()
        .map(|(_, part)| *part)
        .find(|part| !part.is_empty() && name.contains(part))
        .unwrap_or("")
}

async fn apply(client: &Client, objects: &[Value]) -> Result<(), StandInError> {
    if objects.is_empty() {
        return Ok(());
    }
    apply_manifest(client, NAMESPACE, &manifest_yaml(objects))
        .await
        .map_err(|e| StandInError::Cluster(e.message))
}

pub async fn uninstall(
    client: &Client,
    args: &UninstallArgs,
    out: &mut dyn Write,
) -> Result<u8, StandInError> {
    if !args.yes {
        return Err(StandInError::Usage(
            "the istio-lab demo stand-in needs -y (istioctl uninstall -y --purge)".into(),
        ));
    }
    let _ = writeln!(out, "All Istio resources will be pruned from the cluster");
    for object in demo_profile().iter().rev() {
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        if delete(client, object).await? {
            let _ = writeln!(out, "  Removed {kind}:{NAMESPACE}:{name}.");
        }
    }
    let _ = writeln!(out, "✔ Uninstall complete");
    Ok(exit::OK)
}

/// Deletes one object; `false` when it was already gone.
async fn delete(client: &Client, object: &Value) -> Result<bool, StandInError> {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let kind = object["kind"].as_str().unwrap_or_default();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let (resource, _) = discovery::pinned_kind(client, &gvk)
        .await
        .map_err(|e| StandInError::Cluster(e.to_string()))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), NAMESPACE, &resource);
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(StandInError::Cluster(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_belongs_to_one_install_line() {
        let parts: Vec<&str> = demo_profile().iter().map(component_of).collect();
        for (_, part) in COMPONENTS.iter().skip(1) {
            assert!(parts.contains(part), "no object for {part}: {parts:?}");
        }
    }
}
