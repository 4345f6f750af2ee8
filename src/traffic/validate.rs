//! Checking an Istio resource edited as YAML before it is sent with PUT: syntax, identity,
//! weights and the pre-send checks, each problem pointing at a line and column.
//!
//! The text is parsed once into a tree that remembers where every node starts, so a problem
//! found in the JSON value (a weight of 101, a renamed object) can name the place in the
//! buffer the learner has to fix.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};

use super::checks::{Finding, PodInfo, check};
use super::host::same_service;

/// Something that blocks saving, with its place in the buffer when known (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message_ko: String,
}

/// An edit that may be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The edited object with `metadata.resourceVersion` set, ready to PUT.
    pub object: Value,
    /// Pre-send findings. They never block saving: the lab lets the learner apply a broken
    /// route on purpose to watch what it does.
    pub warnings: Vec<Finding>,
}

/// Fields the server sets. Leaving them out of the editor keeps the document about what the
/// learner can change; a PUT without them keeps the server's values.
const SERVER_SET_METADATA: [&str; 6] = [
    "managedFields",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
];

/// The YAML shown in the editor: the object without `status` and server-set metadata.
pub fn editable_yaml(object: &Value) -> String {
    let mut clean = object.clone();
    if let Some(fields) = clean.as_object_mut() {
        fields.remove("status");
    }
    if let Some(metadata) = clean.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_SET_METADATA {
            metadata.remove(key);
        }
    }
    // JSON is YAML too, so the learner still gets an editable document if serialising fails.
    serde_saphyr::to_string(&clean)
        .or_else(|_| serde_json::to_string_pretty(&clean))
        .unwrap_or_default()
}

/// Checks the edited `text` against `original` (the watched object, with metadata).
pub fn validate(
    text: &str,
    original: &Value,
    resource_version: &str,
    destination_rules: &[Value],
    pods: &[PodInfo],
) -> Result<Validated, Vec<Problem>> {
    let tree = parse(text).map_err(|problem| vec![problem])?;
    let mut object = tree.node.to_value();
    if !object.is_object() {
        return Err(vec![tree.problem(
            "문서의 최상위는 apiVersion, kind, metadata, spec을 가진 매핑이어야 합니다.".into(),
        )]);
    }
    let mut problems = identity_problems(&tree, &object, original);
    let is_virtual_service = original.get("kind").and_then(Value::as_str) == Some("VirtualService");
    if is_virtual_service {
        problems.extend(weight_problems(&tree, &object));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(problems);
    }
    let namespace = original
        .pointer("/metadata/namespace")
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if !namespace.is_null() {
            metadata.entry("namespace").or_insert(namespace);
        }
        metadata.insert("resourceVersion".into(), Value::from(resource_version));
    }
    let warnings = if is_virtual_service {
        route_findings(&object, destination_rules, pods)
    } else {
        Vec::new()
    };
    Ok(Validated { object, warnings })
}

fn parse(text: &str) -> Result<Located, Problem> {
    let parsed: Result<Spanned<Node>, _> = serde_saphyr::from_str(text);
    match parsed {
        Ok(spanned) => Ok(Located::from(spanned)),
        Err(error) => {
            let location = error.location().filter(|l| l.line() > 0);
            let detail: String = UserMessageFormatter
                .format_message(error.without_snippet())
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            Err(Problem {
                line: location.map(|l| l.line() as usize),
                column: location.map(|l| l.column() as usize),
                message_ko: format!("YAML 문법 오류: {detail}"),
            })
        }
    }
}

fn identity_problems(tree: &Located, object: &Value, original: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let fields: [(&[&str], &str); 4] = [
        (
            &["apiVersion"],
            "다른 버전이나 종류로 바꾸려면 새 리소스를 만들어야 합니다.",
        ),
        (
            &["kind"],
            "다른 버전이나 종류로 바꾸려면 새 리소스를 만들어야 합니다.",
        ),
        (&["metadata", "name"], "이름을 바꾸면 다른 리소스가 됩니다."),
        (
            &["metadata", "namespace"],
            "다른 네임스페이스로 옮길 수 없습니다.",
        ),
    ];
    for (path, why) in fields {
        let pointer: String = path.iter().map(|key| format!("/{key}")).collect();
        let dotted = path.join(".");
        let Some(expected) = original.pointer(&pointer) else {
            continue;
        };
        let message = match object.pointer(&pointer) {
            Some(actual) if actual == expected => continue,
            // The namespace may be left out: the object stays in the one it was opened from.
            None if dotted == "metadata.namespace" => continue,
            None => format!(
                "{dotted}이(가) 없습니다. 원래 값 {}을(를) 그대로 두세요.",
                shown(expected)
            ),
            Some(_) => format!(
                "{dotted}은(는) 바꿀 수 없습니다 (원래 값: {}). {why}",
                shown(expected)
            ),
        };
        problems.push(
            tree.locate(path.iter().copied().map(Step::Key))
                .problem(message),
        );
    }
    problems
}

/// Route lists of a VirtualService that carry weighted destinations.
const ROUTE_SECTIONS: [&str; 3] = ["http", "tcp", "tls"];

