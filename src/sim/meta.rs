//! Object metadata helpers: timestamps, uids, generation rules and no-op detection.

use serde_json::{Value, json};

use super::resources::ResourceDef;

pub fn now_timestamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `now + seconds`, in the apiserver's timestamp format.
pub fn timestamp_after(seconds: u64) -> String {
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(seconds as i64);
    later.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A string field of `metadata` (empty when missing), owned for a task that outlives `obj`.
pub fn meta_string(obj: &Value, field: &str) -> String {
    obj["metadata"][field]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn metadata_mut(obj: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !obj.is_object() {
        *obj = json!({});
    }
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    match obj.get_mut("metadata") {
        Some(Value::Object(map)) => map,
        _ => unreachable!("metadata was made an object above"),
    }
}

pub fn fake_uid(counter: u64, rv: u64) -> String {
    let mixed = counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ rv.rotate_left(17);
    let hex = format!("{mixed:016x}{:016x}", mixed.rotate_left(29) ^ 0x5bd1_e995);
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn strip_times(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(Value::Array(entries)) = copy["metadata"].get_mut("managedFields") {
        for entry in entries {
            if let Some(map) = entry.as_object_mut() {
                map.remove("time");
            }
        }
    }
    copy
}

pub fn same_ignoring_times(old: &Value, new: &Value) -> bool {
    let mut new_without_rv = strip_times(new);
    let mut old_without_rv = strip_times(old);
    metadata_mut(&mut new_without_rv).remove("resourceVersion");
    metadata_mut(&mut old_without_rv).remove("resourceVersion");
    new_without_rv == old_without_rv
}

/// Generation moves on spec changes, and for pods also when deletion starts.
pub fn next_generation(def: &ResourceDef, old: &Value, new: &Value) -> Option<u64> {
    if !def.has_generation {
        return None;
    }
    let current = old["metadata"]["generation"].as_u64().unwrap_or(1);
    let deletion_started = old["metadata"].get("deletionTimestamp").is_none()
        && new["metadata"].get("deletionTimestamp").is_some();
    if old.get("spec") != new.get("spec") || deletion_started {
        Some(current + 1)
    } else {
        Some(current)
    }
}
