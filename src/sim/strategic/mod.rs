//! Strategic merge patch for built-in kinds, driven by the served OpenAPI schemas' patch
//! extensions, with the directives kubectl sends: `$patch` (merge, replace, delete),
//! `$setElementOrder/<list>`, `$retainKeys` and `$deleteFromPrimitiveList/<list>`.
//!
//! Hand-written: no maintained Rust crate implements strategic merge patch (it exists only
//! in Go's apimachinery), so this follows apimachinery's `strategicpatch.mergeMap` rules.

mod order;

use serde_json::{Map, Value};

use super::openapi_schema::Node;

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_PRIMITIVES: &str = "$deleteFromPrimitiveList/";

/// Applies `patch` to `target`. The error is the apiserver's text for a patch it cannot
/// apply (an unknown `$patch` value, a list element without its merge key).
pub fn strategic_merge_patch(
    target: &mut Value,
    patch: &Value,
    schema: Option<Node>,
) -> Result<(), String> {
    let Value::Object(patch_map) = patch else {
        return Err("invalid JSON document: a strategic merge patch must be an object".into());
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target_map) = target {
        merge_map(target_map, patch_map, schema)?;
    }
    Ok(())
}

fn child(schema: Option<Node>, key: &str) -> Option<Node> {
    schema.and_then(|s| s.child(key).flatten())
}

fn merge_map(
    target: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    schema: Option<Node>,
) -> Result<(), String> {
    match patch.get(PATCH).and_then(Value::as_str) {
        Some("replace") => {
            *target = clean(patch);
            return Ok(());
        }
        Some("delete") => {
            target.clear();
            return Ok(());
        }
        None | Some("merge") => {}
        Some(other) => return Err(format!("Unknown patch type: {other}")),
    }
    if let Some(keep) = patch.get(RETAIN_KEYS) {
        let keep: Vec<&str> = keep
            .as_array()
            .ok_or("invalid patch: $retainKeys must be a list")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        target.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (key, value) in patch {
        if let Some(list) = key.strip_prefix(DELETE_PRIMITIVES) {
            let remove = value.as_array().cloned().unwrap_or_default();
            if let Some(Value::Array(items)) = target.get_mut(list) {
                items.retain(|item| !remove.contains(item));
            }
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        merge_field(target, key, value, child(schema, key))?;
    }
    for (key, order) in patch {
        if let Some(list) = key.strip_prefix(SET_ORDER)
            && let (Some(Value::Array(items)), Value::Array(order)) = (target.get_mut(list), order)
        {
            let merge_key = child(schema, list).and_then(|n| n.merge_key());
            let original: Vec<Value> = items.clone();
            order::apply(items, order, &original, merge_key);
        }
    }
    Ok(())
}

fn merge_field(
    target: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    schema: Option<Node>,
) -> Result<(), String> {
    if value.is_null() {
        target.remove(key);
        return Ok(());
    }
    match (target.get_mut(key), value) {
        (Some(Value::Object(existing)), Value::Object(patch_map)) => {
            if patch_map.get(PATCH).and_then(Value::as_str) == Some("delete") {
                target.remove(key);
                return Ok(());
            }
            merge_map(existing, patch_map, schema)
        }
        (Some(Value::Array(existing)), Value::Array(patch_items)) => {
            merge_list(existing, patch_items, schema)
        }
        (_, Value::Object(patch_map)) => {
            if patch_map.get(PATCH).and_then(Value::as_str) == Some("delete") {
                target.remove(key);
                return Ok(());
            }
            let mut fresh = Map::new();
            merge_map(&mut fresh, patch_map, schema)?;
            target.insert(key.to_string(), Value::Object(fresh));
            Ok(())
        }
        (_, Value::Array(patch_items)) => {
            let mut fresh = Vec::new();
            merge_list(&mut fresh, patch_items, schema)?;
            target.insert(key.to_string(), Value::Array(fresh));
            Ok(())
        }
        (_, other) => {
            target.insert(key.to_string(), other.clone());
            Ok(())
        }
    }
}

/// The patch with its directives and nulls taken out, as a value to store.
fn clean(patch: &Map<String, Value>) -> Map<String, Value> {
    patch
        .iter()
        .filter(|(k, v)| !k.starts_with('$') && !v.is_null())
        .map(|(k, v)| {
            let v = match v {
                Value::Object(inner) => Value::Object(clean(inner)),
                Value::Array(items) => Value::Array(items.iter().map(clean_value).collect()),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn clean_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(clean(map)),
        other => other.clone(),
    }
}

fn is_directive(item: &Value, kind: &str) -> bool {
    item.get(PATCH).and_then(Value::as_str) == Some(kind)
}

fn merge_list(
    target: &mut Vec<Value>,
    patch: &[Value],
    schema: Option<Node>,
) -> Result<(), String> {
    let strategy = schema.map(|s| s.patch_strategy()).unwrap_or_default();
    let merging = strategy.split(',').any(|s| s == "merge");
    // `{"$patch": "replace"}` among the elements: the list becomes the other elements.
    if patch.iter().any(|item| is_directive(item, "replace")) || !merging {
        *target = patch
            .iter()
            .filter(|item| !is_directive(item, "replace"))
            .map(clean_value)
            .collect();
        return Ok(());
    }
    let items = schema.and_then(|s| s.items());
    let Some(key) = schema.and_then(|s| s.merge_key()) else {
        // A merged list of scalars (finalizers): the union, the patch's new values last.
        for item in patch {
            if !target.contains(item) {
                target.push(item.clone());
            }
        }
        return Ok(());
    };
    for item in patch {
        let Value::Object(item_map) = item else {
            return Err(format!(
                "map: {item} does not contain declared merge key: {key}"
            ));
        };
        let Some(wanted) = item_map.get(key) else {
            return Err(format!(
                "map: {} does not contain declared merge key: {key}",
                go_map(item)
            ));
        };
        let position = target.iter().position(|t| t.get(key) == Some(wanted));
        match (position, is_directive(item, "delete")) {
            (Some(index), true) => {
                target.remove(index);
            }
            (None, true) => {}
            (Some(index), false) => {
                if let Value::Object(existing) = &mut target[index] {
                    merge_map(existing, item_map, items)?;
                }
            }
            (None, false) => {
                let mut fresh = Map::new();
                merge_map(&mut fresh, item_map, items)?;
                target.push(Value::Object(fresh));
            }
        }
    }
    Ok(())
}

/// A value as Go's `fmt` prints a decoded JSON value (`%v`): maps as `map[k:v ...]` with
/// sorted keys, lists as `[a b]`, numbers as float64. The apiserver quotes patches this way.
pub fn go_map(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", go_map(&map[k.as_str()])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_map).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_float(n.as_f64().unwrap_or_default()),
    }
}

/// Go's `%v` of a float64 (`%g`, shortest digits): plain while the exponent is from -4
/// to 5, else `1e+06`, `1.5e-05`.
fn go_float(f: f64) -> String {
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if f == 0.0 || (-4..6).contains(&exponent) {
        return format!("{f}");
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests;
