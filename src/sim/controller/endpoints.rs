//! The endpoints and EndpointSlice controllers: every Service with a selector gets an
//! Endpoints object and one IPv4 EndpointSlice listing the pods it selects that have an IP,
//! ready ones as addresses and the rest as not ready, kept up to date as pods come and go.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{MANAGER, name_of, namespace_of, terminating, uid_of};
use crate::sim::apply::record_update;
use crate::sim::meta::now_timestamp;
use crate::sim::resources::{ENDPOINTS, ENDPOINTSLICES, PODS, SERVICES};
use crate::sim::store::{SimStore, Write};

const SLICE_MANAGER_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// Brings the Endpoints and EndpointSlices of every Service in `namespace` up to date, and
/// removes those whose Service is gone.
pub fn sync_namespace(store: &SimStore, namespace: &str) {
    let (services, _) = store.list(SERVICES, Some(namespace));
    let (endpoints, _) = store.list(ENDPOINTS, Some(namespace));
    let (slices, _) = store.list(ENDPOINTSLICES, Some(namespace));
    let selected: Vec<&Value> = services
        .iter()
        .filter(|s| s["spec"]["selector"].is_object() && !terminating(s))
        .collect();
    let names: BTreeSet<&str> = selected.iter().map(|s| name_of(s)).collect();
    for ep in &endpoints {
        let managed =
            ep["metadata"]["labels"]["endpoints.kubernetes.io/managed-by"] == "endpoint-controller";
        if managed && !names.contains(name_of(ep)) {
            let _ = store.delete_now(ENDPOINTS, namespace, name_of(ep));
        }
    }
    for slice in &slices {
        let owner = slice["metadata"]["labels"][SERVICE_NAME_LABEL]
            .as_str()
            .unwrap_or_default();
        let managed =
            slice["metadata"]["labels"][SLICE_MANAGER_LABEL] == "endpointslice-controller.k8s.io";
        if managed && !names.contains(owner) {
            let _ = store.delete_now(ENDPOINTSLICES, namespace, name_of(slice));
        }
    }
    if selected.is_empty() {
        return;
    }
    let (pods, _) = store.list(PODS, Some(namespace));
    for service in selected {
        let members: Vec<&Value> = pods
            .iter()
            .filter(|p| selects(&service["spec"]["selector"], p) && !terminating(p))
            .filter(|p| p["status"]["podIP"].is_string())
            .collect();
        write_endpoints(store, service, &members);
        let slice = slices
            .iter()
            .find(|s| s["metadata"]["labels"][SERVICE_NAME_LABEL] == name_of(service));
        write_slice(store, service, &members, slice);
    }
}

fn selects(selector: &Value, pod: &Value) -> bool {
    let Some(wanted) = selector.as_object() else {
        return false;
    };
    !wanted.is_empty()
        && wanted
            .iter()
            .all(|(key, value)| pod["metadata"]["labels"][key] == *value)
}

pub fn pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// A Service port's target on `pod`: a number, or a named container port.
fn target_port(port: &Value, pod: Option<&Value>) -> Value {
    match &port["targetPort"] {
        Value::Number(n) => json!(n),
        Value::String(name) => pod
            .and_then(|pod| {
                pod["spec"]["containers"]
                    .as_array()?
                    .iter()
                    .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
                    .find(|p| p["name"] == name.as_str())
                    .map(|p| p["containerPort"].clone())
            })
            .unwrap_or_else(|| port["port"].clone()),
        _ => port["port"].clone(),
    }
}

fn ports(service: &Value, first: Option<&Value>) -> Vec<Value> {
    service["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let mut port = json!({"port": target_port(p, first),
                "protocol": p["protocol"].as_str().unwrap_or("TCP")});
            if let Some(name) = p["name"].as_str() {
                port["name"] = json!(name);
            }
            port
        })
        .collect()
}

fn target_ref(pod: &Value) -> Value {
    json!({"kind": "Pod", "namespace": namespace_of(pod), "name": name_of(pod), "uid": uid_of(pod)})
}

fn labels_with(service: &Value, extra: &[(&str, &str)]) -> Value {
    let mut labels = service["metadata"]["labels"].clone();
    if !labels.is_object() {
        labels = json!({});
    }
    for (key, value) in extra {
        labels[*key] = json!(value);
    }
    labels
}

