//! Schema checks the VirtualService CRD makes on `spec.http[].route[]`, with the
//! apiserver's wording for each failure.

use serde_json::Value;

use super::resources::{RESOURCES, VIRTUALSERVICES};
use super::status::ApiError;

fn go_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
        Value::Number(_) => "number",
    }
}

fn routes(obj: &Value) -> impl Iterator<Item = (String, &Value)> {
    obj["spec"]["http"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .flat_map(|(i, http)| {
            http["route"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(j, route)| (format!("spec.http[{i}].route[{j}]"), route))
        })
}

/// An apply body is turned into a typed patch first, so a wrong JSON type fails there
/// with a 500 and no reason, before any validation.
pub fn check_applied_types(resource: usize, applied: &Value) -> Result<(), ApiError> {
    if resource != VIRTUALSERVICES {
        return Ok(());
    }
    for (path, route) in routes(applied) {
        if let Some(weight) = route.get("weight")
            && !weight.is_number()
            && !weight.is_null()
        {
            let name = applied["metadata"]["name"].as_str().unwrap_or_default();
            let message = format!(
                "failed to create typed patch object (/{name}; networking.istio.io/v1, Kind=VirtualService): \
                 .{path}.weight: expected numeric (int or float), got {}",
                go_type(weight)
            );
            return Err(ApiError::internal(&message));
        }
    }
    Ok(())
}

/// Validates a VirtualService about to be stored (422 Invalid with causes).
pub fn validate(resource: usize, obj: &Value) -> Result<(), ApiError> {
    if resource != VIRTUALSERVICES {
        return Ok(());
    }
    let mut causes: Vec<(String, String, String)> = Vec::new();
    for (path, route) in routes(obj) {
        if route["destination"].get("host").is_none_or(Value::is_null) {
            causes.push((
                "FieldValueRequired".into(),
                "Required value".into(),
                format!("{path}.destination.host"),
            ));
        }
        let field = format!("{path}.weight");
        match route.get("weight") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                if n.as_i64()
                    .is_none_or(|w| w > i64::from(i32::MAX) || w < i64::from(i32::MIN))
                {
                    causes.push((
                        "FieldValueInvalid".into(),
                        format!("Invalid value: {n}: {field} in body should be less than or equal to 2147483647"),
                        field,
                    ));
                }
            }
            Some(Value::Number(_)) => {
                causes.push((
                    "FieldValueTypeInvalid".into(),
                    format!("Invalid value: \"float64\": {field} in body must be of type int32: \"float64\""),
                    field.clone(),
                ));
                causes.push((
                    "FieldValueInvalid".into(),
                    format!("Invalid value: \"\": Checked value must be of type integer with format int32 in {field}"),
                    "<nil>".into(),
                ));
            }
            Some(other) => {
                let kind = go_type(other);
                causes.push((
                    "FieldValueTypeInvalid".into(),
                    format!("Invalid value: \"{kind}\": {field} in body must be of type integer: \"{kind}\""),
                    field,
                ));
            }
        }
    }
    if causes.is_empty() {
        return Ok(());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    Err(ApiError::invalid(
        &RESOURCES[VIRTUALSERVICES],
        name,
        &causes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vs(route: Value) -> Value {
        json!({"metadata": {"name": "reviews"}, "spec": {"http": [{"route": [route]}]}})
    }

    #[test]
    fn string_weight_is_a_type_error() {
        let err = validate(
            VIRTUALSERVICES,
            &vs(json!({"destination": {"host": "r"}, "weight": "x"})),
        )
        .unwrap_err();
        assert_eq!(
            err.body["details"]["causes"][0]["reason"],
            "FieldValueTypeInvalid"
        );
        assert_eq!(
            err.body["details"]["causes"][0]["field"],
            "spec.http[0].route[0].weight"
        );
        let err =
            check_applied_types(VIRTUALSERVICES, &vs(json!({"weight": "fifty"}))).unwrap_err();
        assert_eq!(err.code, 500);
        assert!(err.body.get("reason").is_none());
    }

    #[test]
    fn float_weight_has_two_causes_and_missing_host_is_required() {
        let err = validate(
            VIRTUALSERVICES,
            &vs(json!({"destination": {"host": "r"}, "weight": 50.5})),
        )
        .unwrap_err();
        assert_eq!(err.body["details"]["causes"][1]["field"], "<nil>");
        let err = validate(
            VIRTUALSERVICES,
            &vs(json!({"destination": {"subset": "v1"}, "weight": 100})),
        )
        .unwrap_err();
        assert_eq!(
            err.body["message"],
            "VirtualService.networking.istio.io \"reviews\" is invalid: spec.http[0].route[0].destination.host: Required value"
        );
        assert!(
            validate(
                VIRTUALSERVICES,
                &vs(json!({"destination": {"host": "r"}, "weight": 100}))
            )
            .is_ok()
        );
    }
}
