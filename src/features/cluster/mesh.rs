//! The one typed reading of the watched Istio objects (VirtualService, DestinationRule, Gateway),
//! made once per object when its watch event arrives: identity, the raw JSON, and the fields the
//! lab reads, with hosts resolved to services and weights as [`Weight`]. Lenient: missing or odd
//! fields read as empty, never as errors.

use std::collections::BTreeMap;

use kube::api::{DynamicObject, TypeMeta};
use serde_json::Value;

use super::events::MeshKind;

/// A destination's share of a route's traffic, in percent (0–100). Numbers from outside the
/// lab's own arithmetic (a watched object, typed digits, a mouse position) become weights
/// through [`weight_from`], so a value out of range never travels further.
pub type Weight = u8;

/// The largest weight, and the total the weights of a route with several destinations must reach.
pub const FULL: Weight = 100;

/// `n` as a weight: below 0 reads as 0 and above 100 as 100, the range Istio applies.
pub fn weight_from(n: i64) -> Weight {
    Weight::try_from(n.clamp(0, i64::from(FULL))).unwrap_or(FULL)
}

/// The Kubernetes Service a host of an Istio object names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceRef {
    pub name: String,
    pub namespace: String,
}

impl ServiceRef {
    /// The service `host` names when written in an object of `namespace`, resolved as Istio
    /// resolves it: a short name is relative to that namespace; `reviews.ns`, `reviews.ns.svc`
    /// and `reviews.ns.svc.cluster.local` all name `reviews` in `ns`. Any cluster domain after
    /// `svc` is accepted because clusters may be configured with one other than `cluster.local`.
    ///
    /// Every host the lab compares goes through here, so `reviews.other` is never taken for the
    /// lab namespace's `reviews`.
    pub fn resolve(host: &str, namespace: &str) -> ServiceRef {
        let mut labels = host.split('.');
        let name = labels.next().unwrap_or_default();
        let namespace = labels.next().unwrap_or(namespace);
        ServiceRef {
            name: name.to_string(),
            namespace: namespace.to_string(),
        }
    }
}

/// One watched Istio object, read once.
#[derive(Debug, Clone, PartialEq)]
pub struct MeshObject {
    pub name: String,
    /// The namespace short hosts are relative to; `default` when missing, as kubectl assumes
    /// (the API server always sets it).
    pub namespace: String,
    pub resource_version: Option<String>,
    /// `apiVersion` and `kind` as served.
    pub types: Option<TypeMeta>,
    /// The object as JSON, for what must copy fields the reading leaves out: the merge patch
    /// rebuilds `spec.http` from it, the editor shows it, managedFields name who changed it.
    pub raw: Value,
    pub spec: MeshSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MeshSpec {
    VirtualService(VirtualServiceView),
    DestinationRule(DestinationRuleView),
    Gateway(GatewayView),
}

/// One weighted destination of an HTTP route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDestination {
    /// As written, e.g. to copy its form into a new destination.
    pub host: String,
    pub service: ServiceRef,
    pub subset: Option<String>,
    pub port: Option<u32>,
    /// As written; Istio treats a lone destination without weight as 100.
    pub weight: Option<Weight>,
}

/// One entry of `spec.http`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRouteView {
    pub name: Option<String>,
    /// Number of `match` conditions; 0 means the route catches everything.
    pub match_count: usize,
    pub destinations: Vec<RouteDestination>,
}

