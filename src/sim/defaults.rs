//! Server-side defaulting: the fields the apiserver fills in on write (Service ClusterIPs
//! and nodePorts from the store's `Allocator`, pod and pod-template defaults, Deployment
//! strategy).

use serde_json::{Map, Value, json};

use super::alloc::Allocator;
use super::resources::{DEPLOYMENTS, PODS, REPLICASETS, SECRETS, SERVICES};

fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.entry(key.to_string()).or_insert(value);
}

/// Fills defaults on an object about to be stored through the main resource.
pub fn apply_defaults(resource: usize, obj: &mut Value, alloc: &Allocator) {
    match resource {
        SERVICES => service_defaults(obj, alloc),
        PODS => {
            if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
                pod_spec_defaults(spec, true);
            }
            let qos = qos_class(&obj["spec"]);
            if let Some(map) = obj.as_object_mut() {
                let status = map.entry("status").or_insert_with(|| json!({}));
                if let Some(status) = status.as_object_mut() {
                    set_default(status, "phase", json!("Pending"));
                    set_default(status, "qosClass", json!(qos));
                }
            }
        }
        DEPLOYMENTS | REPLICASETS => {
            let Some(map) = obj.as_object_mut() else {
                return;
            };
            let spec = map.entry("spec").or_insert_with(|| json!({}));
            if let Some(spec) = spec.as_object_mut() {
                set_default(spec, "replicas", json!(1));
                if resource == DEPLOYMENTS {
                    set_default(
                        spec,
                        "strategy",
                        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
                    );
                    set_default(spec, "revisionHistoryLimit", json!(10));
                    set_default(spec, "progressDeadlineSeconds", json!(600));
                }
                if let Some(template_spec) = spec
                    .get_mut("template")
                    .and_then(|t| t.get_mut("spec"))
                    .and_then(Value::as_object_mut)
                {
                    pod_spec_defaults(template_spec, false);
                }
            }
            set_default(map, "status", json!({}));
        }
        SECRETS => {
            if let Some(map) = obj.as_object_mut() {
                set_default(map, "type", json!("Opaque"));
            }
        }
        _ => {}
    }
}

/// Defaults a status write adds: LoadBalancer ingress entries get `ipMode: VIP`, container
/// statuses an empty `lastState`.
pub fn status_defaults(resource: usize, obj: &mut Value) {
    if resource == PODS {
        for list in ["containerStatuses", "initContainerStatuses"] {
            let statuses = obj
                .get_mut("status")
                .and_then(|s| s.get_mut(list))
                .and_then(Value::as_array_mut);
            for status in statuses
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                set_default(status, "lastState", json!({}));
            }
        }
        return;
    }
    if resource != SERVICES {
        return;
    }
    if let Some(ingress) = obj
        .pointer_mut("/status/loadBalancer/ingress")
        .and_then(Value::as_array_mut)
    {
        for entry in ingress.iter_mut().filter_map(Value::as_object_mut) {
            if entry.contains_key("ip") {
                set_default(entry, "ipMode", json!("VIP"));
            }
        }
    }
}

