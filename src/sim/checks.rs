//! What kube-apiserver checks on an object before a write reaches storage, in its order
//! and words: the body's type against the endpoint, its name and namespace against the
//! URL, the namespace's existence on create (the NamespaceLifecycle admission plugin), and
//! the kind's name rule.

use serde_json::Value;

use super::http::Target;
use super::names::{go_quote, name_errors, path_segment_errors};
use super::resources::{NAMESPACES, RESOURCES, ResourceDef, find_kind};
use super::status::ApiError;
use super::store::SimStore;

/// The scheme built-in kinds are decoded with, as its name appears in decode errors.
const LEGACY_SCHEME: &str = "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30";

fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj["metadata"][field].as_str().unwrap_or_default()
}

/// The body of a create or update must be the endpoint's kind in the endpoint's version.
/// A missing `apiVersion` or `kind` takes the endpoint's, as the decoder's defaults do.
pub fn check_type(def: &ResourceDef, version: &str, obj: &Value) -> Result<(), ApiError> {
    let expected = def.api_version(version);
    let api_version = obj["apiVersion"]
        .as_str()
        .filter(|v| !v.is_empty())
        .unwrap_or(&expected);
    let kind = obj["kind"]
        .as_str()
        .filter(|k| !k.is_empty())
        .unwrap_or(def.kind);
    if api_version == expected && kind == def.kind {
        return Ok(());
    }
    if def.custom {
        // Custom resources decode anything and then compare (create.go, then the CR validator).
        if api_version != expected {
            return Err(ApiError::bad_request(&format!(
                "the API version in the data ({api_version}) does not match the expected API version ({expected})"
            )));
        }
        let cause = (
            "FieldValueInvalid".to_string(),
            format!("Invalid value: {}: must be {}", go_quote(kind), def.kind),
            "kind".to_string(),
        );
        let name = meta_str(obj, "name");
        return Err(ApiError::invalid_kind(kind, def.group, name, &[cause]));
    }
    // Built-in kinds are decoded into the endpoint's type, and fail in the decoder.
    let short_version = api_version.split_once('/').map_or(api_version, |(_, v)| v);
    let reason = match find_kind(api_version, kind).map(|r| &RESOURCES[r]) {
        Some(found) if !found.custom => {
            let internal = if def.group.is_empty() {
                "core"
            } else {
                def.group
            };
            format!(
                "converting ({short_version}.{kind}) to ({internal}.{}): unknown conversion",
                def.kind
            )
        }
        _ => format!(
            "no kind {} is registered for version {} in scheme {}",
            go_quote(kind),
            go_quote(api_version),
            go_quote(LEGACY_SCHEME)
        ),
    };
    Err(ApiError::bad_request(&format!(
        "{kind} in version {} cannot be handled as a {}: {reason}",
        go_quote(short_version),
        def.kind
    )))
}

/// A namespace in the body of a create or update must be the URL's, or absent.
pub fn check_body_namespace(target: &Target, obj: &Value) -> Result<(), ApiError> {
    let in_body = meta_str(obj, "namespace");
    let in_url = target.namespace.as_deref().unwrap_or_default();
    if in_body.is_empty() || in_url.is_empty() || in_body == in_url {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "the namespace of the provided object does not match the namespace sent on the request",
    ))
}

/// The object a PUT, patch or apply leaves must keep the URL's name and namespace
/// (the apiserver's `checkName`).
pub fn check_name_matches(target: &Target, obj: &Value) -> Result<(), ApiError> {
    let url_name = target.name.as_deref().unwrap_or_default();
    let name = meta_str(obj, "name");
    if name.is_empty() {
        return Err(ApiError::bad_request(&format!(
            "the name of the object ({url_name} based on URL) was undeterminable: name must be provided"
        )));
    }
    if name != url_name {
        return Err(ApiError::bad_request(&format!(
            "the name of the object ({name}) does not match the name on the URL ({url_name})"
        )));
    }
    let namespace = meta_str(obj, "namespace");
    let url_namespace = target.namespace.as_deref().unwrap_or_default();
    if !url_namespace.is_empty() && !namespace.is_empty() && namespace != url_namespace {
        return Err(ApiError::bad_request(&format!(
            "the namespace of the object ({namespace}) does not match the namespace on the request ({url_namespace})"
        )));
    }
    Ok(())
}

