//! `fieldValidation=Strict|Warn|Ignore` on writes: fields the kind's schema does not
//! declare refuse the write (Strict), come back as `Warning` headers (Warn, the default),
//! or pass silently (Ignore). Either way they are dropped, as decoding into the apiserver's
//! types (or pruning a custom resource) drops them.

use serde_json::{Value, json};

use super::http::Call;
use super::names::go_quote;
use super::openapi_schema::{Node, unknown_fields};
use super::resources::RESOURCES;
use super::status::ApiError;
use super::strategic::go_map;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Strict,
    Warn,
    Ignore,
}

/// The request's `fieldValidation`; anything but the three values is refused as the
/// options' validation refuses it (`options` is `CreateOptions`, `UpdateOptions`, ...).
pub fn mode(call: &Call, options: &str) -> Result<Mode, ApiError> {
    match call.param("fieldValidation").unwrap_or_default() {
        "" | "Warn" => Ok(Mode::Warn),
        "Strict" => Ok(Mode::Strict),
        "Ignore" => Ok(Mode::Ignore),
        other => {
            let cause = format!(
                "Unsupported value: {}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                go_quote(other)
            );
            let details = json!({"group": "meta.k8s.io", "kind": options, "causes": [
                {"reason": "FieldValueNotSupported", "message": cause, "field": "fieldValidation"}]});
            Err(ApiError::new(
                422,
                Some("Invalid"),
                &format!("{options}.meta.k8s.io \"\" is invalid: fieldValidation: {cause}"),
                Some(details),
            ))
        }
    }
}

fn listed(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("unknown field {}", go_quote(f)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Removes the fields at `paths` (as `unknown_fields` names them) from `obj`.
fn prune(obj: &mut Value, paths: &[String]) {
    for path in paths {
        let mut steps: Vec<String> = Vec::new();
        for part in path.split('.') {
            let (name, rest) = part.split_once('[').unwrap_or((part, ""));
            steps.push(name.to_string());
            for index in rest.split('[') {
                if let Some(i) = index.strip_suffix(']') {
                    steps.push(format!("[{i}"));
                }
            }
        }
        remove(obj, &steps);
    }
}

fn remove(obj: &mut Value, steps: &[String]) {
    let Some((first, rest)) = steps.split_first() else {
        return;
    };
    let next = match first.strip_prefix('[') {
        Some(index) => index
            .parse::<usize>()
            .ok()
            .and_then(|i| obj.as_array_mut()?.get_mut(i)),
        None if rest.is_empty() => {
            if let Some(map) = obj.as_object_mut() {
                map.remove(first.as_str());
            }
            return;
        }
        None => obj.get_mut(first.as_str()),
    };
    if let Some(next) = next {
        remove(next, rest);
    }
}

/// Checks a create or update body: Strict refuses unknown fields with the decoder's 400;
/// otherwise they are dropped, and Warn returns one warning per field.
pub fn check_object(
    resource: usize,
    version: &str,
    obj: &mut Value,
    mode: Mode,
) -> Result<Vec<String>, ApiError> {
    let def = &RESOURCES[resource];
    let Some(node) = Node::of_resource(def) else {
        return Ok(Vec::new());
    };
    let unknown = unknown_fields(node, obj);
    if unknown.is_empty() {
        return Ok(Vec::new());
    }
    if mode == Mode::Strict {
        let kind = def.kind;
        return Err(ApiError::bad_request(&format!(
            "{kind} in version {} cannot be handled as a {kind}: strict decoding error: {}",
            go_quote(version),
            listed(&unknown)
        )));
    }
    prune(obj, &unknown);
    Ok(warnings(&unknown, mode))
}

fn warnings(unknown: &[String], mode: Mode) -> Vec<String> {
    if mode != Mode::Warn {
        return Vec::new();
    }
    unknown
        .iter()
        .map(|f| format!("unknown field {}", go_quote(f)))
        .collect()
}

/// Checks a patched object: fields it has that the stored one did not. Strict refuses the
/// patch (422, field `patch`, quoting a strategic patch as a Go map and others as text).
pub fn check_patched(
    resource: usize,
    current: &Value,
    patched: &mut Value,
    patch_text: &str,
    strategic: Option<&Value>,
    mode: Mode,
) -> Result<Vec<String>, ApiError> {
    let Some(node) = Node::of_resource(&RESOURCES[resource]) else {
        return Ok(Vec::new());
    };
    let before = unknown_fields(node, current);
    let unknown: Vec<String> = unknown_fields(node, patched)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    if unknown.is_empty() {
        return Ok(Vec::new());
    }
    if mode == Mode::Strict {
        let shown = match strategic {
            Some(patch) => go_map(patch),
            None => patch_text.to_string(),
        };
        let cause = format!(
            "Invalid value: {}: strict decoding error: {}",
            go_quote(&shown),
            listed(&unknown)
        );
        let details = json!({"causes": [{"reason": "FieldValueInvalid", "message": cause, "field": "patch"}]});
        return Err(ApiError::new(
            422,
            Some("Invalid"),
            &format!(" \"\" is invalid: patch: {cause}"),
            Some(details),
        ));
    }
    prune(patched, &unknown);
    Ok(warnings(&unknown, mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::{DEPLOYMENTS, SERVICES};

    fn recorded(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/k8s/kubectl/apply-twice/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn strict_creates_fail_as_recorded() {
        let exchange =
            recorded("68-apply-service-unknown-field-new-post-service-details-typo-400.json");
        let mut body = exchange["request"]["body"].clone();
        let err = check_object(SERVICES, "v1", &mut body, Mode::Strict).unwrap_err();
        assert_eq!(err.body, exchange["response"]["body"]);
        let warned = check_object(SERVICES, "v1", &mut body, Mode::Warn).unwrap();
        assert_eq!(warned, ["unknown field \"spec.foo\""]);
        assert!(body["spec"].get("foo").is_none(), "dropped: {body}");
        assert_eq!(body["spec"]["ports"][0]["port"], 9080);
    }

    #[test]
    fn strict_strategic_patches_fail_as_recorded() {
        let exchange = recorded(
            "70-apply-service-unknown-field-existing-strategic-merge-patch-service-details-422.json",
        );
        let current = recorded("69-apply-service-unknown-field-existing-get-service-details.json");
        let current = &current["response"]["body"];
        let patch = &exchange["request"]["body"];
        let mut patched = current.clone();
        patched["spec"]["foo"] = json!(1);
        let err = check_patched(
            SERVICES,
            current,
            &mut patched,
            "",
            Some(patch),
            Mode::Strict,
        )
        .unwrap_err();
        assert_eq!(err.code, 422);
        assert_eq!(err.body, exchange["response"]["body"]);
        let ignored = check_patched(
            SERVICES,
            current,
            &mut patched,
            "",
            Some(patch),
            Mode::Ignore,
        )
        .unwrap();
        assert!(ignored.is_empty() && patched["spec"].get("foo").is_none());
    }

    #[test]
    fn nested_unknown_fields_are_dropped_where_they_are() {
        let mut obj = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "x"}, {"name": "b", "imagee": "y"}]}}}});
        let warned = check_object(DEPLOYMENTS, "v1", &mut obj, Mode::Warn).unwrap();
        assert_eq!(
            warned,
            ["unknown field \"spec.template.spec.containers[1].imagee\""]
        );
        assert_eq!(
            obj["spec"]["template"]["spec"]["containers"][1],
            json!({"name": "b"})
        );
    }
}