fn write_endpoints(store: &SimStore, service: &Value, members: &[&Value]) {
    let address = |pod: &&Value| json!({"ip": pod["status"]["podIP"], "nodeName": pod["spec"]["nodeName"], "targetRef": target_ref(pod)});
    let ready: Vec<Value> = members
        .iter()
        .filter(|p| pod_ready(p))
        .map(address)
        .collect();
    let not_ready: Vec<Value> = members
        .iter()
        .filter(|p| !pod_ready(p))
        .map(address)
        .collect();
    let mut subset = json!({"ports": ports(service, members.first().copied())});
    if !ready.is_empty() {
        subset["addresses"] = json!(ready);
    }
    if !not_ready.is_empty() {
        subset["notReadyAddresses"] = json!(not_ready);
    }
    let subsets = if members.is_empty() {
        None
    } else {
        Some(json!([subset]))
    };
    let (namespace, name) = (namespace_of(service), name_of(service));
    let labels = labels_with(
        service,
        &[("endpoints.kubernetes.io/managed-by", "endpoint-controller")],
    );
    let _ = store.transact(ENDPOINTS, namespace, name, |current| {
        if let Some(current) = current
            && current.get("subsets") == subsets.as_ref()
            && current["metadata"]["labels"] == labels
        {
            return Ok(Write::Keep);
        }
        let mut ep = current.cloned().unwrap_or_else(
            || json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": namespace}}),
        );
        ep["metadata"]["labels"] = labels.clone();
        ep["metadata"]["annotations"] =
            json!({"endpoints.kubernetes.io/last-change-trigger-time": now_timestamp()});
        match &subsets {
            Some(subsets) => ep["subsets"] = subsets.clone(),
            None => {
                if let Some(map) = ep.as_object_mut() {
                    map.remove("subsets");
                }
            }
        }
        record_update(current, &mut ep, MANAGER, None, "v1");
        Ok(match current {
            Some(_) => Write::Replace(ep),
            None => Write::Create(ep),
        })
    });
}

fn write_slice(store: &SimStore, service: &Value, members: &[&Value], existing: Option<&Value>) {
    let endpoints: Vec<Value> = members
        .iter()
        .map(|pod| {
            let ready = pod_ready(pod);
            json!({"addresses": [pod["status"]["podIP"]],
                "conditions": {"ready": ready, "serving": ready, "terminating": false},
                "nodeName": pod["spec"]["nodeName"], "targetRef": target_ref(pod)})
        })
        .collect();
    let ports = ports(service, members.first().copied());
    let labels = labels_with(
        service,
        &[
            (SLICE_MANAGER_LABEL, "endpointslice-controller.k8s.io"),
            (SERVICE_NAME_LABEL, name_of(service)),
        ],
    );
    let namespace = namespace_of(service);
    let name = match existing {
        Some(slice) => name_of(slice).to_string(),
        None => store.generated_name(ENDPOINTSLICES, namespace, &format!("{}-", name_of(service))),
    };
    let _ = store.transact(ENDPOINTSLICES, namespace, &name, |current| {
        if let Some(current) = current
            && current["endpoints"] == json!(endpoints)
            && current["ports"] == json!(ports)
            && current["metadata"]["labels"] == labels
        {
            return Ok(Write::Keep);
        }
        let mut slice = current.cloned().unwrap_or_else(|| {
            json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": name, "generateName": format!("{}-", name_of(service)),
                    "namespace": namespace,
                    "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name_of(service),
                        "uid": uid_of(service), "controller": true, "blockOwnerDeletion": true}]},
                "addressType": "IPv4"})
        });
        slice["metadata"]["labels"] = labels.clone();
        slice["endpoints"] = json!(endpoints);
        slice["ports"] = json!(ports);
        record_update(current, &mut slice, MANAGER, None, "discovery.k8s.io/v1");
        Ok(match current {
            Some(_) => Write::Replace(slice),
            None => Write::Create(slice),
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ip: &str, ready: bool) -> Value {
        json!({"metadata": {"name": name, "namespace": "ns", "uid": name, "labels": {"app": "web"}},
            "spec": {"nodeName": "n", "containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]},
            "status": {"podIP": ip, "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    #[test]
    fn services_list_the_ips_of_the_pods_they_select() {
        let store = SimStore::new();
        let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"}},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}});
        store
            .transact(SERVICES, "ns", "web", |_| Ok(Write::Create(service)))
            .unwrap();
        for (name, ip, ready) in [("a", "10.0.0.1", true), ("b", "10.0.0.2", false)] {
            let p = pod(name, ip, ready);
            store
                .transact(PODS, "ns", name, |_| Ok(Write::Create(p)))
                .unwrap();
        }
        sync_namespace(&store, "ns");
        let ep = store.get(ENDPOINTS, "ns", "web").unwrap();
        assert_eq!(ep["subsets"][0]["addresses"][0]["ip"], "10.0.0.1");
        assert_eq!(ep["subsets"][0]["notReadyAddresses"][0]["ip"], "10.0.0.2");
        assert_eq!(ep["subsets"][0]["ports"][0]["port"], 8080);
        let (slices, _) = store.list(ENDPOINTSLICES, Some("ns"));
        assert_eq!(slices.len(), 1);
        assert_eq!(slices[0]["endpoints"].as_array().unwrap().len(), 2);
        let rv = store.current_rv();
        sync_namespace(&store, "ns");
        assert_eq!(store.current_rv(), rv, "nothing changed, nothing written");
        store.delete_now(SERVICES, "ns", "web").unwrap();
        sync_namespace(&store, "ns");
        assert!(store.get(ENDPOINTS, "ns", "web").is_none());
        assert!(store.list(ENDPOINTSLICES, Some("ns")).0.is_empty());
    }
}