impl HttpRouteView {
    /// The weight each destination receives, as Istio applies it: a single destination
    /// without a weight gets 100, other missing weights count as 0.
    pub fn effective_weights(&self) -> Vec<Weight> {
        match self.destinations.as_slice() {
            [only] => vec![only.weight.unwrap_or(FULL)],
            many => many.iter().map(|d| d.weight.unwrap_or(0)).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VirtualServiceView {
    /// The object's namespace, which short hosts are relative to.
    pub namespace: String,
    pub hosts: Vec<String>,
    pub gateways: Vec<String>,
    pub http: Vec<HttpRouteView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubsetView {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DestinationRuleView {
    /// As written, for messages.
    pub host: String,
    pub service: ServiceRef,
    /// Subsets with a name; one without cannot be routed to.
    pub subsets: Vec<SubsetView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayServerView {
    pub port_number: Option<u32>,
    pub port_name: Option<String>,
    pub protocol: Option<String>,
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayView {
    pub selector: BTreeMap<String, String>,
    pub servers: Vec<GatewayServerView>,
}

impl MeshObject {
    /// Reads a watched object of `kind`.
    pub fn read(kind: MeshKind, object: &DynamicObject) -> MeshObject {
        // A DynamicObject is JSON already; serialising it cannot fail in practice, and Null
        // would only give an empty reading.
        Self::from_value(kind, serde_json::to_value(object).unwrap_or_default())
    }

    /// Reads an object of `kind` given as JSON.
    pub fn from_value(kind: MeshKind, raw: Value) -> MeshObject {
        let namespace = text(&raw["metadata"]["namespace"]).unwrap_or_else(|| "default".into());
        let spec = &raw["spec"];
        let spec = match kind {
            MeshKind::VirtualService => {
                MeshSpec::VirtualService(VirtualServiceView::from_spec(spec, &namespace))
            }
            MeshKind::DestinationRule => {
                MeshSpec::DestinationRule(DestinationRuleView::from_spec(spec, &namespace))
            }
            MeshKind::Gateway => MeshSpec::Gateway(GatewayView::from_spec(spec)),
        };
        let types = match (text(&raw["apiVersion"]), text(&raw["kind"])) {
            (Some(api_version), Some(kind)) => Some(TypeMeta { api_version, kind }),
            _ => None,
        };
        MeshObject {
            name: text(&raw["metadata"]["name"]).unwrap_or_default(),
            resource_version: text(&raw["metadata"]["resourceVersion"]),
            namespace,
            types,
            raw,
            spec,
        }
    }

    pub fn kind(&self) -> MeshKind {
        match self.spec {
            MeshSpec::VirtualService(_) => MeshKind::VirtualService,
            MeshSpec::DestinationRule(_) => MeshKind::DestinationRule,
            MeshSpec::Gateway(_) => MeshKind::Gateway,
        }
    }

    pub fn virtual_service(&self) -> Option<&VirtualServiceView> {
        match &self.spec {
            MeshSpec::VirtualService(view) => Some(view),
            _ => None,
        }
    }

    pub fn destination_rule(&self) -> Option<&DestinationRuleView> {
        match &self.spec {
            MeshSpec::DestinationRule(view) => Some(view),
            _ => None,
        }
    }
}

impl VirtualServiceView {
    /// The reading of a watch event's object, for callers that hold the event rather than the
    /// stored [`MeshObject`].
    pub fn from_object(object: &DynamicObject) -> Self {
        let namespace = object.metadata.namespace.as_deref().unwrap_or("default");
        Self::from_spec(object.data.get("spec").unwrap_or(&NULL), namespace)
    }

    fn from_spec(spec: &Value, namespace: &str) -> Self {
        Self {
            namespace: namespace.to_string(),
            hosts: strings(&spec["hosts"]),
            gateways: strings(&spec["gateways"]),
            http: items(&spec["http"])
                .map(|route| http_route(route, namespace))
                .collect(),
        }
    }

    /// The first route sending traffic to the service `host` names (resolved like every host).
    pub fn route_to(&self, host: &str) -> Option<&HttpRouteView> {
        let service = ServiceRef::resolve(host, &self.namespace);
        self.http.iter().find(|route| {
            route
                .destinations
                .iter()
                .any(|destination| destination.service == service)
        })
    }
}

impl DestinationRuleView {
    fn from_spec(spec: &Value, namespace: &str) -> Self {
        let host = text(&spec["host"]).unwrap_or_default();
        Self {
            service: ServiceRef::resolve(&host, namespace),
            host,
            subsets: items(&spec["subsets"])
                .filter_map(|subset| {
                    Some(SubsetView {
                        name: text(&subset["name"])?,
                        labels: string_map(&subset["labels"]),
                    })
                })
                .collect(),
        }
    }
}

impl GatewayView {
    fn from_spec(spec: &Value) -> Self {
        Self {
            selector: string_map(&spec["selector"]),
            servers: items(&spec["servers"])
                .map(|server| GatewayServerView {
                    port_number: number(&server["port"]["number"]),
                    port_name: text(&server["port"]["name"]),
                    protocol: text(&server["port"]["protocol"]),
                    hosts: strings(&server["hosts"]),
                })
                .collect(),
        }
    }
}

fn http_route(route: &Value, namespace: &str) -> HttpRouteView {
    HttpRouteView {
        name: text(&route["name"]),
        match_count: items(&route["match"]).count(),
        destinations: items(&route["route"])
            .map(|entry| {
                let destination = &entry["destination"];
                let host = text(&destination["host"]).unwrap_or_default();
                RouteDestination {
                    service: ServiceRef::resolve(&host, namespace),
                    host,
                    subset: text(&destination["subset"]),
                    port: number(&destination["port"]["number"]),
                    weight: number(&entry["weight"]).map(|n| weight_from(i64::from(n))),
                }
            })
            .collect(),
    }
}

static NULL: Value = Value::Null;

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn strings(value: &Value) -> Vec<String> {
    items(value).filter_map(text).collect()
}

/// A non-negative integer, also accepted when written as a string ("90") or float (90.0).
fn number(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect()
}

#[cfg(test)]
#[path = "mesh_tests.rs"]
mod tests;
