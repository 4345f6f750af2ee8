//! The Istio kinds' columns: the `additionalPrinterColumns` of their CRDs (the same in
//! v1, v1beta1 and v1alpha3), evaluated as the apiextensions server's table convertor does.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::{Column, DATE, NAME, Row, TEXT, column, human_duration, name, parse_time};

/// A CRD column: what the table says about it, and where its value comes from.
pub struct CrdColumn {
    pub column: Column,
    pub json_path: &'static str,
}

/// The apiextensions server's words for a column its CRD does not describe.
const AGE: CrdColumn = CrdColumn {
    column: column(
        "Age",
        DATE,
        "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp",
    ),
    json_path: ".metadata.creationTimestamp",
};

pub const VIRTUALSERVICE: &[CrdColumn] = &[
    CrdColumn {
        column: column(
            "Gateways",
            TEXT,
            "The names of gateways and sidecars that should apply these routes",
        ),
        json_path: ".spec.gateways",
    },
    CrdColumn {
        column: column(
            "Hosts",
            TEXT,
            "The destination hosts to which traffic is being sent",
        ),
        json_path: ".spec.hosts",
    },
    AGE,
];

pub const DESTINATIONRULE: &[CrdColumn] = &[
    CrdColumn {
        column: column(
            "Host",
            TEXT,
            "The name of a service from the service registry",
        ),
        json_path: ".spec.host",
    },
    AGE,
];

pub const GATEWAY: &[CrdColumn] = &[AGE];

pub const VIRTUALSERVICE_COLUMNS: &[Column] = &[
    NAME,
    VIRTUALSERVICE[0].column,
    VIRTUALSERVICE[1].column,
    AGE.column,
];
pub const DESTINATIONRULE_COLUMNS: &[Column] = &[NAME, DESTINATIONRULE[0].column, AGE.column];
pub const GATEWAY_COLUMNS: &[Column] = &[NAME, AGE.column];

pub fn virtualservice(obj: &Value, now: Timestamp) -> Row {
    crd_row(obj, now, VIRTUALSERVICE)
}

pub fn destinationrule(obj: &Value, now: Timestamp) -> Row {
    crd_row(obj, now, DESTINATIONRULE)
}

pub fn gateway(obj: &Value, now: Timestamp) -> Row {
    crd_row(obj, now, GATEWAY)
}

/// The name, then one cell per column: `null` where the path finds nothing.
fn crd_row(obj: &Value, now: Timestamp, columns: &[CrdColumn]) -> Row {
    let mut cells = vec![name(obj)];
    for crd in columns {
        let found = lookup(obj, crd.json_path).filter(|v| !v.is_null());
        cells.push(found.map_or(Value::Null, |v| cell(crd.column.kind, v, now)));
    }
    Row::new(cells)
}

/// A simple `.a.b.c` JSONPath, the only form these CRDs use.
fn lookup<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path.trim_start_matches('.')
        .split('.')
        .try_fold(obj, |cursor, key| cursor.get(key))
}

fn cell(kind: &str, value: &Value, now: Timestamp) -> Value {
    match (kind, value) {
        // Strings print as they are, anything else as compact JSON, as Go's jsonpath does.
        ("string", Value::String(s)) => json!(s),
        ("string", other) => json!(go_json(other)),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map_or(Value::Null, |i| json!(i)),
        ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(s)) if s.is_empty() => json!("<unknown>"),
        ("date", Value::String(_)) => match parse_time(value) {
            Some(then) => json!(human_duration(now.as_second() - then.as_second())),
            None => json!("<invalid>"),
        },
        _ => Value::Null,
    }
}

/// `encoding/json` escapes `<`, `>` and `&`; serde does not.
fn go_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
