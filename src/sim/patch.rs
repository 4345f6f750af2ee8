//! JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a strategic merge patch for
//! built-in kinds, on plain JSON values.

use serde_json::Value;

use super::fieldset::{key_value, list_keys};

/// Applies an RFC 7386 merge patch: objects merge key by key, `null` removes, anything
/// else (arrays included) replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// A strategic merge patch: like a merge patch, except that lists the schema merges by
/// key (containers by name, ports by port and protocol, ...) merge element by element, and
/// an element carrying `"$patch": "delete"` is removed. Other directives are not supported.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) {
    strategic_field("", target, patch);
}

fn strategic_field(field: &str, target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target_map), Value::Object(patch_map)) => {
            for (key, value) in patch_map {
                if value.is_null() {
                    target_map.remove(key);
                } else if let Some(existing) = target_map.get_mut(key) {
                    strategic_field(key, existing, value);
                } else {
                    let mut fresh = Value::Null;
                    strategic_field(key, &mut fresh, value);
                    target_map.insert(key.clone(), fresh);
                }
            }
        }
        (Value::Array(target_items), Value::Array(patch_items))
            if list_keys(field, patch_items).is_some() =>
        {
            let keys = list_keys(field, patch_items).unwrap_or_default();
            let same =
                |a: &Value, b: &Value| keys.iter().all(|k| key_value(a, k) == key_value(b, k));
            for item in patch_items {
                let position = target_items.iter().position(|t| same(t, item));
                let deleting = item.get("$patch").and_then(Value::as_str) == Some("delete");
                match (position, deleting) {
                    (Some(index), true) => {
                        target_items.remove(index);
                    }
                    (Some(index), false) => strategic_field("", &mut target_items[index], item),
                    (None, true) => {}
                    (None, false) => target_items.push(item.clone()),
                }
            }
        }
        (target, patch) => {
            *target = patch.clone();
            if let Value::Object(map) = target {
                map.retain(|_, v| !v.is_null());
            }
        }
    }
}

/// Applies an RFC 6902 JSON patch. The error text is what the apiserver puts after
/// "the server rejected our request due to an error in our request".
pub fn json_patch(target: &mut Value, operations: &Value) -> Result<(), String> {
    let ops = operations.as_array().ok_or_else(|| {
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch".to_string()
    })?;
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default();
        let path = op["path"].as_str().ok_or("missing path")?;
        match kind {
            "add" => add(target, path, op["value"].clone())?,
            "remove" => {
                remove(target, path)?;
            }
            "replace" => {
                remove(target, path)?;
                add(target, path, op["value"].clone())?;
            }
            "move" | "copy" => {
                let from = op["from"].as_str().ok_or("missing from")?;
                let value = target
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| format!("missing value at {from}"))?;
                if kind == "move" {
                    remove(target, from)?;
                }
                add(target, path, value)?;
            }
            "test" => {
                if target.pointer(path) != Some(&op["value"]) {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

fn split(path: &str) -> Result<(String, String), String> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("invalid path {path}"))?;
    Ok((
        parent.to_string(),
        last.replace("~1", "/").replace("~0", "~"),
    ))
}

fn add(target: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, last) = split(path)?;
    let container = target
        .pointer_mut(&parent)
        .ok_or_else(|| format!("add operation does not apply: doc is missing path: \"{path}\""))?;
    match container {
        Value::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Value::Array(items) => {
            let index = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>()
                    .map_err(|_| format!("invalid index {last}"))?
            };
            if index > items.len() {
                return Err(format!(
                    "add operation does not apply: doc is missing path: \"{path}\""
                ));
            }
            items.insert(index, value);
            Ok(())
        }
        _ => Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\""
        )),
    }
}

fn remove(target: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, last) = split(path)?;
    let missing = || format!("remove operation does not apply: doc is missing path: \"{path}\"");
    match target.pointer_mut(&parent).ok_or_else(missing)? {
        Value::Object(map) => map.remove(&last).ok_or_else(missing),
        Value::Array(items) => {
            let index = last.parse::<usize>().map_err(|_| missing())?;
            if index < items.len() {
                Ok(items.remove(index))
            } else {
                Err(missing())
            }
        }
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "list": [3]}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}, "list": [3]}));
    }

    #[test]
    fn strategic_merge_patch_merges_containers_by_name() {
        let mut pod = json!({"spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}],
                                      "args": ["x"]}});
        let patch = json!({"spec": {"containers": [{"name": "b", "image": "b:2"}, {"name": "a", "$patch": "delete"},
                                                   {"name": "c", "image": "c:1"}], "args": ["y"]}});
        strategic_merge_patch(&mut pod, &patch);
        assert_eq!(
            pod,
            json!({"spec": {"containers": [{"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}], "args": ["y"]}})
        );
    }

    #[test]
    fn json_patch_honours_test() {
        let mut doc = json!({"w": [{"x": 70}, {"x": 30}]});
        let ops = json!([{"op": "test", "path": "/w/0/x", "value": 70},
                         {"op": "replace", "path": "/w/0/x", "value": 60},
                         {"op": "add", "path": "/w/-", "value": {"x": 1}}]);
        json_patch(&mut doc, &ops).unwrap();
        assert_eq!(doc, json!({"w": [{"x": 60}, {"x": 30}, {"x": 1}]}));
        let failing = json!([{"op": "test", "path": "/w/0/x", "value": 70}]);
        assert!(json_patch(&mut doc, &failing).is_err());
        assert!(json_patch(&mut doc, &json!([{"op": "remove", "path": "/nope"}])).is_err());
    }
}