fn service_defaults(obj: &mut Value, alloc: &Allocator) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    let spec = map.entry("spec").or_insert_with(|| json!({}));
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    set_default(spec, "type", json!("ClusterIP"));
    let kind = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    let wants_node_ports = kind == "NodePort" || kind == "LoadBalancer";
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_default(port, "protocol", json!("TCP"));
            let number = port.get("port").cloned().unwrap_or(Value::Null);
            set_default(port, "targetPort", number);
            if wants_node_ports {
                set_default(port, "nodePort", json!(alloc.node_port()));
            }
        }
    }
    if kind != "ExternalName" {
        if !spec.contains_key("clusterIP") {
            spec.insert("clusterIP".into(), json!(alloc.cluster_ip()));
        }
        let ip = spec["clusterIP"].clone();
        set_default(spec, "clusterIPs", json!([ip]));
        set_default(spec, "ipFamilies", json!(["IPv4"]));
        set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
        set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    set_default(spec, "sessionAffinity", json!("None"));
    if wants_node_ports {
        set_default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if kind == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    set_default(map, "status", json!({"loadBalancer": {}}));
}

fn container_defaults(container: &mut Map<String, Value>) {
    if let Some(ports) = container.get_mut("ports").and_then(Value::as_array_mut) {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_default(port, "protocol", json!("TCP"));
        }
    }
    set_default(container, "resources", json!({}));
    set_default(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    set_default(container, "terminationMessagePolicy", json!("File"));
    let image = container
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tag = image.rsplit('/').next().unwrap_or_default();
    let policy = if !tag.contains(':') || tag.ends_with(":latest") {
        "Always"
    } else {
        "IfNotPresent"
    };
    set_default(container, "imagePullPolicy", json!(policy));
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        if let Some(probe) = container.get_mut(probe).and_then(Value::as_object_mut) {
            if let Some(http) = probe.get_mut("httpGet").and_then(Value::as_object_mut) {
                set_default(http, "scheme", json!("HTTP"));
            }
            set_default(probe, "timeoutSeconds", json!(1));
            set_default(probe, "periodSeconds", json!(10));
            set_default(probe, "successThreshold", json!(1));
            set_default(probe, "failureThreshold", json!(3));
        }
    }
}

fn pod_spec_defaults(spec: &mut Map<String, Value>, admitted_pod: bool) {
    for list in ["initContainers", "containers"] {
        if let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                container_defaults(container);
            }
        }
    }
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    if let Some(account) = spec.get("serviceAccountName").cloned() {
        set_default(spec, "serviceAccount", account);
    }
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    if admitted_pod {
        set_default(
            spec,
            "tolerations",
            json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ]),
        );
        set_default(spec, "priority", json!(0));
        set_default(spec, "enableServiceLinks", json!(true));
        set_default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    }
}

fn qos_class(spec: &Value) -> &'static str {
    let any_resources = ["containers", "initContainers"].iter().any(|list| {
        spec[*list]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["resources"].as_object().is_some_and(|r| !r.is_empty()))
    });
    if any_resources {
        "Burstable"
    } else {
        "BestEffort"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_balancer_services_get_ips_and_node_ports() {
        let alloc = Allocator::default();
        let mut svc = json!({"spec": {"type": "LoadBalancer", "ports": [{"name": "http2", "port": 80, "targetPort": 8080}, {"port": 443}]}});
        apply_defaults(SERVICES, &mut svc, &alloc);
        let ports = svc["spec"]["ports"].as_array().unwrap();
        assert!(
            ports
                .iter()
                .all(|p| (30000..=32767).contains(&p["nodePort"].as_u64().unwrap()))
        );
        assert_ne!(ports[0]["nodePort"], ports[1]["nodePort"]);
        assert_eq!(ports[0]["targetPort"], 8080);
        assert_eq!(ports[1]["targetPort"], 443);
        assert!(
            svc["spec"]["clusterIP"]
                .as_str()
                .unwrap()
                .starts_with("10.96.")
        );
        assert_eq!(svc["spec"]["allocateLoadBalancerNodePorts"], true);
        let mut status =
            json!({"status": {"loadBalancer": {"ingress": [{"ip": "172.18.255.200"}]}}});
        status_defaults(SERVICES, &mut status);
        assert_eq!(
            status["status"]["loadBalancer"]["ingress"][0]["ipMode"],
            "VIP"
        );
    }

    #[test]
    fn pods_get_spec_defaults_and_a_qos_class() {
        let mut pod = json!({"spec": {"containers": [{"name": "a", "image": "x:1", "resources": {"requests": {"cpu": "1"}}}]}});
        apply_defaults(PODS, &mut pod, &Allocator::default());
        assert_eq!(
            pod["status"],
            json!({"phase": "Pending", "qosClass": "Burstable"})
        );
        assert_eq!(
            pod["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
        assert_eq!(pod["spec"]["tolerations"].as_array().unwrap().len(), 2);
    }
}