fn weight_problems(tree: &Located, object: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for section in ROUTE_SECTIONS {
        let routes = object.pointer(&format!("/spec/{section}"));
        for (i, route) in routes
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let destinations = route.get("route").and_then(Value::as_array);
            for (j, entry) in destinations.into_iter().flatten().enumerate() {
                let Some(weight) = entry.get("weight") else {
                    continue;
                };
                if weight.as_u64().is_some_and(|w| w <= 100) {
                    continue;
                }
                let quoted_number = weight
                    .as_str()
                    .and_then(|s| s.trim().parse::<u8>().ok())
                    .is_some_and(|w| w <= 100);
                let hint = if quoted_number {
                    " 따옴표를 빼고 숫자로 쓰세요."
                } else {
                    ""
                };
                let path = [
                    Step::Key("spec"),
                    Step::Key(section),
                    Step::Index(i),
                    Step::Key("route"),
                    Step::Index(j),
                    Step::Key("weight"),
                ];
                problems.push(tree.locate(path).problem(format!(
                    "spec.{section}[{i}].route[{j}].weight는 0–100 정수여야 합니다 (지금 값: {}).{hint}",
                    weight
                )));
            }
        }
    }
    problems
}

/// Runs the slider's pre-send checks on every weighted route of the edited VirtualService.
fn route_findings(object: &Value, destination_rules: &[Value], pods: &[PodInfo]) -> Vec<Finding> {
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let mut findings: Vec<Finding> = Vec::new();
    for section in ROUTE_SECTIONS {
        let routes = object.pointer(&format!("/spec/{section}"));
        for route in routes.and_then(Value::as_array).into_iter().flatten() {
            let Some(destinations) = route.get("route").and_then(Value::as_array) else {
                continue;
            };
            let implicit = if destinations.len() == 1 { 100 } else { 0 };
            let targets: Vec<(&str, Option<&str>, u8)> = destinations
                .iter()
                .filter_map(|entry| {
                    let host = entry.pointer("/destination/host")?.as_str()?;
                    let subset = entry.pointer("/destination/subset").and_then(Value::as_str);
                    let weight = match entry.get("weight").and_then(Value::as_u64) {
                        Some(w) => u8::try_from(w).ok()?,
                        None => implicit,
                    };
                    Some((host, subset, weight))
                })
                .collect();
            let Some((first_host, _, _)) = targets.first() else {
                continue;
            };
            // The sum checks only make sense when the subsets are the whole route.
            let whole_route = targets.len() == destinations.len()
                && targets.iter().all(|(host, subset, _)| {
                    subset.is_some() && same_service(host, first_host, namespace)
                });
            let mut hosts: Vec<&str> = Vec::new();
            for (host, _, _) in &targets {
                if !hosts.iter().any(|h| same_service(h, host, namespace)) {
                    hosts.push(host);
                }
            }
            for host in hosts {
                let weights: Vec<(String, u8)> = targets
                    .iter()
                    .filter(|(h, _, _)| same_service(h, host, namespace))
                    .filter_map(|(_, subset, w)| Some(((*subset)?.to_string(), *w)))
                    .collect();
                if weights.is_empty() {
                    continue;
                }
                for finding in check(&weights, destination_rules, pods, host) {
                    let keep = whole_route || finding.code.is_some();
                    if keep && !findings.contains(&finding) {
                        findings.push(finding);
                    }
                }
            }
        }
    }
    findings
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One step of a path into the document.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A YAML node and where it starts (1-based; 0 when the parser could not tell).
#[derive(Debug)]
struct Located {
    line: usize,
    column: usize,
    node: Node,
}

#[derive(Debug)]
enum Node {
    Map(Vec<(String, Located)>),
    Seq(Vec<Located>),
    Scalar(Value),
}

impl From<Spanned<Node>> for Located {
    fn from(spanned: Spanned<Node>) -> Self {
        Located {
            line: spanned.referenced.line() as usize,
            column: spanned.referenced.column() as usize,
            node: spanned.value,
        }
    }
}

impl Located {
    /// The node at `path`, or the deepest ancestor that exists (where a missing key belongs).
    fn locate<'s, 'p>(&'s self, path: impl IntoIterator<Item = Step<'p>>) -> &'s Located {
        let mut here = self;
        for step in path {
            let next = match (&here.node, step) {
                (Node::Map(entries), Step::Key(key)) => entries
                    .iter()
                    .rev()
                    .find(|(name, _)| name == key)
                    .map(|(_, child)| child),
                (Node::Seq(items), Step::Index(index)) => items.get(index),
                _ => None,
            };
            match next {
                Some(child) => here = child,
                None => break,
            }
        }
        here
    }

    fn problem(&self, message_ko: String) -> Problem {
        let known = self.line > 0;
        Problem {
            line: known.then_some(self.line),
            column: known.then_some(self.column),
            message_ko,
        }
    }
}

impl Node {
    fn to_value(&self) -> Value {
        match self {
            Node::Scalar(value) => value.clone(),
            Node::Seq(items) => Value::Array(items.iter().map(|i| i.node.to_value()).collect()),
            Node::Map(entries) => {
                let mut map = Map::new();
                // A later duplicate key wins, as in the API server's JSON decoding.
                for (key, child) in entries {
                    map.insert(key.clone(), child.node.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        // JSON has no NaN or infinity; keeping the text lets the weight check name it.
        Ok(Node::Scalar(Number::from_f64(v).map_or_else(
            || Value::String(v.to_string()),
            Value::Number,
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v.to_string())))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(
            String::from_utf8_lossy(v).into_owned(),
        )))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(Located::from(item));
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let name = match key.to_value() {
                Value::String(text) => text,
                other => other.to_string(),
            };
            entries.push((name, Located::from(map.next_value::<Spanned<Node>>()?)));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
