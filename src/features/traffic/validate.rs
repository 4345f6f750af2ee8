//! Checking an Istio resource edited as YAML before it is sent with PUT: syntax, identity,
//! weights and the pre-send checks, each problem pointing at a line and column.
//!
//! The text is parsed once into a tree that remembers where every node starts, so a problem
//! found in the JSON value (a weight of 101, a renamed object) can name the place in the
//! buffer the learner has to fix.

use serde_json::Value;
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};

use super::checks::{Finding, PodInfo, check};
use crate::features::cluster::mesh::{DestinationRuleView, FULL, MeshObject, ServiceRef, Weight};
use tree::{Located, Node, Step};

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
    yaml_text(&editable_value(object))
}

/// The object as the learner may change it: without `status` and server-set metadata. The
/// editor's three-way comparison reads all three documents this way, so fields the server
/// keeps for itself are never counted as anyone's change.
pub fn editable_value(object: &Value) -> Value {
    let mut clean = object.clone();
    if let Some(fields) = clean.as_object_mut() {
        fields.remove("status");
    }
    if let Some(metadata) = clean.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_SET_METADATA {
            metadata.remove(key);
        }
    }
    clean
}

/// `value` as the editor's YAML.
pub fn yaml_text(value: &Value) -> String {
    // JSON is YAML too, so the learner still gets an editable document if serialising fails.
    serde_saphyr::to_string(value)
        .or_else(|_| serde_json::to_string_pretty(value))
        .unwrap_or_default()
}

/// The edited text as a JSON value, or the syntax problem with its place.
pub fn parse_document(text: &str) -> Result<Value, Problem> {
    parse(text).map(|tree| tree.node.to_value())
}

/// Checks the edited `text` against `original` (the watched object) and the watched
/// DestinationRules.
pub fn validate(
    text: &str,
    original: &MeshObject,
    resource_version: &str,
    destination_rules: &[&DestinationRuleView],
    pods: &[PodInfo],
) -> Result<Validated, Vec<Problem>> {
    let tree = parse(text).map_err(|problem| vec![problem])?;
    let mut object = tree.node.to_value();
    if !object.is_object() {
        return Err(vec![tree.problem(
            "문서의 최상위는 apiVersion, kind, metadata, spec을 가진 매핑이어야 합니다.".into(),
        )]);
    }
    let mut problems = identity_problems(&tree, &object, &original.raw);
    let is_virtual_service = original.virtual_service().is_some();
    if is_virtual_service {
        problems.extend(weight_problems(&tree, &object));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(problems);
    }
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        // The object stays in the namespace it was opened from when the edit leaves it out.
        metadata
            .entry("namespace")
            .or_insert_with(|| Value::from(original.namespace.as_str()));
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
                message_ko: format!("YAML 문법 오류: {}", super::yaml_reason::korean(&detail)),
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
                    .and_then(|s| s.trim().parse::<Weight>().ok())
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
///
/// The edited document is not a watched object yet, so its routes are read here, `tcp` and
/// `tls` included; its hosts resolve like every other host.
fn route_findings(
    object: &Value,
    destination_rules: &[&DestinationRuleView],
    pods: &[PodInfo],
) -> Vec<Finding> {
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
            let implicit = if destinations.len() == 1 { FULL } else { 0 };
            let targets: Vec<(&str, ServiceRef, Option<&str>, Weight)> = destinations
                .iter()
                .filter_map(|entry| {
                    let host = entry.pointer("/destination/host")?.as_str()?;
                    let subset = entry.pointer("/destination/subset").and_then(Value::as_str);
                    let weight = match entry.get("weight").and_then(Value::as_u64) {
                        Some(w) => Weight::try_from(w).ok()?,
                        None => implicit,
                    };
                    Some((host, ServiceRef::resolve(host, namespace), subset, weight))
                })
                .collect();
            let Some((_, first_service, _, _)) = targets.first() else {
                continue;
            };
            // The sum checks only make sense when the subsets are the whole route.
            let whole_route = targets.len() == destinations.len()
                && targets
                    .iter()
                    .all(|(_, service, subset, _)| subset.is_some() && service == first_service);
            // One check per service, named as it is first written.
            let mut services: Vec<(&str, &ServiceRef)> = Vec::new();
            for (host, service, _, _) in &targets {
                if !services.iter().any(|(_, known)| *known == service) {
                    services.push((host, service));
                }
            }
            for (host, service) in services {
                let weights: Vec<(String, Weight)> = targets
                    .iter()
                    .filter(|(_, s, _, _)| s == service)
                    .filter_map(|(_, _, subset, w)| Some(((*subset)?.to_string(), *w)))
                    .collect();
                if weights.is_empty() {
                    continue;
                }
                for finding in check(&weights, destination_rules, pods, host, namespace) {
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

#[path = "validate_tree.rs"]
mod tree;

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
