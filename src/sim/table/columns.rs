//! What every kind's printer is made of: column definitions, the Name and Age columns all
//! kinds share, rows, and the cell formats kube-apiserver's printers use (ages, label maps,
//! label selectors, container lists).

use jiff::Timestamp;
use serde_json::{Value, json};

/// One `columnDefinitions` entry, as the apiserver describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    /// 1 for the columns kubectl shows only with `-o wide`.
    pub priority: u8,
}

impl Column {
    pub fn to_json(self) -> Value {
        json!({
            "name": self.name,
            "type": self.kind,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

pub const TEXT: &str = "string";
pub const INTEGER: &str = "integer";
pub const DATE: &str = "date";

pub const fn column(name: &'static str, kind: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind,
        format: "",
        description,
        priority: 0,
    }
}

pub const fn wide(name: &'static str, kind: &'static str, description: &'static str) -> Column {
    Column {
        priority: 1,
        ..column(name, kind, description)
    }
}

const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const CREATED_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

pub const NAME: Column = Column {
    format: "name",
    ..column("Name", TEXT, NAME_DESCRIPTION)
};
/// Events show their name only with `-o wide`.
pub const NAME_WIDE: Column = Column {
    priority: 1,
    ..NAME
};
pub const AGE: Column = column("Age", TEXT, CREATED_DESCRIPTION);

/// What the apiserver's default convertor prints for kinds without a printer.
pub const DEFAULT: &[Column] = &[NAME, column("Created At", DATE, CREATED_DESCRIPTION)];

/// One row before the envelope adds its object.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Value>,
    /// `conditions` of the row (pods that completed or failed), when there are any.
    pub conditions: Option<Value>,
}

impl Row {
    pub fn new(cells: Vec<Value>) -> Row {
        Row {
            cells,
            conditions: None,
        }
    }
}

/// The printer of one kind: its columns and how an object becomes a row.
#[derive(Clone, Copy)]
pub struct Printer {
    pub columns: &'static [Column],
    pub row: fn(&Value, Timestamp) -> Row,
}

impl Printer {
    pub const fn of(columns: &'static [Column], row: fn(&Value, Timestamp) -> Row) -> Printer {
        Printer { columns, row }
    }
}

pub fn name(obj: &Value) -> Value {
    json!(obj["metadata"]["name"].as_str().unwrap_or_default())
}

/// A string field, empty when missing.
pub fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

pub fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

pub fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_default()
}

pub fn parse_time(value: &Value) -> Option<Timestamp> {
    value.as_str()?.parse::<Timestamp>().ok()
}

/// `translateTimestampSince`: how long ago `value` was, `<unknown>` without a time.
pub fn since(value: &Value, now: Timestamp) -> String {
    match parse_time(value) {
        Some(then) => human_duration(now.as_second() - then.as_second()),
        None => "<unknown>".into(),
    }
}

/// The Age cell every printer ends with.
pub fn age(obj: &Value, now: Timestamp) -> Value {
    json!(since(&obj["metadata"]["creationTimestamp"], now))
}

/// apimachinery's `duration.HumanDuration`: two or three significant figures.
pub fn human_duration(seconds: i64) -> String {
    // A clock up to a second behind is taken as now.
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        return match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return match hours % 24 {
            0 => format!("{}d", hours / 24),
            h => format!("{}d{h}h", hours / 24),
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return match (hours / 24) % 365 {
            0 => format!("{}y", hours / 24 / 365),
            d => format!("{}y{d}d", hours / 24 / 365),
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// `labels.FormatLabels`: `k=v` pairs sorted by key, `<none>` for none.
pub fn format_labels(map: &Value) -> String {
    let mut pairs: Vec<String> = map
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", text(v)))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

/// `metav1.LabelSelectorAsSelector(...).String()`: requirements sorted by key, `""` for
/// an empty or missing selector, `None` for one the apiserver cannot convert.
pub fn selector_string(selector: &Value) -> Option<String> {
    let mut terms: Vec<(String, String)> = Vec::new();
    for (key, value) in selector["matchLabels"].as_object().into_iter().flatten() {
        terms.push((key.clone(), format!("{key}={}", text(value))));
    }
    for expression in items(&selector["matchExpressions"]) {
        let key = text(&expression["key"]);
        let mut values: Vec<&str> = items(&expression["values"]).iter().map(text).collect();
        values.sort_unstable();
        let term = match text(&expression["operator"]) {
            "In" if !values.is_empty() => format!("{key} in ({})", values.join(",")),
            "NotIn" if !values.is_empty() => format!("{key} notin ({})", values.join(",")),
            "Exists" if values.is_empty() => key.to_string(),
            "DoesNotExist" if values.is_empty() => format!("!{key}"),
            _ => return None,
        };
        terms.push((key.to_string(), term));
    }
    terms.sort_by(|a, b| a.0.cmp(&b.0));
    let joined: Vec<String> = terms.into_iter().map(|(_, term)| term).collect();
    Some(joined.join(","))
}

/// `layoutContainerCells`: the template's container names and images, comma-separated.
pub fn container_cells(containers: &Value) -> (Value, Value) {
    let list = items(containers);
    let names: Vec<&str> = list.iter().map(|c| text(&c["name"])).collect();
    let images: Vec<&str> = list.iter().map(|c| text(&c["image"])).collect();
    (json!(names.join(",")), json!(images.join(",")))
}

/// The default convertor's row: the name and the creation time in RFC 3339.
pub fn default_row(obj: &Value, _now: Timestamp) -> Row {
    let created = parse_time(&obj["metadata"]["creationTimestamp"])
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".into());
    Row::new(vec![name(obj), json!(created)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_kubectl_prints_them() {
        let cases = [
            (-5, "<invalid>"),
            (-1, "0s"),
            (102, "102s"),
            (123, "2m3s"),
            (514, "8m34s"),
            (600, "10m"),
            (3 * 3600 + 59, "3h"),
            (8 * 3600 + 5 * 60, "8h"),
            (3 * 86400 + 3600, "3d1h"),
            (400 * 86400, "400d"),
            (3 * 365 * 86400 + 86400, "3y1d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (seconds, shown) in cases {
            assert_eq!(human_duration(seconds), shown, "{seconds}");
        }
    }

    #[test]
    fn selectors_and_labels_print_sorted() {
        let selector = json!({"matchLabels": {"version": "v1", "app": "details"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]});
        assert_eq!(
            selector_string(&selector).unwrap(),
            "app=details,!canary,tier in (a,b),version=v1"
        );
        assert_eq!(selector_string(&json!(null)).unwrap(), "");
        let broken = json!({"matchExpressions": [{"key": "a", "operator": "In"}]});
        assert_eq!(selector_string(&broken), None);
        assert_eq!(format_labels(&json!({"b": "2", "a": "1"})), "a=1,b=2");
        assert_eq!(format_labels(&json!(null)), "<none>");
    }
}
