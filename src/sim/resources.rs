//! The table of served resource types and the discovery documents that describe them.

use serde_json::{Value, json};

/// One served resource type. Custom resources are served through several versions of
/// the same stored object (conversion strategy None).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceDef {
    pub group: &'static str,
    pub versions: &'static [&'static str],
    pub plural: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub has_status: bool,
    pub has_generation: bool,
    pub custom: bool,
}

const ISTIO_VERSIONS: &[&str] = &["v1", "v1beta1", "v1alpha3"];

const fn core(plural: &'static str, kind: &'static str, namespaced: bool) -> ResourceDef {
    ResourceDef {
        group: "",
        versions: &["v1"],
        plural,
        kind,
        namespaced,
        has_status: false,
        has_generation: false,
        custom: false,
    }
}

const fn istio(plural: &'static str, kind: &'static str) -> ResourceDef {
    ResourceDef {
        group: "networking.istio.io",
        versions: ISTIO_VERSIONS,
        plural,
        kind,
        namespaced: true,
        has_status: true,
        has_generation: true,
        custom: true,
    }
}

const fn apps(plural: &'static str, kind: &'static str) -> ResourceDef {
    ResourceDef {
        group: "apps",
        versions: &["v1"],
        plural,
        kind,
        namespaced: true,
        has_status: true,
        has_generation: true,
        custom: false,
    }
}

pub const PODS: usize = 0;
pub const SERVICES: usize = 1;
pub const NAMESPACES: usize = 3;
pub const DEPLOYMENTS: usize = 4;
pub const REPLICASETS: usize = 5;
pub const VIRTUALSERVICES: usize = 6;
pub const CONFIGMAPS: usize = 9;
pub const SECRETS: usize = 10;
pub const ENDPOINTS: usize = 11;
pub const EVENTS: usize = 12;
pub const ENDPOINTSLICES: usize = 13;

pub static RESOURCES: &[ResourceDef] = &[
    ResourceDef {
        has_status: true,
        has_generation: true,
        ..core("pods", "Pod", true)
    },
    ResourceDef {
        has_status: true,
        ..core("services", "Service", true)
    },
    core("serviceaccounts", "ServiceAccount", true),
    ResourceDef {
        has_status: true,
        ..core("namespaces", "Namespace", false)
    },
    apps("deployments", "Deployment"),
    apps("replicasets", "ReplicaSet"),
    istio("virtualservices", "VirtualService"),
    istio("destinationrules", "DestinationRule"),
    istio("gateways", "Gateway"),
    // Appended, so the indices above stay what stored objects and tests know them by.
    core("configmaps", "ConfigMap", true),
    core("secrets", "Secret", true),
    core("endpoints", "Endpoints", true),
    core("events", "Event", true),
    ResourceDef {
        group: "discovery.k8s.io",
        has_generation: true,
        ..core("endpointslices", "EndpointSlice", true)
    },
];

impl ResourceDef {
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{}", self.group, version)
        }
    }

    /// The storage version, used when the store writes objects on its own.
    pub fn storage_api_version(&self) -> String {
        self.api_version(self.versions[0])
    }

    /// The object as served through `version`: custom resources are stored once and shown
    /// with the requested `apiVersion` (conversion strategy None).
    pub fn present(&self, version: &str, obj: &Value) -> Value {
        let mut shown = obj.clone();
        if let Some(map) = shown.as_object_mut() {
            map.insert("apiVersion".into(), json!(self.api_version(version)));
            map.entry("kind").or_insert_with(|| json!(self.kind));
        }
        shown
    }

    /// `pods` or `virtualservices.networking.istio.io`, as error messages name a resource.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

pub fn find(group: &str, version: &str, plural: &str) -> Option<usize> {
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.plural == plural && r.versions.contains(&version))
}

pub fn find_kind(api_version: &str, kind: &str) -> Option<usize> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.kind == kind && r.versions.contains(&version))
}

