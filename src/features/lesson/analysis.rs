//! The app's own mesh analysis, after `istioctl analyze`: a pure function over the objects the
//! app has cached, so the `analyze` step check and an `istioctl analyze` stand-in give the same
//! findings. It covers the messages the guide's setup can run into, not all of istioctl's.
//!
//! | code | level | when |
//! |------|-------|------|
//! | IST0101 | Error | a VirtualService names a host, subset or gateway that does not exist |
//! | IST0102 | Info | the namespace is not labelled for sidecar injection |
//! | IST0103 | Warning | a pod in an injected namespace runs without the proxy |
//! | IST0106 | Error | a field breaks Istio's schema rules (e.g. weights not adding up to 100) |

use std::collections::BTreeMap;

use crate::features::cluster::mesh::{MeshObject, MeshSpec, ServiceRef};
use crate::features::cluster::{MeshKind, PodRow, ServiceRow};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    /// As istioctl prints it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "Info",
            Level::Warning => "Warning",
            Level::Error => "Error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub level: Level,
    /// `Kind name.namespace`, as istioctl names a resource.
    pub resource: String,
    pub message: String,
}

impl Finding {
    /// One line as istioctl prints it: `Error [IST0101] (VirtualService reviews.default) …`.
    pub fn line(&self) -> String {
        format!(
            "{} [{}] ({}) {}",
            self.level.name(),
            self.code,
            self.resource,
            self.message
        )
    }
}

/// What the analysis reads. Empty maps stand for "none cached".
pub struct Objects<'a> {
    pub pods: &'a BTreeMap<String, BTreeMap<String, PodRow>>,
    pub services: &'a BTreeMap<String, BTreeMap<String, ServiceRow>>,
    pub mesh: &'a BTreeMap<MeshKind, BTreeMap<String, MeshObject>>,
    /// The analysed namespace's labels; `None` when not (yet) known, which skips IST0102/3.
    pub namespace_labels: Option<&'a BTreeMap<String, String>>,
}

/// Whether a namespace's labels turn on sidecar injection, as Istio's webhook selects them.
pub fn injection_enabled(labels: &BTreeMap<String, String>) -> bool {
    match labels.get("istio-injection").map(String::as_str) {
        Some("enabled") => true,
        Some(_) => false,
        None => labels.contains_key("istio.io/rev"),
    }
}

/// Whether Istio's injector changed the pod: it labels every pod it injects, native or classic.
pub fn has_sidecar(pod: &PodRow) -> bool {
    pod.labels.contains_key("security.istio.io/tlsMode") && pod.ready.1 >= 2
}

/// Every finding for `namespace`, errors first, then by resource.
pub fn analysis(objects: &Objects, namespace: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(labels) = objects.namespace_labels {
        if injection_enabled(labels) {
            for pod in objects
                .pods
                .get(namespace)
                .into_iter()
                .flat_map(|p| p.values())
            {
                if !has_sidecar(pod) && !pod.deleting {
                    findings.push(Finding {
                        code: "IST0103",
                        level: Level::Warning,
                        resource: format!("Pod {}.{namespace}", pod.name),
                        message: "Pod에 Istio 프록시가 없습니다 (라벨보다 먼저 만들어진 Pod입니다)"
                            .into(),
                    });
                }
            }
        } else {
            findings.push(Finding {
                code: "IST0102",
                level: Level::Info,
                resource: format!("Namespace {namespace}"),
                message: "네임스페이스에 사이드카 주입 라벨(istio-injection=enabled)이 없습니다"
                    .into(),
            });
        }
    }
    let in_namespace = |kind: MeshKind| {
        objects
            .mesh
            .get(&kind)
            .into_iter()
            .flat_map(|o| o.values())
            .filter(move |o| o.namespace == namespace)
    };
    for object in in_namespace(MeshKind::VirtualService) {
        virtual_service(objects, object, &mut findings);
    }
    for object in in_namespace(MeshKind::DestinationRule) {
        if let MeshSpec::DestinationRule(rule) = &object.spec
            && rule.host.is_empty()
        {
            findings.push(schema(object, "spec.host가 비어 있습니다"));
        }
    }
    for object in in_namespace(MeshKind::Gateway) {
        if let MeshSpec::Gateway(gateway) = &object.spec
            && gateway.servers.is_empty()
        {
            findings.push(schema(object, "spec.servers가 비어 있습니다"));
        }
    }
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.resource.cmp(&b.resource))
    });
    findings
}

fn resource(object: &MeshObject) -> String {
    format!(
        "{} {}.{}",
        object.kind().kind_name(),
        object.name,
        object.namespace
    )
}

fn schema(object: &MeshObject, message: &str) -> Finding {
    Finding {
        code: "IST0106",
        level: Level::Error,
        resource: resource(object),
        message: message.to_string(),
    }
}

fn not_found(object: &MeshObject, message: String) -> Finding {
    Finding {
        code: "IST0101",
        level: Level::Error,
        resource: resource(object),
        message,
    }
}

fn virtual_service(objects: &Objects, object: &MeshObject, findings: &mut Vec<Finding>) {
    let Some(vs) = object.virtual_service() else {
        return;
    };
    if vs.hosts.is_empty() {
        findings.push(schema(object, "spec.hosts가 비어 있습니다"));
    }
    for gateway in &vs.gateways {
        if gateway == "mesh" {
            continue;
        }
        // `ns/name` names a gateway elsewhere; a bare name is in the VirtualService's namespace.
        let (gateway_ns, name) = gateway
            .split_once('/')
            .unwrap_or((object.namespace.as_str(), gateway.as_str()));
        let found = objects
            .mesh
            .get(&MeshKind::Gateway)
            .and_then(|g| g.get(name))
            .is_some_and(|g| g.namespace == gateway_ns);
        if !found {
            let text = format!("참조한 Gateway를 찾을 수 없습니다: \"{gateway}\"");
            findings.push(not_found(object, text));
        }
    }
    for route in &vs.http {
        let weights = route.effective_weights();
        let total: u32 = weights.iter().map(|w| u32::from(*w)).sum();
        if route.destinations.len() > 1 && total != 100 {
            let text = format!("route의 weight 합이 100이 아닙니다 ({total})");
            findings.push(schema(object, &text));
        }
        for destination in &route.destinations {
            if !service_exists(objects, &destination.service) {
                let text = format!("참조한 호스트를 찾을 수 없습니다: \"{}\"", destination.host);
                findings.push(not_found(object, text));
                continue;
            }
            if let Some(subset) = &destination.subset
                && !subset_exists(objects, &destination.service, subset)
            {
                let text = format!(
                    "DestinationRule에 호스트 \"{}\"의 subset \"{subset}\"이 없습니다",
                    destination.host
                );
                findings.push(not_found(object, text));
            }
        }
    }
}

fn service_exists(objects: &Objects, service: &ServiceRef) -> bool {
    objects
        .services
        .get(&service.namespace)
        .is_some_and(|s| s.contains_key(&service.name))
}

fn subset_exists(objects: &Objects, service: &ServiceRef, subset: &str) -> bool {
    objects
        .mesh
        .get(&MeshKind::DestinationRule)
        .into_iter()
        .flat_map(|rules| rules.values())
        .filter_map(MeshObject::destination_rule)
        .filter(|rule| rule.service == *service)
        .any(|rule| rule.subsets.iter().any(|s| s.name == subset))
}
