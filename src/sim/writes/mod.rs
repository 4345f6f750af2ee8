//! The write verbs: create, replace, patch (merge, JSON, apply, strategic) and delete,
//! including the graceful deletion of pods bound to a node.

use serde_json::{Value, json};

use crate::sim::apply::{apply, record_update};
use crate::sim::body::{decode_for, json_error, media_type};
use crate::sim::checks::{check_body_namespace, check_create, check_name_matches, check_type};
use crate::sim::defaults::{apply_defaults, status_defaults};
use crate::sim::http::{Call, Shared};
use crate::sim::last_applied::carry_managed_fields;
use crate::sim::meta::metadata_mut;
use crate::sim::openapi_fields::{check_object, check_patched, mode};
use crate::sim::openapi_schema::Node;
use crate::sim::patch::json_patch;
use crate::sim::resources::{RESOURCES, ResourceDef};
use crate::sim::status::ApiError;
use crate::sim::store::Write;
use crate::sim::strategic::strategic_merge_patch;
use crate::sim::validate::{check_applied_types, validate};

mod delete;

pub use delete::{delete, finish_pod_deletion_after, marked_terminating};

type Outcome = Result<(u16, Value), ApiError>;

fn manager(call: &Call) -> String {
    call.param("fieldManager")
        .filter(|m| !m.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

/// Fields the server owns are kept from the stored object whatever the request says.
fn keep_identity(def: &ResourceDef, current: &Value, new: &mut Value) {
    for field in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "generation",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "resourceVersion",
    ] {
        let meta = metadata_mut(new);
        match current["metadata"].get(field) {
            Some(value) => {
                meta.insert(field.into(), value.clone());
            }
            None => {
                meta.remove(field);
            }
        }
    }
    if let Some(map) = new.as_object_mut() {
        map.insert("apiVersion".into(), json!(def.storage_api_version()));
        map.insert("kind".into(), json!(def.kind));
        if def.has_status {
            match current.get("status") {
                Some(status) => map.insert("status".into(), status.clone()),
                None => map.remove("status"),
            };
        }
    }
}

/// A status subresource write changes `.status` only.
fn status_only(current: &Value, patched: &Value) -> Value {
    let mut result = current.clone();
    if let Some(map) = result.as_object_mut() {
        match patched.get("status") {
            Some(status) => map.insert("status".into(), status.clone()),
            None => map.remove("status"),
        };
    }
    result
}

fn finish(shared: &Shared, call: &Call, resource: usize, obj: &mut Value) -> Result<(), ApiError> {
    if call.target.subresource.is_some() {
        status_defaults(resource, obj);
    } else {
        apply_defaults(resource, obj, shared.store.allocator());
    }
    validate(resource, obj)
}

pub fn create(shared: &Shared, call: &Call) -> Outcome {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let api_version = def.api_version(&target.version);
    let mut obj = decode_for(def, &call.content_type, &call.body)?;
    check_type(def, &target.version, &obj)?;
    let validation = mode(call, "CreateOptions")?;
    call.warn(check_object(
        target.resource,
        &target.version,
        &mut obj,
        validation,
    )?);
    check_body_namespace(target, &obj)?;
    let namespace = target.namespace.clone().unwrap_or_default();
    let meta = metadata_mut(&mut obj);
    if def.namespaced {
        meta.insert("namespace".into(), json!(namespace));
    } else {
        meta.remove("namespace");
    }
    if meta
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let Some(prefix) = meta.get("generateName").and_then(Value::as_str) else {
            let causes = [(
                "FieldValueRequired".to_string(),
                "Required value: name or generateName is required".to_string(),
                "metadata.name".to_string(),
            )];
            return Err(ApiError::invalid(def, "", &causes));
        };
        let name = shared
            .store
            .generated_name(target.resource, &namespace, prefix);
        meta.insert("name".into(), json!(name));
    }
    let name = meta["name"].as_str().unwrap_or_default().to_string();
    check_create(&shared.store, target, &name)?;
    if let Some(map) = obj.as_object_mut() {
        map.insert("apiVersion".into(), json!(def.storage_api_version()));
        map.insert("kind".into(), json!(def.kind));
        if def.has_status {
            map.remove("status");
        }
    }
    finish(shared, call, target.resource, &mut obj)?;
    record_update(None, &mut obj, &manager(call), None, &api_version);
    let (stored, _) = shared
        .store
        .transact(target.resource, &namespace, &name, |_| {
            Ok(Write::Create(obj))
        })?;
    Ok((201, def.present(&target.version, &stored)))
}

