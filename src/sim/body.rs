//! What arrives with a request before any handler sees it: the body, read up to the
//! apiserver's size limit, object bodies decoded by their media type, and the URL path
//! with its escapes decoded.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::Value;

use super::resources::ResourceDef;
use super::status::ApiError;

/// kube-apiserver's default `--max-request-bytes`: 3 MiB.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// What create and update decode; the first is what a request without a Content-Type
/// gets, as Go's negotiation takes the first supported type.
const OBJECT_MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// Reads the body without ever holding more than the limit: a declared length over it is
/// refused before a byte is read, and a body that grows past it stops being read there.
pub async fn read_limited(body: Incoming, declared: Option<u64>) -> Result<Bytes, ApiError> {
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::too_large(MAX_BODY_BYTES));
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            Err(ApiError::too_large(MAX_BODY_BYTES))
        }
        Err(_) => Err(ApiError::bad_request("error reading request body")),
    }
}

/// The media type of a Content-Type header: lower case, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Decodes the object of a create or update (POST, PUT) by its Content-Type: JSON (also
/// when none is given), YAML or Kubernetes protobuf; anything else is 415.
pub fn decode_object(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    match media_type(content_type).as_str() {
        "" | "application/json" => {
            serde_json::from_slice(body).map_err(|e| ApiError::bad_request(&json_error(&e)))
        }
        "application/yaml" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("invalid UTF-8 in YAML body"))?;
            serde_saphyr::from_str::<Value>(text)
                .map_err(|e| ApiError::bad_request(&format!("error converting YAML to JSON: {e}")))
        }
        "application/vnd.kubernetes.protobuf" => super::protobuf::decode(body).map_err(|e| {
            ApiError::bad_request(&format!("the object provided is unrecognized: {e}"))
        }),
        _ => Err(ApiError::unsupported_media_type(OBJECT_MEDIA_TYPES)),
    }
}

/// Decodes a create or update body for `def`'s endpoint: custom resources are served
/// without protobuf, so a protobuf body there is 415 as on a real apiserver.
pub fn decode_for(def: &ResourceDef, content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    if def.custom && media_type(content_type) == "application/vnd.kubernetes.protobuf" {
        return Err(ApiError::unsupported_media_type(OBJECT_MEDIA_TYPES));
    }
    decode_object(content_type, body)
}

/// Go's `encoding/json` words for the two ways a body fails to parse that clients meet.
pub fn json_error(err: &serde_json::Error) -> String {
    if err.is_eof() {
        "unexpected end of JSON input".to_string()
    } else {
        format!("invalid character in JSON input: {err}")
    }
}

/// The path with its `%XX` escapes decoded, as Go's `url.URL.Path` holds it, so `a%2Fb`
/// is two segments and a name reads the same however it was escaped. None for a
/// malformed escape, which Go's server refuses before routing.
pub fn decode_path(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let text = std::str::from_utf8(hex).ok()?;
            decoded.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&decoded).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_before_routing() {
        assert_eq!(decode_path("/a/b%2Fc").as_deref(), Some("/a/b/c"));
        assert_eq!(decode_path("/a/%72eviews").as_deref(), Some("/a/reviews"));
        assert_eq!(decode_path("/a/100%25").as_deref(), Some("/a/100%"));
        assert_eq!(decode_path("/a/%zz"), None);
        assert_eq!(decode_path("/a/%2"), None);
        assert_eq!(decode_path("/a/%+1"), None);
    }

    #[test]
    fn object_bodies_decode_by_media_type() {
        let json = br#"{"kind": "Pod"}"#;
        assert_eq!(decode_object("", json).unwrap()["kind"], "Pod");
        assert_eq!(
            decode_object("Application/JSON; charset=utf-8", json).unwrap()["kind"],
            "Pod"
        );
        assert_eq!(
            decode_object("application/yaml", b"kind: Pod\n").unwrap()["kind"],
            "Pod"
        );
        let refused = decode_object("text/plain", json).unwrap_err();
        assert_eq!(refused.code, 415);
        assert_eq!(
            refused.body["message"],
            "the body of the request was in an unknown format - accepted media types include: \
             application/json, application/yaml, application/vnd.kubernetes.protobuf"
        );
        assert_eq!(
            decode_object("application/vnd.kubernetes.protobuf", b"k8s")
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(decode_object("", b"{").unwrap_err().code, 400);
        let protobuf = "application/vnd.kubernetes.protobuf";
        let vs = &crate::sim::resources::RESOURCES[crate::sim::resources::VIRTUALSERVICES];
        assert_eq!(decode_for(vs, protobuf, b"k8s\0").unwrap_err().code, 415);
        let pods = &crate::sim::resources::RESOURCES[crate::sim::resources::PODS];
        assert_eq!(decode_for(pods, protobuf, b"k8s\0").unwrap_err().code, 400);
    }
}