/// A name from the URL must be usable as a storage key; 400 otherwise, before anything
/// is looked up.
pub fn check_url_name(target: &Target) -> Result<(), ApiError> {
    match target.name.as_deref() {
        Some(name) => {
            let problems = path_segment_errors(name);
            if problems.is_empty() {
                Ok(())
            } else {
                Err(ApiError::name_parameter_invalid(name, &problems))
            }
        }
        None => Ok(()),
    }
}

/// What a create must pass after decoding: the namespace exists (404 otherwise, before
/// validation, as admission runs first), then the name follows the kind's rule (422).
pub fn check_create(store: &SimStore, target: &Target, name: &str) -> Result<(), ApiError> {
    let def = &RESOURCES[target.resource];
    if let Some(namespace) = target.namespace.as_deref().filter(|_| def.namespaced) {
        let Some(ns) = store.get(NAMESPACES, "", namespace) else {
            return Err(ApiError::not_found(&RESOURCES[NAMESPACES], namespace));
        };
        if ns["metadata"].get("deletionTimestamp").is_some() {
            return Err(namespace_terminating(def, name, namespace));
        }
    }
    let causes: Vec<(String, String, String)> = name_errors(target.resource, name)
        .into_iter()
        .map(|problem| {
            (
                "FieldValueInvalid".to_string(),
                format!("Invalid value: {}: {problem}", go_quote(name)),
                "metadata.name".to_string(),
            )
        })
        .collect();
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(def, name, &causes))
    }
}

/// NamespaceLifecycle's refusal of new content in a namespace being deleted.
fn namespace_terminating(def: &ResourceDef, name: &str, namespace: &str) -> ApiError {
    let message = format!(
        "{} {} is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
        def.qualified(),
        go_quote(name)
    );
    let details = serde_json::json!({"name": name, "group": def.group, "kind": def.plural,
        "causes": [{"reason": "NamespaceTerminating", "message": format!("namespace {namespace} is being terminated"),
            "field": "metadata.namespace"}]});
    let mut details = details;
    if def.group.is_empty()
        && let Some(map) = details.as_object_mut()
    {
        map.remove("group");
    }
    ApiError::new(403, Some("Forbidden"), &message, Some(details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::{PODS, VIRTUALSERVICES};
    use serde_json::json;

    #[test]
    fn bodies_of_another_type_are_refused_as_the_decoder_refuses_them() {
        let vs = &RESOURCES[VIRTUALSERVICES];
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        let err = check_type(vs, "v1", &pod).unwrap_err();
        assert_eq!(
            (err.code, err.body["message"].as_str().unwrap()),
            (
                400,
                "the API version in the data (v1) does not match the expected API version (networking.istio.io/v1)"
            )
        );
        let dr = json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "r"}});
        let err = check_type(vs, "v1", &dr).unwrap_err();
        assert_eq!(
            err.body["message"],
            "DestinationRule.networking.istio.io \"r\" is invalid: kind: Invalid value: \"DestinationRule\": must be VirtualService"
        );
        assert!(
            check_type(
                vs,
                "v1beta1",
                &json!({"apiVersion": "networking.istio.io/v1beta1"})
            )
            .is_ok()
        );
        let pods = &RESOURCES[PODS];
        let service = json!({"apiVersion": "v1", "kind": "Service"});
        assert_eq!(
            check_type(pods, "v1", &service).unwrap_err().body["message"],
            "Service in version \"v1\" cannot be handled as a Pod: converting (v1.Service) to (core.Pod): unknown conversion"
        );
        let odd = json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService"});
        assert_eq!(
            check_type(pods, "v1", &odd).unwrap_err().body["message"],
            "VirtualService in version \"v1\" cannot be handled as a Pod: no kind \"VirtualService\" is registered \
             for version \"networking.istio.io/v1\" in scheme \"k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30\""
        );
        assert!(check_type(pods, "v1", &json!({"metadata": {}})).is_ok());
    }
}
