//! Reading the weighted route of a VirtualService and building the bodies that change its weights.
//!
//! Merge patch (RFC 7386) replaces lists whole, so `spec.http` is rebuilt from the latest
//! watched object: every other route, every `match`, timeout, retry, header rule, mirror and
//! every other field of each destination is copied as is; only the `weight` fields of the
//! chosen route change. No `metadata.resourceVersion` is sent: a merge patch needs none, and
//! the last writer winning is what the learner expects while dragging a slider.
//!
//! Slider subsets the route does not list yet are added as destinations, even at weight 0, so
//! the learner sees every subset in the YAML. They copy the first destination (host form, port)
//! with only the subset replaced.

use serde_json::{Map, Value, json};

use crate::features::cluster::mesh::{MeshObject, ServiceRef, Weight};

/// The field manager istio-lab writes with, so `managedFields` tells its changes apart.
pub use crate::features::cluster::apply::FIELD_MANAGER;

/// The http route the sliders drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedRoute {
    /// Index into `spec.http`.
    pub http_index: usize,
    /// (subset, weight) per destination, in the route's order.
    pub weights: Vec<(String, Weight)>,
    /// Whether the route only applies to requests matching a `match` rule.
    pub has_match: bool,
}

/// Finds the route to change: the first `spec.http` entry whose destinations all name
/// `service` with a subset, preferring one without `match` (the default route). A single
/// destination without a weight takes all traffic (100); with several, a missing weight means 0.
pub fn weighted_route(vs: &MeshObject, service: &ServiceRef) -> Option<WeightedRoute> {
    let http = &vs.virtual_service()?.http;
    let candidates = http.iter().enumerate().filter_map(|(index, route)| {
        if route.destinations.is_empty() {
            return None;
        }
        let weights = route
            .destinations
            .iter()
            .zip(route.effective_weights())
            .map(|(destination, weight)| {
                let subset = destination.subset.clone()?;
                (destination.service == *service).then_some((subset, weight))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(WeightedRoute {
            http_index: index,
            weights,
            has_match: route.match_count > 0,
        })
    });
    let mut fallback = None;
    for candidate in candidates {
        if !candidate.has_match {
            return Some(candidate);
        }
        fallback.get_or_insert(candidate);
    }
    fallback
}

/// A JSON merge patch setting the weights of route `http_index` (see the module notes).
///
/// If `http_index` no longer points at a route with destinations, the body carries the
/// current `spec.http` unchanged, so sending it is harmless.
pub fn merge_patch(vs: &MeshObject, http_index: usize, weights: &[(String, Weight)]) -> Value {
    json!({ "spec": { "http": rebuilt_http(&vs.raw, http_index, weights) } })
}

/// The server-side-apply body for field manager [`FIELD_MANAGER`]: identity, `spec.hosts`
/// and the full rebuilt `spec.http`. Another manager (e.g. `kubectl-client-side-apply`)
/// owning `spec.http` makes the apply conflict unless it is sent with `force`.
pub fn apply_body(vs: &MeshObject, http_index: usize, weights: &[(String, Weight)]) -> Value {
    let api_version = vs
        .types
        .as_ref()
        .map_or("networking.istio.io/v1", |types| types.api_version.as_str());
    let mut metadata = Map::new();
    metadata.insert("name".to_string(), json!(vs.name));
    metadata.insert("namespace".to_string(), json!(vs.namespace));
    let hosts: &[String] = vs.virtual_service().map_or(&[], |view| &view.hosts);
    json!({
        "apiVersion": api_version,
        "kind": "VirtualService",
        "metadata": metadata,
        "spec": {
            "hosts": hosts,
            "http": rebuilt_http(&vs.raw, http_index, weights),
        },
    })
}

fn rebuilt_http(vs: &Value, http_index: usize, weights: &[(String, Weight)]) -> Value {
    let mut http = vs
        .pointer("/spec/http")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(destinations) = http
        .get_mut(http_index)
        .and_then(|route| route.get_mut("route"))
        .and_then(Value::as_array_mut)
    {
        set_weights(destinations, weights);
    }
    Value::Array(http)
}

fn subset_of(entry: &Value) -> Option<&str> {
    entry.pointer("/destination/subset").and_then(Value::as_str)
}

fn set_weights(destinations: &mut Vec<Value>, weights: &[(String, Weight)]) {
    let Some(template) = destinations
        .first()
        .and_then(|d| d.get("destination"))
        .cloned()
    else {
        return;
    };
    for entry in destinations.iter_mut() {
        let wanted =
            subset_of(entry).and_then(|subset| weights.iter().find(|(name, _)| name == subset));
        if let (Some((_, weight)), Some(fields)) = (wanted, entry.as_object_mut()) {
            fields.insert("weight".to_string(), json!(weight));
        }
    }
    for (name, weight) in weights {
        if destinations.iter().any(|d| subset_of(d) == Some(name)) {
            continue;
        }
        let mut destination = template.clone();
        if let Some(fields) = destination.as_object_mut() {
            fields.insert("subset".to_string(), json!(name));
        }
        destinations.push(json!({ "destination": destination, "weight": weight }));
    }
}

/// The manager of the most recent `metadata.managedFields` entry that owns `spec.http`,
/// e.g. `kubectl-client-side-apply` when the learner ran `kubectl apply`.
pub fn field_manager_of_last_change(obj: &Value) -> Option<String> {
    let entries = obj.pointer("/metadata/managedFields")?.as_array()?;
    entries
        .iter()
        .filter(|entry| entry.pointer("/fieldsV1/f:spec/f:http").is_some())
        .filter_map(|entry| {
            let manager = entry.get("manager")?.as_str()?;
            let time = entry
                .get("time")
                .and_then(Value::as_str)
                .and_then(|t| t.parse::<jiff::Timestamp>().ok());
            Some((time, manager))
        })
        // max_by_key keeps the last of equal keys: later entries win ties.
        .max_by_key(|(time, _)| *time)
        .map(|(_, manager)| manager.to_string())
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