/// The object a replace or patch stores, from `candidate` (the body, or the patched copy):
/// only its status on the status subresource, server-owned identity kept otherwise,
/// managedFields carried over and then updated for this manager.
fn updated(
    shared: &Shared,
    call: &Call,
    current: &Value,
    mut candidate: Value,
    api_version: &str,
) -> Result<Value, ApiError> {
    let target = &call.target;
    check_name_matches(target, &candidate)?;
    let mut new = if target.subresource.is_some() {
        status_only(current, &candidate)
    } else {
        keep_identity(&RESOURCES[target.resource], current, &mut candidate);
        candidate
    };
    carry_managed_fields(current, &mut new, call.method == hyper::Method::PATCH);
    finish(shared, call, target.resource, &mut new)?;
    record_update(
        Some(current),
        &mut new,
        &manager(call),
        target.subresource.as_deref(),
        api_version,
    );
    Ok(new)
}

pub fn replace(shared: &Shared, call: &Call) -> Outcome {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let api_version = def.api_version(&target.version);
    let mut body = decode_for(def, &call.content_type, &call.body)?;
    check_type(def, &target.version, &body)?;
    let validation = mode(call, "UpdateOptions")?;
    call.warn(check_object(
        target.resource,
        &target.version,
        &mut body,
        validation,
    )?);
    check_body_namespace(target, &body)?;
    check_name_matches(target, &body)?;
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let (stored, _) = shared
        .store
        .transact(target.resource, &namespace, &name, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(def, &name))?;
            if body["metadata"]["resourceVersion"] != current["metadata"]["resourceVersion"] {
                return Err(ApiError::conflict(def, &name));
            }
            updated(shared, call, current, body, &api_version).map(Write::Replace)
        })?;
    Ok((200, def.present(&target.version, &stored)))
}

pub fn patch(shared: &Shared, call: &Call) -> Outcome {
    let media = media_type(&call.content_type);
    let media = media.as_str();
    let def = &RESOURCES[call.target.resource];
    match media {
        "application/apply-patch+yaml" => return apply_patch(shared, call),
        "application/strategic-merge-patch+json" if def.custom => {
            return Err(ApiError::unsupported_patch(def));
        }
        "application/merge-patch+json"
        | "application/json-patch+json"
        | "application/strategic-merge-patch+json" => {}
        _ => return Err(ApiError::unsupported_patch(def)),
    }
    let patch_doc: Value = serde_json::from_slice(&call.body)
        .map_err(|e| ApiError::bad_request(&format!("error decoding patch: {}", json_error(&e))))?;
    let target = &call.target;
    let validation = mode(call, "PatchOptions")?;
    let api_version = def.api_version(&target.version);
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let strategic = media == "application/strategic-merge-patch+json";
    let (stored, _) = shared
        .store
        .transact(target.resource, &namespace, &name, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(def, &name))?;
            let mut patched = current.clone();
            if media == "application/json-patch+json" {
                json_patch(&mut patched, &patch_doc)
                    .map_err(|e| ApiError::new(422, Some("Invalid"), &e, None))?;
            } else if strategic {
                strategic_merge_patch(&mut patched, &patch_doc, Node::of_resource(def))
                    .map_err(|e| ApiError::new(422, Some("Invalid"), &e, None))?;
            } else {
                json_patch::merge(&mut patched, &patch_doc);
            }
            let text = String::from_utf8_lossy(&call.body);
            let shown = strategic.then_some(&patch_doc);
            let resource = target.resource;
            call.warn(check_patched(
                resource,
                current,
                &mut patched,
                &text,
                shown,
                validation,
            )?);
            check_precondition(def, &name, current, &patched)?;
            updated(shared, call, current, patched, &api_version).map(Write::Replace)
        })?;
    Ok((200, def.present(&target.version, &stored)))
}

