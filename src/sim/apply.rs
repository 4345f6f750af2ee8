//! Server-side apply and `managedFields` bookkeeping: who owns which fields, conflicts,
//! and ownership moves on Update writes.

use serde_json::{Map, Value, json};

use super::fieldset::{FieldPath, PathSet, build, fields_of, leaves, render, value_at};
use super::last_applied::{allowed_by_last_applied, sync_last_applied, without_managed_fields};
use super::meta::{metadata_mut, now_timestamp};
use super::status::ApiError;

struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: Option<String>,
    fields: PathSet,
}

impl Entry {
    fn from_json(value: &Value) -> Option<Entry> {
        Some(Entry {
            manager: value["manager"].as_str()?.to_string(),
            operation: value["operation"].as_str()?.to_string(),
            api_version: value["apiVersion"].as_str().unwrap_or_default().to_string(),
            time: value["time"].as_str().unwrap_or_default().to_string(),
            subresource: value["subresource"].as_str().map(str::to_string),
            fields: leaves(&value["fieldsV1"]),
        })
    }

    fn to_json(&self) -> Value {
        let mut entry = json!({
            "manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
            "time": self.time, "fieldsType": "FieldsV1", "fieldsV1": build(&self.fields),
        });
        // An apply that changed nothing gives its new entry no time, as on the apiserver.
        if self.time.is_empty()
            && let Some(map) = entry.as_object_mut()
        {
            map.remove("time");
        }
        if let Some(subresource) = &self.subresource {
            entry["subresource"] = json!(subresource);
        }
        entry
    }

    fn is(&self, manager: &str, operation: &str, subresource: Option<&str>) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource.as_deref() == subresource
    }
}

fn read_entries(obj: &Value) -> Vec<Entry> {
    obj["metadata"]["managedFields"]
        .as_array()
        .map(|entries| entries.iter().filter_map(Entry::from_json).collect())
        .unwrap_or_default()
}

/// Writes entries back, dropping managers left with nothing and fields the object lost.
fn write_entries(obj: &mut Value, mut entries: Vec<Entry>) {
    let snapshot = obj.clone();
    for entry in &mut entries {
        entry
            .fields
            .retain(|path| value_at(&snapshot, path).is_some());
    }
    entries.retain(|entry| !entry.fields.is_empty());
    // The apiserver's order: Apply before Update, then oldest first, then by manager.
    entries.sort_by(|a, b| {
        (&a.operation, &a.time, &a.manager, &a.subresource).cmp(&(
            &b.operation,
            &b.time,
            &b.manager,
            &b.subresource,
        ))
    });
    let json: Vec<Value> = entries.iter().map(Entry::to_json).collect();
    let meta = metadata_mut(obj);
    if json.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(json));
    }
}

/// Records a non-apply write (create, replace, merge/JSON patch, status write): the
/// manager's Update entry takes every field the write changed, from everybody else.
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    api_version: &str,
) {
    let status_only = subresource == Some("status");
    let empty = json!({});
    let old = old.unwrap_or(&empty);
    let changed: PathSet = leaves(&fields_of(new, true, status_only))
        .into_iter()
        .filter(|path| changed_at(old, new, path))
        .collect();
    // The entries the write carries: the stored ones, or those it set itself.
    let mut entries = read_entries(new);
    for entry in &mut entries {
        entry.fields.retain(|path| !changed.contains(path));
    }
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.is(manager, "Update", subresource))
        {
            Some(entry) => {
                entry.fields.extend(changed);
                entry.time = now_timestamp();
                entry.api_version = api_version.to_string();
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: api_version.to_string(),
                time: now_timestamp(),
                subresource: subresource.map(str::to_string),
                fields: changed,
            }),
        }
    }
    write_entries(new, entries);
}

fn changed_at(old: &Value, new: &Value, path: &FieldPath) -> bool {
    if path.last().is_some_and(|p| p == ".") {
        return value_at(old, &path[..path.len() - 1]).is_none();
    }
    value_at(old, path) != value_at(new, path)
}

