//! Verb dispatch and the read verbs (get, list); writes live in `writes`, watches in `watch`.

use std::sync::Arc;

use crate::sim::meta::meta_string;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::Response;
use serde_json::{Value, json};

use super::checks::check_url_name;
use super::http::{Body, Call, Shared, error_response, full, json_response};
use super::resources::{ENDPOINTS, RESOURCES, ResourceDef};
use super::room;
use super::status::ApiError;
use super::store::{ListEntry, Stored};
use super::tokens::VIEWER_USER;
use super::{scale, table, watch, writes};

/// Serves one API call. Core v1 Endpoints answers carry the deprecation warning kubectl
/// prints, as kube-apiserver v1.33+ sends it.
pub async fn handle(shared: Arc<Shared>, call: Call) -> Response<Body> {
    let deprecated = call.target.resource == ENDPOINTS;
    let mut response = serve(shared, call).await;
    if deprecated {
        response.headers_mut().insert(
            "Warning",
            hyper::header::HeaderValue::from_static(
                "299 - \"v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\"",
            ),
        );
    }
    response
}

async fn serve(shared: Arc<Shared>, call: Call) -> Response<Body> {
    let def = &RESOURCES[call.target.resource];
    let Some(verb) = call.verb() else {
        let err = ApiError::new(
            405,
            Some("MethodNotAllowed"),
            "the server does not allow this method on the requested resource",
            None,
        );
        return error_response(&err);
    };
    let namespace = call.target.namespace.clone().unwrap_or_default();
    // The viewer is bound to a read-only role: authorization refuses its writes before
    // anything else is looked at, as RBAC does.
    let read_only = call.user == VIEWER_USER && !matches!(verb, "get" | "list" | "watch");
    let outside_room = !room::may(
        call.user,
        verb,
        def.plural,
        call.target.name.as_deref(),
        &namespace,
    );
    if read_only || outside_room || shared.store.is_forbidden(verb, def.plural, &namespace) {
        let name = call.target.name.as_deref();
        return error_response(&ApiError::forbidden(def, name, call.user, verb, &namespace));
    }
    if let Err(err) = check_url_name(&call.target) {
        return error_response(&err);
    }
    let result = match verb {
        _ if call.target.subresource.as_deref() == Some("scale") => match verb {
            "get" | "update" | "patch" => scale::serve(&shared, &call),
            _ => Err(ApiError::new(
                405,
                Some("MethodNotAllowed"),
                "the server does not allow this method on the requested resource",
                None,
            )),
        },
        "get" => get(&shared, &call),
        "list" => {
            return match list(&shared, &call) {
                Ok(response) => response,
                Err(err) => error_response(&err),
            };
        }
        "watch" => return watch::serve(shared, &call),
        "create" => writes::create(&shared, &call),
        "update" => writes::replace(&shared, &call),
        "patch" => writes::patch(&shared, &call),
        _ => writes::delete(&shared, &call),
    };
    match result {
        Ok((code, body)) => with_warnings(json_response(code, &body, "application/json"), &call),
        Err(err) => error_response(&err),
    }
}

/// Adds a `Warning: 299 - "text"` header per warning the write collected, as the apiserver
/// sends them (kubectl prints each as `Warning: text`).
fn with_warnings(mut response: Response<Body>, call: &Call) -> Response<Body> {
    let warnings = call.warnings.lock().unwrap_or_else(|p| p.into_inner());
    for text in warnings.iter() {
        let quoted = serde_json::to_string(text).unwrap_or_default();
        if let Ok(value) = hyper::header::HeaderValue::from_str(&format!("299 - {quoted}")) {
            response.headers_mut().append("Warning", value);
        }
    }
    response
}

fn get(shared: &Shared, call: &Call) -> Result<(u16, Value), ApiError> {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let tables = table::negotiate(call)?;
    let name = target.name.as_deref().unwrap_or_default();
    let namespace = target.namespace.as_deref().unwrap_or_default();
    let obj = shared
        .store
        .get(target.resource, namespace, name)
        .ok_or_else(|| ApiError::not_found(def, name))?;
    match tables {
        Some(tables) => Ok((200, tables.get(&obj))),
        None => Ok((200, def.present(&target.version, &obj))),
    }
}