/// A resourceVersion the written object carries is a precondition, as on a PUT: a patch
/// or apply made against an older copy is refused (409) rather than applied over newer
/// changes.
fn check_precondition(
    def: &ResourceDef,
    name: &str,
    current: &Value,
    written: &Value,
) -> Result<(), ApiError> {
    match written["metadata"].get("resourceVersion") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(rv)) if rv.is_empty() => Ok(()),
        Some(rv) if Some(rv) == current["metadata"].get("resourceVersion") => Ok(()),
        Some(_) => Err(ApiError::conflict(def, name)),
    }
}

fn parse_applied(body: &[u8]) -> Result<Value, ApiError> {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        return Ok(value);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("invalid UTF-8 in apply body"))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| ApiError::bad_request(&format!("error decoding YAML: {e}")))
}

fn apply_patch(shared: &Shared, call: &Call) -> Outcome {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let Some(field_manager) = call.param("fieldManager").filter(|m| !m.is_empty()) else {
        let details = json!({"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
            {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}]});
        return Err(ApiError::new(
            422,
            Some("Invalid"),
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            Some(details),
        ));
    };
    let mut applied = parse_applied(&call.body)?;
    check_applied_types(target.resource, &applied)?;
    let force = call.param("force") == Some("true");
    let api_version = def.api_version(&target.version);
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let mut named = applied.clone();
    let meta = metadata_mut(&mut named);
    meta.entry("name").or_insert_with(|| json!(name));
    check_name_matches(target, &named)?;
    // Checked outside the transaction, which holds the store's lock.
    if shared
        .store
        .get(target.resource, &namespace, &name)
        .is_none()
    {
        check_create(&shared.store, target, &name)?;
    }
    let meta = metadata_mut(&mut applied);
    meta.insert("name".into(), json!(name));
    if def.namespaced {
        meta.insert("namespace".into(), json!(namespace));
    }
    let mut created = false;
    let (stored, _) = shared
        .store
        .transact(target.resource, &namespace, &name, |current| {
            if let Some(current) = current {
                check_precondition(def, &name, current, &applied)?;
            }
            let mut result = apply(current, &applied, field_manager, force, &api_version)?;
            if let Some(map) = result.as_object_mut() {
                map.insert("apiVersion".into(), json!(def.storage_api_version()));
                map.insert("kind".into(), json!(def.kind));
            }
            match current {
                Some(current) if target.subresource.is_some() => {
                    result = status_only(current, &result)
                }
                Some(current) => keep_identity(def, current, &mut result),
                None => {
                    if def.has_status
                        && let Some(map) = result.as_object_mut()
                    {
                        map.remove("status");
                    }
                }
            }
            finish(shared, call, target.resource, &mut result)?;
            created = current.is_none();
            Ok(if created {
                Write::Create(result)
            } else {
                Write::Replace(result)
            })
        })?;
    Ok((
        if created { 201 } else { 200 },
        def.present(&target.version, &stored),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_bodies_may_be_yaml_or_json() {
        let yaml = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n";
        let parsed = parse_applied(yaml).unwrap();
        assert_eq!(parsed["spec"]["ports"][0]["port"], 80);
        let json = br#"{"kind": "Service", "spec": {"ports": [{"port": 80}]}}"#;
        assert_eq!(parse_applied(json).unwrap()["spec"]["ports"][0]["port"], 80);
        assert!(parse_applied(b"a: [unclosed").is_err());
    }
}
