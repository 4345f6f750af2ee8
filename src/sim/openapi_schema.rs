//! The served OpenAPI v3 schemas read as the apiserver reads its own type information:
//! which fields a kind has (for `fieldValidation`) and how strategic merge patches merge
//! each list (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`).

use std::sync::OnceLock;

use serde_json::Value;

use super::openapi::v3_document;
use super::resources::ResourceDef;

/// The document (its index key) holding a group's schemas. Istio's kinds have one schema
/// for all their served versions, so the v1 document answers for every version.
fn document_key(group: &str) -> Option<&'static str> {
    match group {
        "" => Some("api/v1"),
        "apps" => Some("apis/apps/v1"),
        "networking.istio.io" => Some("apis/networking.istio.io/v1"),
        _ => None,
    }
}

fn parsed(key: &str) -> Option<&'static Value> {
    static DOCS: OnceLock<Vec<(&'static str, Option<Value>)>> = OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        ["api/v1", "apis/apps/v1", "apis/networking.istio.io/v1"]
            .into_iter()
            .map(|k| {
                let mut doc = v3_document(k).and_then(|t| serde_json::from_slice(&t).ok());
                if let Some(doc) = &mut doc {
                    drop_descriptions(doc);
                }
                (k, doc)
            })
            .collect()
    });
    docs.iter().find(|(k, _)| *k == key)?.1.as_ref()
}

/// Removes the prose (most of the documents' bytes), which checks and patches never read.
/// A property that happens to be called `description` is a schema object and stays.
fn drop_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("description").is_some_and(Value::is_string) {
                map.remove("description");
            }
            map.values_mut().for_each(drop_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_descriptions),
        _ => {}
    }
}

/// One place in a schema: `field` is the property as declared (where the patch extensions
/// sit), resolved through `$ref` and `allOf` for its structure.
#[derive(Clone, Copy)]
pub struct Node {
    doc: &'static Value,
    field: &'static Value,
}

impl Node {
    /// The schema of a kind, found by its `x-kubernetes-group-version-kind`.
    pub fn of_kind(group: &str, kind: &str) -> Option<Node> {
        let doc = parsed(document_key(group)?)?;
        let schemas = doc["components"]["schemas"].as_object()?;
        let field = schemas.values().find(|schema| {
            schema["x-kubernetes-group-version-kind"]
                .as_array()
                .is_some_and(|gvks| {
                    gvks.iter()
                        .any(|gvk| gvk["group"] == group && gvk["kind"] == kind)
                })
        })?;
        Some(Node { doc, field })
    }

    pub fn of_resource(def: &ResourceDef) -> Option<Node> {
        Node::of_kind(def.group, def.kind)
    }

    fn at(&self, field: &'static Value) -> Node {
        Node {
            doc: self.doc,
            field,
        }
    }

    /// The structural schema, following `$ref` (directly or as the one `allOf` entry).
    fn resolved(&self) -> &'static Value {
        let mut schema = self.field;
        for _ in 0..8 {
            let reference = schema["$ref"]
                .as_str()
                .or_else(|| schema["allOf"][0]["$ref"].as_str());
            let Some(name) = reference.and_then(|r| r.strip_prefix("#/components/schemas/")) else {
                break;
            };
            match self.doc["components"]["schemas"].get(name) {
                Some(next) => schema = next,
                None => break,
            }
        }
        schema
    }

    /// Anything goes below here: preserved unknown fields, int-or-string, or an object
    /// schema that names no fields at all (FieldsV1, RawExtension).
    pub fn is_open(&self) -> bool {
        let schema = self.resolved();
        let flag = |name: &str| {
            self.field[name].as_bool() == Some(true) || schema[name].as_bool() == Some(true)
        };
        if flag("x-kubernetes-preserve-unknown-fields") || flag("x-kubernetes-int-or-string") {
            return true;
        }
        let object = schema["type"] == "object" || schema.get("type").is_none();
        object
            && schema.get("properties").is_none()
            && schema.get("additionalProperties").is_none()
            && schema.get("items").is_none()
    }

    /// The schema of a map's field: a declared property, or the map's value schema.
    /// `Some(None)` means any field is allowed; None means the field is unknown.
    pub fn child(&self, name: &str) -> Option<Option<Node>> {
        let schema = self.resolved();
        if let Some(field) = schema["properties"].get(name) {
            return Some(Some(self.at(field)));
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) => Some(None),
            Some(field) => Some(Some(self.at(field))),
            None => None,
        }
    }

    /// The schema of a list's items.
    pub fn items(&self) -> Option<Node> {
        self.resolved().get("items").map(|items| self.at(items))
    }

    /// `x-kubernetes-patch-strategy`, e.g. `merge` or `retainKeys` or `merge,retainKeys`.
    pub fn patch_strategy(&self) -> &'static str {
        self.field["x-kubernetes-patch-strategy"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn merge_key(&self) -> Option<&'static str> {
        self.field["x-kubernetes-patch-merge-key"].as_str()
    }
}

/// The fields of `value` the schema does not declare, as the apiserver's strict decoder
/// names them: `spec.foo`, `spec.template.spec.containers[0].foo`.
pub fn unknown_fields(node: Node, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(Some(node), value, "", &mut found);
    found
}

fn walk(node: Option<Node>, value: &Value, path: &str, found: &mut Vec<String>) {
    let Some(node) = node else { return };
    if node.is_open() {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match node.child(key) {
                    Some(schema) => walk(schema, child, &here, found),
                    None => found.push(here),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(node.items(), item, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_named_by_path() {
        let service = Node::of_kind("", "Service").unwrap();
        let obj = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "d", "labels": {"any": "thing"}, "bogus": 1},
            "spec": {"foo": 1, "ports": [{"port": 80, "targetPort": "http", "nope": true}]}});
        assert_eq!(
            unknown_fields(service, &obj),
            ["metadata.bogus", "spec.foo", "spec.ports[0].nope"]
        );
        let deployment = Node::of_kind("apps", "Deployment").unwrap();
        let obj = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "resources": {"limits": {"cpu": "1"}}, "imagee": "x"}]}}}});
        assert_eq!(
            unknown_fields(deployment, &obj),
            ["spec.template.spec.containers[0].imagee"]
        );
    }

    #[test]
    fn istio_kinds_and_patch_extensions_come_from_the_documents() {
        let vs = Node::of_kind("networking.istio.io", "VirtualService").unwrap();
        // Istio's CRDs keep unknown fields under `spec`; only the top level is closed.
        let obj = json!({"spec": {"http": [{"route": [{"wieght": 1}]}]}, "sepc": {}});
        assert_eq!(unknown_fields(vs, &obj), ["sepc"]);
        let pod = Node::of_kind("", "Pod").unwrap();
        let containers = pod
            .child("spec")
            .flatten()
            .and_then(|s| s.child("containers").flatten())
            .unwrap();
        assert_eq!(
            (containers.patch_strategy(), containers.merge_key()),
            ("merge", Some("name"))
        );
        assert!(Node::of_kind("batch", "Job").is_none());
    }
}