fn continue_token(rv: u64, namespace: &str, name: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({"rv": rv, "ns": namespace, "name": name}).to_string())
}

fn parse_continue(token: &str) -> Option<(u64, String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    Some((
        value["rv"].as_u64()?,
        value["ns"].as_str()?.into(),
        value["name"].as_str()?.into(),
    ))
}

/// A list page. Items are parsed and written out one at a time, so a page of thousands of
/// pods never exists as parsed values all at once.
fn list(shared: &Shared, call: &Call) -> Result<Response<Body>, ApiError> {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let tables = table::negotiate(call)?;
    let selector = call.selector()?;
    let asked_rv = call
        .param("resourceVersion")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let exact = call.param("resourceVersionMatch") == Some("Exact") && asked_rv > 0;
    if exact && asked_rv < shared.store.oldest_rv() {
        return Err(ApiError::list_expired());
    }
    let namespace = target.namespace.as_deref();
    let (entries, mut rv) = if exact {
        let objects = shared.store.list_at(target.resource, namespace, asked_rv);
        let entries = objects
            .iter()
            .map(|obj| ListEntry {
                namespace: meta_string(obj, "namespace"),
                name: meta_string(obj, "name"),
                object: Arc::new(Stored::new(obj)),
            })
            .collect();
        (entries, asked_rv)
    } else {
        shared.store.list_entries(target.resource, namespace)
    };
    let mut after: Option<(String, String)> = None;
    if let Some(token) = call.param("continue").filter(|t| !t.is_empty()) {
        let (token_rv, ns, name) = parse_continue(token).ok_or_else(|| {
            ApiError::bad_request("continue key is not valid: illegal base64 data")
        })?;
        rv = token_rv;
        after = Some((ns, name));
    }
    let limit = call
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    // Objects are parsed one at a time, only for the page being returned.
    let mut matching = entries
        .into_iter()
        .filter(|entry| {
            after.as_ref().is_none_or(|(ns, name)| {
                (entry.namespace.as_str(), entry.name.as_str()) > (ns.as_str(), name.as_str())
            })
        })
        .filter_map(|entry| {
            if selector.is_everything() {
                return Some(entry);
            }
            selector.matches(&entry.object.value()).then_some(entry)
        });
    let mut items: Vec<String> = Vec::new();
    let now = jiff::Timestamp::now();
    let mut remaining = 0usize;
    let mut last_key = (String::new(), String::new());
    for entry in matching.by_ref() {
        if limit.is_some_and(|l| items.len() >= l) {
            remaining = 1;
            break;
        }
        last_key = (entry.namespace.clone(), entry.name.clone());
        let item = match &tables {
            Some(tables) => tables.row(&entry.object.value(), now),
            None => list_item(def, &target.version, entry.object.value()),
        };
        items.push(serde_json::to_string(&item).unwrap_or_default());
    }
    remaining += matching.count();
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if remaining > 0 {
        let token = continue_token(rv, &last_key.0, &last_key.1);
        metadata["continue"] = json!(token);
        metadata["remainingItemCount"] = json!(remaining);
    } else if def.custom {
        metadata["continue"] = json!("");
    }
    let body = match &tables {
        Some(tables) => tables.list_text(&metadata, &items),
        None => format!(
            "{{\"kind\":{},\"apiVersion\":{},\"metadata\":{},\"items\":[{}]}}",
            json!(format!("{}List", def.kind)),
            json!(def.api_version(&target.version)),
            metadata,
            items.join(",")
        ),
    };
    Ok(Response::builder()
        .status(200)
        .header("Content-Type", "application/json")
        .header("Cache-Control", "no-cache, private")
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full(""))))
}

/// Built-in list items carry no kind/apiVersion; custom resource items do.
fn list_item(def: &ResourceDef, version: &str, mut obj: Value) -> Value {
    if def.custom {
        return def.present(version, &obj);
    }
    if let Some(map) = obj.as_object_mut() {
        map.remove("kind");
        map.remove("apiVersion");
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip() {
        let token = continue_token(42, "default", "reviews-v1");
        assert_eq!(
            parse_continue(&token),
            Some((42, "default".into(), "reviews-v1".into()))
        );
        assert_eq!(parse_continue("!!"), None);
    }
}
