//! kubectl's move from client-side to server-side apply, as the apiserver helps it: the
//! fields the last-applied annotation still holds do not conflict, the annotation is kept
//! in step with what `kubectl apply --server-side` applies, and managedFields a patch sets
//! are taken as given.

use serde_json::{Value, json};

use super::fieldset::{PathSet, fields_of, leaves, value_at};
use super::meta::metadata_mut;

/// The object without its managedFields, to tell whether a write changed anything else.
pub fn without_managed_fields(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    copy
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The fields client-side apply last applied that still hold those values: conflicts on
/// them do not stop `kubectl apply --server-side` (apiserver's lastAppliedManager).
pub fn allowed_by_last_applied(manager: &str, live: &Value) -> PathSet {
    let Some(text) = live["metadata"]["annotations"][LAST_APPLIED].as_str() else {
        return PathSet::new();
    };
    let Ok(last) = serde_json::from_str::<Value>(text) else {
        return PathSet::new();
    };
    if manager != "kubectl" {
        return PathSet::new();
    }
    leaves(&fields_of(&last, false, false))
        .into_iter()
        .filter(|path| value_at(&last, path) == value_at(live, path))
        .collect()
}

/// `kubectl apply --server-side` on an object client-side apply wrote keeps its
/// last-applied annotation in step: the applied config (without the annotation) as JSON
/// with a trailing newline, as the apiserver's lastAppliedUpdater writes it.
pub fn sync_last_applied(manager: &str, live: &Value, applied: &Value, merged: &mut Value) {
    if manager != "kubectl" || live["metadata"]["annotations"].get(LAST_APPLIED).is_none() {
        return;
    }
    let mut config = applied.clone();
    let annotations = config
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut);
    if let Some(annotations) = annotations {
        annotations.remove(LAST_APPLIED);
    }
    let text = format!("{}\n", serde_json::to_string(&config).unwrap_or_default());
    let meta = metadata_mut(merged);
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Some(annotations) = annotations.as_object_mut() {
        annotations.insert(LAST_APPLIED.into(), json!(text));
    }
}

/// The managedFields a replace or patch stores: those a patch changed (kubectl's JSON patch
/// moving ownership to server-side apply; `[]` clears them), else the stored ones.
pub fn carry_managed_fields(current: &Value, new: &mut Value, patch: bool) {
    let given = new["metadata"]
        .get("managedFields")
        .filter(|f| patch && !f.is_null());
    let kept = given
        .or_else(|| current["metadata"].get("managedFields"))
        .cloned();
    match kept {
        Some(Value::Array(fields)) if fields.is_empty() => {
            metadata_mut(new).remove("managedFields");
        }
        Some(fields) => {
            metadata_mut(new).insert("managedFields".into(), fields);
        }
        None => {}
    }
}
