//! Request bodies in `application/vnd.kubernetes.protobuf` (what kubectl's typed clients
//! send for `create configmap|secret|namespace|deployment`), decoded into the JSON object
//! the write path takes: the `k8s\0` envelope, `runtime.Unknown`, then the object itself.
//!
//! The wire format is read with prost's decoding primitives; the field numbers come from
//! `assets/sim/protobuf/messages.json`, written by its `generate.py` from the k8s-pb crate
//! (kube-rs's bindings of Kubernetes' .proto files), so no field number is typed by hand.
//! k8s-pb's own structs are not used: they have no JSON form, and turning each of them into
//! JSON by hand would be far more code than one table-driven walk.

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prost::bytes::Buf;
use prost::encoding::{WireType, decode_key, decode_varint};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const MESSAGES: &str = include_str!("../../assets/sim/protobuf/messages.json");
const MAGIC: &[u8] = b"k8s\0";

#[derive(Deserialize)]
struct Field {
    tag: u32,
    json: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    repeated: bool,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

type Messages = HashMap<String, Vec<Field>>;

fn messages() -> &'static Messages {
    static TABLE: OnceLock<Messages> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(MESSAGES).unwrap_or_default())
}

/// Pointer fields whose zero value means something (`--replicas=0`): the wire cannot tell
/// them from Go's omitted zero values, so these keep their zero.
const ZERO_KEPT: &[&str] = &[
    "replicas",
    "terminationGracePeriodSeconds",
    "revisionHistoryLimit",
    "automountServiceAccountToken",
    "immutable",
];

/// One raw field: its number and its payload (a varint, fixed bytes, or a slice).
enum Raw<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed64(u64),
    Fixed32(u32),
}

fn fields(mut buf: &[u8]) -> Result<Vec<(u32, Raw<'_>)>, String> {
    let mut out = Vec::new();
    while buf.has_remaining() {
        let (tag, wire) = decode_key(&mut buf).map_err(|e| e.to_string())?;
        let raw = match wire {
            WireType::Varint => Raw::Varint(decode_varint(&mut buf).map_err(|e| e.to_string())?),
            WireType::LengthDelimited => {
                let len = decode_varint(&mut buf).map_err(|e| e.to_string())?;
                let len = usize::try_from(len).map_err(|e| e.to_string())?;
                if len > buf.len() {
                    return Err("unexpected EOF".into());
                }
                let (head, rest) = buf.split_at(len);
                buf = rest;
                Raw::Bytes(head)
            }
            WireType::SixtyFourBit if buf.len() >= 8 => Raw::Fixed64(buf.get_u64_le()),
            WireType::ThirtyTwoBit if buf.len() >= 4 => Raw::Fixed32(buf.get_u32_le()),
            _ => return Err(format!("unsupported wire type {wire:?}")),
        };
        out.push((tag, raw));
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "invalid UTF-8 in a string field".to_string())
}