/// Server-side apply of `applied` over `current` (None creates). Returns the new object,
/// or the 409 conflict Status when someone else owns a field with another value and
/// `force` is off.
pub fn apply(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    api_version: &str,
) -> Result<Value, ApiError> {
    let applied_set: PathSet = leaves(&fields_of(applied, false, false));
    let base = current.cloned().unwrap_or_else(|| json!({}));
    let mut entries = read_entries(&base);

    let mut conflicts: Vec<(String, FieldPath)> = Vec::new();
    for entry in entries.iter().filter(|e| !e.is(manager, "Apply", None)) {
        for path in entry.fields.intersection(&applied_set) {
            if path.last().is_some_and(|p| p == ".") {
                continue;
            }
            if value_at(&base, path) != value_at(applied, path) {
                let owner = if entry.operation == "Update" {
                    format!("\"{}\" using {}", entry.manager, entry.api_version)
                } else {
                    format!("\"{}\"", entry.manager)
                };
                conflicts.push((owner, path.clone()));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        // Conflicts with what client-side apply last applied, still live, do not count:
        // kubectl's move to server-side apply takes those fields over, as if forced.
        let allowed = allowed_by_last_applied(manager, &base);
        let blocking: Vec<(String, FieldPath)> = conflicts
            .iter()
            .filter(|(_, path)| !allowed.contains(path))
            .cloned()
            .collect();
        if !blocking.is_empty() {
            return Err(conflict_error(&blocking));
        }
    }

    let mut merged = base.clone();
    let previously_owned = entries
        .iter()
        .find(|e| e.is(manager, "Apply", None))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    for path in previously_owned.difference(&applied_set) {
        // A map or list owned as a whole ("."), as a JSON patch of managedFields may
        // leave it, goes only with its fields: others may still own some of them.
        if path.last().is_some_and(|p| p == ".") {
            continue;
        }
        let owned_elsewhere = entries
            .iter()
            .any(|e| !e.is(manager, "Apply", None) && e.fields.contains(path));
        if !owned_elsewhere {
            remove_at(&mut merged, path);
        }
    }
    merge_applied(&mut merged, applied);
    let changed = without_managed_fields(&merged) != without_managed_fields(&base);

    let taken: PathSet = conflicts.into_iter().map(|(_, path)| path).collect();
    for entry in &mut entries {
        entry.fields.retain(|path| !taken.contains(path));
    }
    // The time moves only when the apply changed the object.
    let now = if changed {
        now_timestamp()
    } else {
        String::new()
    };
    match entries.iter_mut().find(|e| e.is(manager, "Apply", None)) {
        Some(entry) => {
            if changed {
                entry.time = now;
            }
            entry.fields = applied_set;
            entry.api_version = api_version.to_string();
        }
        None => entries.push(Entry {
            manager: manager.to_string(),
            operation: "Apply".into(),
            api_version: api_version.to_string(),
            time: now,
            subresource: None,
            fields: applied_set,
        }),
    }
    write_entries(&mut merged, entries);
    sync_last_applied(manager, &base, applied, &mut merged);
    Ok(merged)
}

fn conflict_error(conflicts: &[(String, FieldPath)]) -> ApiError {
    let mut by_owner: Vec<(String, Vec<String>)> = Vec::new();
    for (owner, path) in conflicts {
        let field = render(path);
        match by_owner.iter_mut().find(|(o, _)| o == owner) {
            Some((_, fields)) => fields.push(field),
            None => by_owner.push((owner.clone(), vec![field])),
        }
    }
    let count = conflicts.len();
    let noun = if count == 1 { "conflict" } else { "conflicts" };
    let described: Vec<String> = by_owner
        .iter()
        .map(|(owner, fields)| {
            if fields.len() == 1 {
                format!("conflict with {owner}: {}", fields[0])
            } else {
                let list: Vec<String> = fields.iter().map(|f| format!("- {f}")).collect();
                format!("conflicts with {owner}:\n{}", list.join("\n"))
            }
        })
        .collect();
    let message = format!("Apply failed with {count} {noun}: {}", described.join("\n"));
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(owner, path)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {owner}"), "field": render(path)})
        })
        .collect();
    ApiError::new(
        409,
        Some("Conflict"),
        &message,
        Some(json!({"causes": causes})),
    )
}

fn remove_at(obj: &mut Value, path: &[String]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    if last == "." {
        remove_at(obj, parent);
        return;
    }
    let Some(container) = value_at_mut(obj, parent) else {
        return;
    };
    if let Some(field) = last.strip_prefix("f:") {
        if let Some(map) = container.as_object_mut() {
            map.remove(field);
        }
    } else if last.starts_with("k:")
        && let Some(items) = container.as_array_mut()
    {
        let wanted = value_at(&Value::Array(items.clone()), std::slice::from_ref(last)).cloned();
        items.retain(|item| Some(item) != wanted.as_ref());
    }
}

fn value_at_mut<'a>(obj: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut cursor = obj;
    for part in path {
        if let Some(field) = part.strip_prefix("f:") {
            cursor = cursor.get_mut(field)?;
        } else {
            let found = value_at(cursor, std::slice::from_ref(part))?.clone();
            cursor = cursor
                .as_array_mut()?
                .iter_mut()
                .find(|item| **item == found)?;
        }
    }
    Some(cursor)
}

/// Merges an applied configuration: maps field by field, keyed lists element by element
/// (by the same keys the field sets use), everything else replaced.
fn merge_applied(target: &mut Value, applied: &Value) {
    merge_field("", target, applied);
}

fn merge_field(field: &str, target: &mut Value, applied: &Value) {
    match (target, applied) {
        (Value::Object(target_map), Value::Object(applied_map)) if field != "selector" => {
            for (key, value) in applied_map {
                match target_map.get_mut(key) {
                    Some(existing) => merge_field(key, existing, value),
                    None => {
                        target_map.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target @ Value::Array(_), Value::Array(applied_items)) => {
            let keyed = fields_of(&json!({"spec": {field: applied_items}}), false, false);
            let is_keyed = keyed["f:spec"][format!("f:{field}")]
                .as_object()
                .is_some_and(|m: &Map<String, Value>| !m.is_empty());
            if !is_keyed {
                *target = applied.clone();
                return;
            }
            let Value::Array(target_items) = target else {
                return;
            };
            for item in applied_items {
                let element_set = fields_of(&json!({"spec": {field: [item]}}), false, false);
                let key = element_set["f:spec"][format!("f:{field}")]
                    .as_object()
                    .and_then(|m| m.keys().next().cloned());
                let existing = key.and_then(|k| {
                    let found = value_at(&Value::Array(target_items.clone()), &[k]).cloned()?;
                    target_items.iter().position(|t| *t == found)
                });
                match existing {
                    Some(index) => merge_field("", &mut target_items[index], item),
                    None => target_items.push(item.clone()),
                }
            }
        }
        (target, applied) => *target = applied.clone(),
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
