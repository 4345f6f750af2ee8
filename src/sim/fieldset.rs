//! Field sets in the `FieldsV1` form used by `managedFields`: building them from objects,
//! flattening them to paths, and resolving a path inside an object.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// One owned field: `["f:spec", "f:ports", "k:{\"port\":80,\"protocol\":\"TCP\"}", "f:name"]`.
/// A trailing `"."` means "this map or list element itself".
pub type FieldPath = Vec<String>;
pub type PathSet = BTreeSet<FieldPath>;

const SERVER_OWNED_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

/// Maps the schema treats as one value (label selectors).
fn atomic_map(field: &str) -> bool {
    field == "selector" || field == "nodeSelector"
}

/// The key fields of lists the schema merges by key; every other list is atomic.
pub fn list_keys(field: &str, items: &[Value]) -> Option<&'static [&'static str]> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some(&["name"]),
        "volumeMounts" => Some(&["mountPath"]),
        "conditions" => Some(&["type"]),
        "podIPs" | "hostIPs" => Some(&["ip"]),
        "ownerReferences" => Some(&["uid"]),
        "ports" if items.iter().any(|p| p.get("containerPort").is_some()) => {
            Some(&["containerPort", "protocol"])
        }
        "ports" => Some(&["port", "protocol"]),
        _ => None,
    }
}

pub fn key_value(item: &Value, key: &str) -> Value {
    match item.get(key) {
        Some(value) => value.clone(),
        None if key == "protocol" => Value::String("TCP".into()),
        None => Value::Null,
    }
}

fn element_key(item: &Value, keys: &[&str]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:{}", Value::String((*k).to_string()), key_value(item, k)))
        .collect();
    format!("k:{{{}}}", parts.join(","))
}

/// The field set of an object. `dots` marks maps and lists as owned themselves, as an
/// Update does for what it creates; an Apply owns only list elements that way.
/// `part` limits the set to `status` (status subresource) or to everything else.
pub fn fields_of(obj: &Value, dots: bool, status_only: bool) -> Value {
    let mut top = Map::new();
    let Value::Object(map) = obj else {
        return Value::Object(top);
    };
    for (key, value) in map {
        let wanted = if status_only {
            key == "status"
        } else {
            key != "status"
        };
        if !wanted || key == "apiVersion" || key == "kind" {
            continue;
        }
        let child = if key == "metadata" {
            let mut meta = value.clone();
            if let Some(meta_map) = meta.as_object_mut() {
                for field in SERVER_OWNED_METADATA {
                    meta_map.remove(*field);
                }
            }
            if meta.as_object().is_none_or(|m| m.is_empty()) {
                continue;
            }
            node(key, &meta, dots, false)
        } else {
            node(key, value, dots, false)
        };
        top.insert(format!("f:{key}"), child);
    }
    Value::Object(top)
}

fn node(field: &str, value: &Value, dots: bool, mark: bool) -> Value {
    let mut out = Map::new();
    match value {
        Value::Object(map) if !map.is_empty() && !atomic_map(field) => {
            for (key, child) in map {
                out.insert(format!("f:{key}"), node(key, child, dots, true));
            }
            if dots && mark {
                out.insert(".".into(), Value::Object(Map::new()));
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let Some(keys) = list_keys(field, items) else {
                return Value::Object(out);
            };
            for item in items {
                let mut element = match node("", item, dots, false) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                element.insert(".".into(), Value::Object(Map::new()));
                out.insert(element_key(item, keys), Value::Object(element));
            }
            if dots && mark && field != "containers" {
                out.insert(".".into(), Value::Object(Map::new()));
            }
        }
        _ => {}
    }
    Value::Object(out)
}

/// Flattens a `FieldsV1` tree to the set of its leaf paths.
pub fn leaves(set: &Value) -> PathSet {
    let mut out = PathSet::new();
    collect(set, &mut Vec::new(), &mut out);
    out
}

fn collect(node: &Value, prefix: &mut FieldPath, out: &mut PathSet) {
    match node {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                prefix.push(key.clone());
                collect(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {
            if !prefix.is_empty() {
                out.insert(prefix.clone());
            }
        }
    }
}

/// Rebuilds a `FieldsV1` tree from leaf paths.
pub fn build(paths: &PathSet) -> Value {
    let mut root = Value::Object(Map::new());
    for path in paths {
        let mut cursor = &mut root;
        for part in path {
            let Value::Object(map) = cursor else { break };
            cursor = map
                .entry(part.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

/// Resolves a field path inside an object; `None` when the field is absent.
pub fn value_at<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cursor = obj;
    for part in path {
        if part == "." {
            return Some(cursor);
        }
        if let Some(field) = part.strip_prefix("f:") {
            cursor = cursor.get(field)?;
        } else if let Some(key) = part.strip_prefix("k:") {
            let wanted: Map<String, Value> = serde_json::from_str(key).ok()?;
            cursor = cursor
                .as_array()?
                .iter()
                .find(|item| wanted.iter().all(|(k, v)| key_value(item, k) == *v))?;
        } else {
            return None;
        }
    }
    Some(cursor)
}

/// `.spec.http` or `.spec.containers[name="app"].image`, as conflict messages print paths.
pub fn render(path: &[String]) -> String {
    let mut out = String::new();
    for part in path {
        if let Some(field) = part.strip_prefix("f:") {
            out.push('.');
            out.push_str(field);
        } else if let Some(key) = part.strip_prefix("k:") {
            let wanted: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
            let pairs: Vec<String> = wanted.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("[{}]", pairs.join(",")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applied_service_fields_match_the_apiserver() {
        let applied = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"labels": {"app": "reviews"}, "name": "reviews"},
            "spec": {"ports": [{"name": "http", "port": 9080}], "selector": {"app": "reviews"}}});
        let expected = json!({"f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:ports": {"k:{\"port\":9080,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}}},
                       "f:selector": {}}});
        assert_eq!(fields_of(&applied, false, false), expected);
    }

    #[test]
    fn updates_mark_created_maps() {
        let pod = json!({"metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}], "resources": {}}]}});
        let set = fields_of(&pod, true, false);
        assert!(set["f:metadata"]["f:labels"].get(".").is_some());
        assert!(set["f:spec"]["f:containers"].get(".").is_none());
        let ports = &set["f:spec"]["f:containers"]["k:{\"name\":\"a\"}"]["f:ports"];
        assert!(ports.get(".").is_some());
        assert_eq!(build(&leaves(&set)), set);
    }

    #[test]
    fn paths_resolve_and_render() {
        let obj = json!({"spec": {"ports": [{"port": 80, "name": "web"}], "http": [1]}});
        let path: FieldPath = vec![
            "f:spec".into(),
            "k:{\"port\":80,\"protocol\":\"TCP\"}".into(),
            "f:name".into(),
        ];
        assert_eq!(value_at(&obj, &path), None);
        let path: FieldPath = vec![
            "f:spec".into(),
            "f:ports".into(),
            "k:{\"port\":80,\"protocol\":\"TCP\"}".into(),
            "f:name".into(),
        ];
        assert_eq!(value_at(&obj, &path), Some(&json!("web")));
        assert_eq!(
            render(&["f:spec".to_string(), "f:http".to_string()]),
            ".spec.http"
        );
    }
}