/// A discovery document for a request path, or None when the path is not a discovery path.
/// `aggregated` selects the `APIGroupDiscoveryList` form that `run_aggregated()` asks for.
pub fn discovery(path: &str, aggregated: bool) -> Option<(Value, &'static str)> {
    const JSON: &str = "application/json";
    const AGG: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    let text = match (path, aggregated) {
        ("/api", true) => {
            return parse(
                include_str!("../../assets/sim/discovery/api-aggregated.json"),
                AGG,
            );
        }
        ("/apis", true) => {
            return parse(
                include_str!("../../assets/sim/discovery/apis-aggregated.json"),
                AGG,
            );
        }
        ("/api", false) => include_str!("../../assets/sim/discovery/api.json"),
        ("/apis", false) => include_str!("../../assets/sim/discovery/apis.json"),
        ("/api/v1", _) => include_str!("../../assets/sim/discovery/api-v1.json"),
        ("/apis/apps/v1", _) => include_str!("../../assets/sim/discovery/apis-apps-v1.json"),
        ("/apis/discovery.k8s.io/v1", _) => {
            include_str!("../../assets/sim/discovery/apis-discovery.k8s.io-v1.json")
        }
        ("/apis/networking.istio.io/v1", _) => {
            include_str!("../../assets/sim/discovery/apis-networking.istio.io-v1.json")
        }
        ("/apis/networking.istio.io/v1beta1", _) => {
            include_str!("../../assets/sim/discovery/apis-networking.istio.io-v1beta1.json")
        }
        ("/apis/networking.istio.io/v1alpha3", _) => {
            include_str!("../../assets/sim/discovery/apis-networking.istio.io-v1alpha3.json")
        }
        ("/apis/apps" | "/apis/discovery.k8s.io" | "/apis/networking.istio.io", _) => {
            return group_document(&path[6..]);
        }
        ("/version", _) => {
            return Some((
                json!({
                    "major": "1", "minor": "36", "emulationMajor": "1", "emulationMinor": "36",
                    "minCompatibilityMajor": "1", "minCompatibilityMinor": "35",
                    "gitVersion": "v1.36.0", "gitCommit": "istio-lab-demo", "gitTreeState": "clean",
                    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0",
                    "compiler": "gc", "platform": "linux/amd64"
                }),
                JSON,
            ));
        }
        _ => return None,
    };
    parse(text, JSON)
}

fn parse(text: &str, content_type: &'static str) -> Option<(Value, &'static str)> {
    serde_json::from_str(text).ok().map(|v| (v, content_type))
}

/// `GET /apis/{group}`: the group's entry of the group list, as an `APIGroup`.
fn group_document(group: &str) -> Option<(Value, &'static str)> {
    let (list, _) = discovery("/apis", false)?;
    let entry = list["groups"]
        .as_array()?
        .iter()
        .find(|g| g["name"] == group)?
        .clone();
    let mut doc = json!({"kind": "APIGroup", "apiVersion": "v1"});
    if let (Some(doc_map), Value::Object(fields)) = (doc.as_object_mut(), entry) {
        doc_map.extend(fields);
    }
    Some((doc, "application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_group_version_is_served() {
        let (list, _) = discovery("/apis", false).unwrap();
        for group in list["groups"].as_array().unwrap() {
            for version in group["versions"].as_array().unwrap() {
                let path = format!("/apis/{}", version["groupVersion"].as_str().unwrap());
                assert!(discovery(&path, false).is_some(), "{path}");
            }
        }
    }

    #[test]
    fn istio_kinds_resolve_through_all_versions() {
        for version in ["v1", "v1beta1", "v1alpha3"] {
            let idx = find("networking.istio.io", version, "virtualservices").unwrap();
            assert_eq!(RESOURCES[idx].kind, "VirtualService");
        }
        assert_eq!(find("", "v1", "pods"), Some(PODS));
        assert_eq!(find("networking.istio.io", "v1", "sidecars"), None);
        assert_eq!(find_kind("apps/v1", "Deployment"), Some(DEPLOYMENTS));
        assert_eq!(
            RESOURCES[VIRTUALSERVICES].qualified(),
            "virtualservices.networking.istio.io"
        );
        assert_eq!(discovery("/apis/apps", false).unwrap().0["name"], "apps");
    }
}
