//! Printers for core/v1 kinds with few columns: Namespaces, ServiceAccounts, ConfigMaps,
//! Secrets and Events (the sim serves the first two; the others are ready for when it
//! serves them).

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::{
    AGE, Column, NAME, NAME_WIDE, Row, TEXT, age, column, int, name, since, text, wide,
};

pub const NAMESPACE_COLUMNS: &[Column] = &[
    NAME,
    column("Status", TEXT, "The status of the namespace"),
    AGE,
];

pub const SERVICEACCOUNT_COLUMNS: &[Column] = &[NAME, AGE];

pub const CONFIGMAP_COLUMNS: &[Column] = &[
    NAME,
    column(
        "Data",
        TEXT,
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    AGE,
];

pub const SECRET_COLUMNS: &[Column] = &[
    NAME,
    column(
        "Type",
        TEXT,
        "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
    ),
    column(
        "Data",
        TEXT,
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    AGE,
];

pub const EVENT_COLUMNS: &[Column] = &[
    column(
        "Last Seen",
        TEXT,
        "The time at which the most recent occurrence of this event was recorded.",
    ),
    column(
        "Type",
        TEXT,
        "Type of this event (Normal, Warning), new types could be added in the future",
    ),
    column(
        "Reason",
        TEXT,
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column("Object", TEXT, "The object that this event is about."),
    wide(
        "Subobject",
        TEXT,
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.",
    ),
    wide(
        "Source",
        TEXT,
        "The component reporting this event. Should be a short machine understandable string.",
    ),
    column(
        "Message",
        TEXT,
        "A human-readable description of the status of this operation.",
    ),
    wide(
        "First Seen",
        TEXT,
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    wide(
        "Count",
        TEXT,
        "The number of times this event has occurred.",
    ),
    NAME_WIDE,
];

fn count(map: &Value) -> usize {
    map.as_object().map_or(0, |m| m.len())
}

pub fn namespace(obj: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(obj),
        json!(text(&obj["status"]["phase"])),
        age(obj, now),
    ])
}

pub fn serviceaccount(obj: &Value, now: Timestamp) -> Row {
    Row::new(vec![name(obj), age(obj, now)])
}

pub fn configmap(obj: &Value, now: Timestamp) -> Row {
    let keys = count(&obj["data"]) + count(&obj["binaryData"]);
    Row::new(vec![name(obj), json!(keys), age(obj, now)])
}

pub fn secret(obj: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(obj),
        json!(text(&obj["type"])),
        json!(count(&obj["data"])),
        age(obj, now),
    ])
}

fn first_non_empty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() { b } else { a }
}

/// Events of the events.k8s.io API carry `eventTime`, `series` and `reporting*` instead of
/// the core timestamps, count and source; the printer falls back to them.
pub fn event(obj: &Value, now: Timestamp) -> Row {
    let first = match text(&obj["firstTimestamp"]) {
        "" => since(&obj["eventTime"], now),
        _ => since(&obj["firstTimestamp"], now),
    };
    let mut last = match text(&obj["lastTimestamp"]) {
        "" => first.clone(),
        _ => since(&obj["lastTimestamp"], now),
    };
    let mut count = int(&obj["count"]);
    if obj["series"].is_object() {
        last = since(&obj["series"]["lastObservedTime"], now);
        count = int(&obj["series"]["count"]);
    } else if count == 0 {
        count = 1;
    }
    let involved = &obj["involvedObject"];
    let kind = text(&involved["kind"]).to_lowercase();
    let target = match text(&involved["name"]) {
        "" => kind,
        named => format!("{kind}/{named}"),
    };
    let component = first_non_empty(
        text(&obj["source"]["component"]),
        text(&obj["reportingComponent"]),
    );
    let instance = first_non_empty(
        text(&obj["source"]["host"]),
        text(&obj["reportingInstance"]),
    );
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    Row::new(vec![
        json!(last),
        json!(text(&obj["type"])),
        json!(text(&obj["reason"])),
        json!(target),
        json!(text(&involved["fieldPath"])),
        json!(source),
        json!(text(&obj["message"]).trim()),
        json!(first),
        json!(count),
        name(obj),
    ])
}
