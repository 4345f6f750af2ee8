//! `Status` bodies for failed requests, worded exactly as kube-apiserver words them.

use serde_json::{Value, json};

use super::names::go_quote;
use super::resources::ResourceDef;

/// A failed API request: the HTTP code and the `Status` body sent with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub body: Value,
}

impl ApiError {
    pub fn new(code: u16, reason: Option<&str>, message: &str, details: Option<Value>) -> Self {
        let mut body = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message,
        });
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        if let Some(details) = details {
            body["details"] = details;
        }
        body["code"] = json!(code);
        ApiError { code, body }
    }

    pub fn not_found(def: &ResourceDef, name: &str) -> Self {
        let message = format!("{} \"{name}\" not found", def.qualified());
        Self::new(
            404,
            Some("NotFound"),
            &message,
            Some(details(def, Some(name))),
        )
    }

    pub fn already_exists(def: &ResourceDef, name: &str) -> Self {
        let message = format!("{} \"{name}\" already exists", def.qualified());
        Self::new(
            409,
            Some("AlreadyExists"),
            &message,
            Some(details(def, Some(name))),
        )
    }

    pub fn conflict(def: &ResourceDef, name: &str) -> Self {
        let message = format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
             please apply your changes to the latest version and try again",
            def.qualified()
        );
        Self::new(
            409,
            Some("Conflict"),
            &message,
            Some(details(def, Some(name))),
        )
    }

    pub fn forbidden(
        def: &ResourceDef,
        name: Option<&str>,
        user: &str,
        verb: &str,
        ns: &str,
    ) -> Self {
        let subject = match name {
            Some(name) => format!("{} \"{name}\"", def.qualified()),
            None => def.qualified(),
        };
        let scope = if ns.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{ns}\"")
        };
        let message = format!(
            "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
            def.plural, def.group
        );
        Self::new(403, Some("Forbidden"), &message, Some(details(def, name)))
    }

    pub fn unauthorized() -> Self {
        Self::new(401, Some("Unauthorized"), "Unauthorized", None)
    }

    pub fn bad_request(message: &str) -> Self {
        Self::new(400, Some("BadRequest"), message, None)
    }

    /// 415 for a body in a media type the endpoint does not decode.
    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        let message = format!(
            "the body of the request was in an unknown format - accepted media types include: {}",
            accepted.join(", ")
        );
        Self::new(415, Some("UnsupportedMediaType"), &message, None)
    }

    /// 415 for a patch type the resource does not take: custom resources have no
    /// strategic merge patch.
    pub fn unsupported_patch(def: &ResourceDef) -> Self {
        let types: &[&str] = if def.custom {
            &[
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/apply-patch+yaml",
            ]
        } else {
            &[
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
                "application/apply-patch+yaml",
            ]
        };
        Self::unsupported_media_type(types)
    }

    /// 413 for a body over the apiserver's limit (`--max-request-bytes`, 3 MiB).
    pub fn too_large(limit: usize) -> Self {
        let message = format!("Request entity too large: limit is {limit}");
        Self::new(413, Some("RequestEntityTooLarge"), &message, None)
    }

    /// 400 for a name in the URL that cannot be a storage key (`NamespaceKeyFunc`).
    pub fn name_parameter_invalid(name: &str, problems: &[String]) -> Self {
        let message = format!(
            "Name parameter invalid: {}: {}",
            go_quote(name),
            problems.join(";")
        );
        Self::bad_request(&message)
    }

    pub fn list_expired() -> Self {
        Self::new(
            410,
            Some("Expired"),
            "The resourceVersion for the provided list is too old.",
            None,
        )
    }

    pub fn internal(message: &str) -> Self {
        Self::new(500, None, message, None)
    }

    /// 422 `Invalid` for an object, with one cause per `(reason, message, field)`.
    pub fn invalid(def: &ResourceDef, name: &str, causes: &[(String, String, String)]) -> Self {
        Self::invalid_kind(def.kind, def.group, name, causes)
    }

    /// 422 `Invalid` naming the kind the object says it is, which may not be the endpoint's.
    pub fn invalid_kind(
        kind: &str,
        group: &str,
        name: &str,
        causes: &[(String, String, String)],
    ) -> Self {
        let described: Vec<String> = causes
            .iter()
            .map(|(_, message, field)| format!("{field}: {message}"))
            .collect();
        let summary = if described.len() == 1 {
            described[0].clone()
        } else {
            format!("[{}]", described.join(", "))
        };
        // Go's GroupKind.String(): the core group has no suffix.
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let message = format!("{qualified} {} is invalid: {summary}", go_quote(name));
        let causes: Vec<Value> = causes
            .iter()
            .map(|(reason, message, field)| json!({"reason": reason, "message": message, "field": field}))
            .collect();
        let mut details = json!({"name": name, "group": group, "kind": kind, "causes": causes});
        if group.is_empty()
            && let Some(map) = details.as_object_mut()
        {
            map.remove("group");
        }
        Self::new(422, Some("Invalid"), &message, Some(details))
    }

    /// The ERROR event a watch sends when asked to start before the oldest kept change.
    pub fn watch_expired(asked: u64, oldest: u64) -> Self {
        let message = format!("too old resource version: {asked} ({oldest})");
        Self::new(410, Some("Expired"), &message, None)
    }
}

fn details(def: &ResourceDef, name: Option<&str>) -> Value {
    let mut details = serde_json::Map::new();
    if let Some(name) = name {
        details.insert("name".into(), json!(name));
    }
    if !def.group.is_empty() {
        details.insert("group".into(), json!(def.group));
    }
    details.insert("kind".into(), json!(def.plural));
    Value::Object(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::{PODS, RESOURCES, VIRTUALSERVICES};

    #[test]
    fn forbidden_wording_matches_the_apiserver() {
        let err = ApiError::forbidden(&RESOURCES[PODS], None, "demo-viewer", "watch", "default");
        assert_eq!(
            err.body["message"],
            "pods is forbidden: User \"demo-viewer\" cannot watch resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        assert_eq!(err.body["details"], json!({"kind": "pods"}));
    }

    #[test]
    fn invalid_with_two_causes_is_bracketed() {
        let causes = vec![
            ("A".to_string(), "one".to_string(), "f".to_string()),
            ("B".to_string(), "two".to_string(), "<nil>".to_string()),
        ];
        let err = ApiError::invalid(&RESOURCES[VIRTUALSERVICES], "reviews", &causes);
        assert_eq!(
            err.body["message"],
            "VirtualService.networking.istio.io \"reviews\" is invalid: [f: one, <nil>: two]"
        );
        assert_eq!(err.code, 422);
        let err = ApiError::invalid(&RESOURCES[PODS], "UPPER", &causes[..1]);
        assert_eq!(err.body["message"], "Pod \"UPPER\" is invalid: f: one");
        assert_eq!(err.body["details"].get("group"), None);
    }
}
