//! JSON patch (RFC 6902) with errors worded as the apiserver words them. Merge patches
//! (RFC 7386) are `json_patch::merge` as they are; strategic merge patches live in
//! `strategic`.

use json_patch::{Patch, PatchError, PatchErrorKind, PatchOperation};
use serde_json::Value;

/// The operation names RFC 6902 defines; anything else is refused the way Go's jsonpatch
/// refuses it.
const KINDS: &[&str] = &["add", "remove", "replace", "move", "copy", "test"];

/// Applies an RFC 6902 JSON patch (nothing changes when an operation fails). The error text
/// is what the apiserver puts after "the server rejected our request due to an error in our
/// request", in the words of the Go jsonpatch library it uses.
pub fn json_patch(target: &mut Value, operations: &Value) -> Result<(), String> {
    let Some(items) = operations.as_array() else {
        return Err("json: cannot unmarshal object into Go value of type jsonpatch.Patch".into());
    };
    let patch: Patch = serde_json::from_value(operations.clone()).map_err(|err| {
        let unknown = items
            .iter()
            .filter_map(|op| op["op"].as_str())
            .find(|kind| !KINDS.contains(kind));
        match unknown {
            Some(kind) => format!("Unexpected kind: {kind}"),
            None => err.to_string(),
        }
    })?;
    json_patch::patch(target, &patch).map_err(|err| describe(&patch, &err))
}

fn describe(patch: &Patch, err: &PatchError) -> String {
    let path = &err.path;
    let (kind, from) = match patch.get(err.operation) {
        Some(PatchOperation::Add(_)) => ("add", None),
        Some(PatchOperation::Remove(_)) => ("remove", None),
        Some(PatchOperation::Replace(_)) => ("replace", None),
        Some(PatchOperation::Move(op)) => ("move", Some(&op.from)),
        Some(PatchOperation::Copy(op)) => ("copy", Some(&op.from)),
        Some(PatchOperation::Test(_)) => {
            return format!("testing value {path} failed: test failed");
        }
        None => return err.to_string(),
    };
    match (&err.kind, from) {
        (PatchErrorKind::InvalidPointer, _) => {
            format!("{kind} operation does not apply: doc is missing path: \"{path}\"")
        }
        (PatchErrorKind::InvalidFromPointer, Some(from)) => {
            format!("{kind} operation does not apply: doc is missing from path: \"{from}\"")
        }
        (other, _) => format!("{kind} operation does not apply: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_patch_honours_test() {
        let mut doc = json!({"w": [{"x": 70}, {"x": 30}]});
        let ops = json!([{"op": "test", "path": "/w/0/x", "value": 70},
                         {"op": "replace", "path": "/w/0/x", "value": 60},
                         {"op": "add", "path": "/w/-", "value": {"x": 1}}]);
        json_patch(&mut doc, &ops).unwrap();
        assert_eq!(doc, json!({"w": [{"x": 60}, {"x": 30}, {"x": 1}]}));
        let failing = json!([{"op": "replace", "path": "/w/1/x", "value": 0},
                             {"op": "test", "path": "/w/0/x", "value": 70}]);
        assert_eq!(
            json_patch(&mut doc, &failing),
            Err("testing value /w/0/x failed: test failed".into())
        );
        assert_eq!(doc["w"][1]["x"], 30, "a failed patch changes nothing");
    }

    #[test]
    fn json_patch_errors_read_like_the_apiservers() {
        let mut doc = json!({"a": 1});
        let error = |doc: &mut Value, ops: Value| json_patch(doc, &ops).unwrap_err();
        assert_eq!(
            error(&mut doc, json!([{"op": "remove", "path": "/nope"}])),
            "remove operation does not apply: doc is missing path: \"/nope\""
        );
        assert_eq!(
            error(&mut doc, json!([{"op": "add", "path": "/b/c", "value": 1}])),
            "add operation does not apply: doc is missing path: \"/b/c\""
        );
        assert_eq!(
            error(
                &mut doc,
                json!([{"op": "copy", "from": "/x", "path": "/y"}])
            ),
            "copy operation does not apply: doc is missing from path: \"/x\""
        );
        assert_eq!(
            error(&mut doc, json!([{"op": "frobnicate", "path": "/a"}])),
            "Unexpected kind: frobnicate"
        );
        assert_eq!(
            error(&mut doc, json!({"op": "add"})),
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        );
        assert_eq!(doc, json!({"a": 1}));
    }
}
