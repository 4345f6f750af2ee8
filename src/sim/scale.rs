//! The `scale` subresource of Deployments and ReplicaSets (`kubectl scale`): reads and
//! writes of `spec.replicas` through an `autoscaling/v1` `Scale`.

use serde_json::{Value, json};

use super::apply::record_update;
use super::body::{decode_object, json_error, media_type};
use super::http::{Call, Shared};
use super::meta::metadata_mut;
use super::patch::json_patch;
use super::resources::RESOURCES;
use super::status::ApiError;
use super::store::Write;
use super::strategic::strategic_merge_patch;

type Outcome = Result<(u16, Value), ApiError>;

/// Go's `LabelSelector` printed as a selector string, requirements sorted by key.
fn selector_text(selector: &Value) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    if let Some(labels) = selector["matchLabels"].as_object() {
        for (key, value) in labels {
            parts.push((
                key.clone(),
                format!("{key}={}", value.as_str().unwrap_or_default()),
            ));
        }
    }
    for expr in selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let key = expr["key"].as_str().unwrap_or_default();
        let mut values: Vec<&str> = expr["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        let text = match expr["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            _ => format!("!{key}"),
        };
        parts.push((key.to_string(), text));
    }
    parts.sort();
    parts
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(",")
}

/// The `Scale` view of a Deployment or ReplicaSet.
pub fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let mut metadata = serde_json::Map::new();
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(value) = meta.get(field) {
            metadata.insert(field.into(), value.clone());
        }
    }
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {
            "replicas": obj["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector_text(&obj["spec"]["selector"]),
        }
    })
}

/// GET, PUT and PATCH of `.../scale`.
pub fn serve(shared: &Shared, call: &Call) -> Outcome {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    if call.method == hyper::Method::GET {
        let obj = shared
            .store
            .get(target.resource, &namespace, &name)
            .ok_or_else(|| ApiError::not_found(def, &name))?;
        return Ok((200, scale_of(&obj)));
    }
    let media = media_type(&call.content_type);
    let patch_doc: Option<Value> = match call.method {
        hyper::Method::PATCH => {
            if !matches!(
                media.as_str(),
                "application/merge-patch+json"
                    | "application/strategic-merge-patch+json"
                    | "application/json-patch+json"
            ) {
                return Err(ApiError::unsupported_patch(def));
            }
            Some(serde_json::from_slice(&call.body).map_err(|e| {
                ApiError::bad_request(&format!("error decoding patch: {}", json_error(&e)))
            })?)
        }
        _ => None,
    };
    let body = match patch_doc {
        Some(_) => None,
        None => Some(decode_object(&call.content_type, &call.body)?),
    };
    let manager = call
        .param("fieldManager")
        .filter(|m| !m.is_empty())
        .unwrap_or("unknown")
        .to_string();
    let (stored, _) = shared
        .store
        .transact(target.resource, &namespace, &name, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(def, &name))?;
            let mut scale = scale_of(current);
            match (&patch_doc, &body) {
                (Some(patch), _) if media == "application/json-patch+json" => {
                    json_patch(&mut scale, patch)
                        .map_err(|e| ApiError::new(422, Some("Invalid"), &e, None))?;
                }
                (Some(patch), _) if media == "application/merge-patch+json" => {
                    json_patch::merge(&mut scale, patch);
                }
                (Some(patch), _) => strategic_merge_patch(&mut scale, patch, None)
                    .map_err(|e| ApiError::new(422, Some("Invalid"), &e, None))?,
                (None, Some(body)) => {
                    let rv = &body["metadata"]["resourceVersion"];
                    if rv.as_str().is_some_and(|rv| !rv.is_empty())
                        && *rv != current["metadata"]["resourceVersion"]
                    {
                        return Err(ApiError::conflict(def, &name));
                    }
                    scale = body.clone();
                }
                (None, None) => {}
            }
            let replicas = replicas(&scale, &name)?;
            let mut new = current.clone();
            new["spec"]["replicas"] = json!(replicas);
            if let Some(fields) = current["metadata"].get("managedFields") {
                metadata_mut(&mut new).insert("managedFields".into(), fields.clone());
            }
            record_update(
                Some(current),
                &mut new,
                &manager,
                Some("scale"),
                &def.storage_api_version(),
            );
            Ok(Write::Replace(new))
        })?;
    Ok((200, scale_of(&stored)))
}

/// `spec.replicas` of the written Scale, refused as the apiserver's validation refuses it.
fn replicas(scale: &Value, name: &str) -> Result<i64, ApiError> {
    let value = &scale["spec"]["replicas"];
    let Some(replicas) = value.as_i64().or_else(|| value.is_null().then_some(0)) else {
        return Err(ApiError::bad_request(&format!(
            "Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal {} into Go struct field ScaleSpec.spec.replicas of type int32",
            if value.is_string() {
                "string"
            } else {
                "number"
            }
        )));
    };
    if replicas < 0 {
        let causes = [(
            "FieldValueInvalid".to_string(),
            format!("Invalid value: {replicas}: must be greater than or equal to 0"),
            "spec.replicas".to_string(),
        )];
        return Err(ApiError::invalid_kind(
            "Scale",
            "autoscaling",
            name,
            &causes,
        ));
    }
    Ok(replicas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_view_matches_the_recorded_one() {
        let deployment = json!({"metadata": {"name": "reviews-v3", "namespace": "default",
            "uid": "u", "resourceVersion": "696", "creationTimestamp": "t", "labels": {"a": "b"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"version": "v3", "app": "reviews"}}},
            "status": {"replicas": 1}});
        assert_eq!(
            scale_of(&deployment),
            json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": "reviews-v3", "namespace": "default", "uid": "u",
                             "resourceVersion": "696", "creationTimestamp": "t"},
                "spec": {"replicas": 2}, "status": {"replicas": 1, "selector": "app=reviews,version=v3"}})
        );
        let expressions = json!({"matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["b", "a"]}, {"key": "gone", "operator": "DoesNotExist"}]});
        assert_eq!(selector_text(&expressions), "!gone,tier in (a,b)");
    }

    #[test]
    fn negative_and_mistyped_replicas_are_refused() {
        let err = replicas(&json!({"spec": {"replicas": -1}}), "r").unwrap_err();
        assert_eq!(err.code, 422);
        assert_eq!(
            err.body["message"],
            "Scale.autoscaling \"r\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        let err = replicas(&json!({"spec": {"replicas": "2"}}), "r").unwrap_err();
        assert_eq!(err.code, 400);
    }
}