/// Go's RFC 3339 form of a `metav1.Time` (whole seconds, UTC).
fn time(bytes: &[u8]) -> Result<Value, String> {
    let mut seconds = 0i64;
    for (tag, raw) in fields(bytes)? {
        if let (1, Raw::Varint(v)) = (tag, raw) {
            seconds = v as i64;
        }
    }
    if seconds == 0 {
        return Ok(Value::Null);
    }
    let at = jiff::Timestamp::from_second(seconds).map_err(|e| e.to_string())?;
    Ok(json!(at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

fn int_or_string(bytes: &[u8]) -> Result<Value, String> {
    let (mut is_string, mut int, mut string) = (false, 0i64, String::new());
    for (tag, raw) in fields(bytes)? {
        match (tag, raw) {
            (1, Raw::Varint(v)) => is_string = v == 1,
            (2, Raw::Varint(v)) => int = i64::from(v as i32),
            (3, Raw::Bytes(b)) => string = text(b)?,
            _ => {}
        }
    }
    Ok(if is_string { json!(string) } else { json!(int) })
}

/// The payload of a field whose type is a message, by the message's name.
fn message_value(name: &str, bytes: &[u8]) -> Result<Value, String> {
    match name.rsplit('.').next().unwrap_or_default() {
        "Time" => time(bytes),
        "IntOrString" => int_or_string(bytes),
        "Quantity" => Ok(json!(
            single_bytes(bytes)
                .map(text)
                .transpose()?
                .unwrap_or_default()
        )),
        "FieldsV1" | "RawExtension" => {
            let raw = single_bytes(bytes).unwrap_or_default();
            Ok(serde_json::from_slice(raw).unwrap_or(Value::Null))
        }
        _ => decode_message(name, bytes),
    }
}

fn single_bytes(bytes: &[u8]) -> Option<&[u8]> {
    fields(bytes)
        .ok()?
        .into_iter()
        .find_map(|(tag, raw)| match (tag, raw) {
            (1, Raw::Bytes(b)) => Some(b),
            _ => None,
        })
}

fn scalar(kind: &str, raw: &Raw) -> Result<Value, String> {
    Ok(match (kind, raw) {
        ("string", Raw::Bytes(b)) => json!(text(b)?),
        ("bytes", Raw::Bytes(b)) => json!(STANDARD.encode(b)),
        ("bool", Raw::Varint(v)) => json!(*v != 0),
        ("int32", Raw::Varint(v)) => json!(*v as i32),
        ("int64", Raw::Varint(v)) => json!(*v as i64),
        ("double", Raw::Fixed64(v)) => json!(f64::from_bits(*v)),
        ("float", Raw::Fixed32(v)) => json!(f32::from_bits(*v)),
        _ => return Err(format!("field of type {kind} has the wrong wire type")),
    })
}

/// Repeated numbers may come packed into one length-delimited field.
fn packed(kind: &str, mut bytes: &[u8]) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    while bytes.has_remaining() {
        let raw = match kind {
            "double" if bytes.len() >= 8 => Raw::Fixed64(bytes.get_u64_le()),
            _ => Raw::Varint(decode_varint(&mut bytes).map_err(|e| e.to_string())?),
        };
        out.push(scalar(kind, &raw)?);
    }
    Ok(out)
}

fn map_entry(field: &Field, bytes: &[u8]) -> Result<(String, Value), String> {
    let (mut key, mut value) = (String::new(), Value::Null);
    let value_kind = field.value.as_deref().unwrap_or("string");
    for (tag, raw) in fields(bytes)? {
        match (tag, &raw, value_kind) {
            (1, Raw::Bytes(b), _) => key = text(b)?,
            (2, Raw::Bytes(b), "message") => {
                value = message_value(field.message.as_deref().unwrap_or_default(), b)?
            }
            (2, raw, kind) => value = scalar(kind, raw)?,
            _ => {}
        }
    }
    if value.is_null() && value_kind == "string" {
        value = json!("");
    }
    Ok((key, value))
}

/// Go's `omitempty` for what the wire carries: zero scalars are left out (but see
/// `ZERO_KEPT`); messages present on the wire are kept, even empty (`resources: {}`).
fn omitted(name: &str, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b && !ZERO_KEPT.contains(&name),
        Value::Number(n) => n.as_f64() == Some(0.0) && !ZERO_KEPT.contains(&name),
        _ => false,
    }
}

fn decode_message(name: &str, bytes: &[u8]) -> Result<Value, String> {
    let table = messages()
        .get(name)
        .ok_or_else(|| format!("no protobuf message {name}"))?;
    let mut out = Map::new();
    for (tag, raw) in fields(bytes)? {
        let Some(field) = table.iter().find(|f| f.tag == tag) else {
            continue;
        };
        let value = match (field.kind.as_str(), &raw) {
            ("map", Raw::Bytes(b)) => {
                let (key, value) = map_entry(field, b)?;
                let entry = out.entry(field.json.clone()).or_insert_with(|| json!({}));
                if let Value::Object(map) = entry {
                    map.insert(key, value);
                }
                continue;
            }
            ("message", Raw::Bytes(b)) => {
                message_value(field.message.as_deref().unwrap_or_default(), b)?
            }
            (kind, Raw::Bytes(b)) if field.repeated && kind != "string" && kind != "bytes" => {
                let list = out.entry(field.json.clone()).or_insert_with(|| json!([]));
                if let Value::Array(items) = list {
                    items.extend(packed(kind, b)?);
                }
                continue;
            }
            (kind, raw) => scalar(kind, raw)?,
        };
        if field.repeated {
            let list = out.entry(field.json.clone()).or_insert_with(|| json!([]));
            if let Value::Array(items) = list {
                items.push(value);
            }
        } else if field.json == "ephemeralContainerCommon" {
            // Embedded in Go: its fields sit beside the container's own in JSON.
            if let Value::Object(common) = value {
                out.extend(common);
            }
        } else if !omitted(&field.json, &value) {
            out.insert(field.json.clone(), value);
        }
    }
    Ok(Value::Object(out))
}

/// The proto message of a kind, as the table names it.
fn message_of(api_version: &str, kind: &str) -> Option<String> {
    let module = match api_version {
        "v1" => "api.core.v1",
        "apps/v1" => "api.apps.v1",
        "meta.k8s.io/v1" => "apimachinery.pkg.apis.meta.v1",
        _ => return None,
    };
    let name = format!("{module}.{kind}");
    messages().contains_key(&name).then_some(name)
}

/// Decodes a protobuf request body into the object's JSON, `apiVersion` and `kind` included.
/// The error is the text after the apiserver's "the object provided is unrecognized".
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let Some(envelope) = body.strip_prefix(MAGIC) else {
        return Err("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]".into());
    };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (tag, field) in fields(envelope)? {
        match (tag, field) {
            (1, Raw::Bytes(type_meta)) => {
                for (tag, field) in fields(type_meta)? {
                    match (tag, field) {
                        (1, Raw::Bytes(b)) => api_version = text(b)?,
                        (2, Raw::Bytes(b)) => kind = text(b)?,
                        _ => {}
                    }
                }
            }
            (2, Raw::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let Some(message) = message_of(&api_version, &kind) else {
        return Err(format!(
            "no kind \"{kind}\" is registered for version \"{api_version}\""
        ));
    };
    let mut obj = decode_message(&message, raw)?;
    if let Value::Object(map) = &mut obj {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(obj)
}

#[cfg(test)]
#[path = "protobuf_tests.rs"]
mod tests;
