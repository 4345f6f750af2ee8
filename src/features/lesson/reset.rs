//! Bringing the cluster to the state a lesson starts from (`R`): a pure plan of what to apply,
//! delete and unlabel, made from what the lessons' own commands apply. Only the guide's bundled
//! objects in the lab namespace are ever named, so a real cluster's other objects are safe;
//! Istio's installation in istio-system is left as it is.

use std::collections::BTreeSet;

use super::Lesson;
use super::run_command::{Action, action_for};

/// One object, as `kubectl` names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// A bundled manifest to server-side apply, with the lesson command it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub command: String,
    pub yaml: String,
}

/// What resetting to a lesson does, in this order: delete, unlabel, apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Objects later lessons create, newest first; all in the lab namespace.
    pub delete: Vec<ObjectRef>,
    /// Lab namespace labels that later lessons add.
    pub unlabel: Vec<String>,
    /// What earlier lessons apply, in the order they apply it.
    pub apply: Vec<Manifest>,
}

impl Plan {
    /// The confirmation's lines: every change, named.
    pub fn lines(&self, namespace: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for object in &self.delete {
            lines.push(format!(
                "• 삭제: {} {} → 네임스페이스 {namespace}",
                object.kind, object.name
            ));
        }
        for key in &self.unlabel {
            lines.push(format!("• 라벨 제거: Namespace {namespace}의 {key}"));
        }
        for manifest in &self.apply {
            lines.push(format!("• 적용: {}", manifest.command));
        }
        if lines.is_empty() {
            lines.push("• 바꿀 것이 없습니다".into());
        }
        lines.push("Istio 설치(istio-system)는 그대로 둡니다".into());
        lines
    }
}

/// The manifests one lesson's commands apply, in order.
fn manifests(lesson: &Lesson, namespace: &str) -> Vec<Manifest> {
    lesson
        .steps
        .iter()
        .flat_map(|step| step.commands.iter())
        .filter_map(|command| {
            action_for(command, namespace).map(|Action::Apply { manifest }| Manifest {
                command: command.clone(),
                yaml: manifest,
            })
        })
        .collect()
}

/// The objects of a manifest, and the Namespace labels it sets (by key).
fn contents(yaml: &str) -> (Vec<ObjectRef>, Vec<String>) {
    let documents: Vec<serde_json::Value> = serde_saphyr::from_multiple(yaml).unwrap_or_default();
    let mut objects = Vec::new();
    let mut labels = Vec::new();
    for document in documents.iter().filter(|d| d.is_object()) {
        let field = |pointer: &str| document.pointer(pointer).and_then(|v| v.as_str());
        let kind = field("/kind").unwrap_or_default();
        if kind == "Namespace" {
            if let Some(map) = document
                .pointer("/metadata/labels")
                .and_then(|l| l.as_object())
            {
                labels.extend(map.keys().cloned());
            }
            continue;
        }
        objects.push(ObjectRef {
            api_version: field("/apiVersion").unwrap_or_default().to_string(),
            kind: kind.to_string(),
            name: field("/metadata/name").unwrap_or_default().to_string(),
        });
    }
    (objects, labels)
}

/// What brings the lab namespace to the state lesson `lesson_index` starts from: what the
/// lessons before it apply is applied again, and what it and later lessons create is removed.
pub fn reset_plan(lesson_index: usize, lessons: &[Lesson], namespace: &str) -> Plan {
    let split = lesson_index.min(lessons.len());
    let before: Vec<Manifest> = lessons[..split]
        .iter()
        .flat_map(|l| manifests(l, namespace))
        .collect();
    let after: Vec<Manifest> = lessons[split..]
        .iter()
        .flat_map(|l| manifests(l, namespace))
        .collect();
    let mut kept = BTreeSet::new();
    let mut kept_labels = BTreeSet::new();
    for manifest in &before {
        let (objects, labels) = contents(&manifest.yaml);
        kept.extend(objects);
        kept_labels.extend(labels);
    }
    let mut delete = Vec::new();
    let mut unlabel = Vec::new();
    for manifest in &after {
        let (objects, labels) = contents(&manifest.yaml);
        for object in objects {
            if !kept.contains(&object) && !delete.contains(&object) {
                delete.push(object);
            }
        }
        for key in labels {
            if !kept_labels.contains(&key) && !unlabel.contains(&key) {
                unlabel.push(key);
            }
        }
    }
    // Newest first, so routes go before what they route to.
    delete.reverse();
    let mut apply: Vec<Manifest> = Vec::new();
    for manifest in before {
        if !apply.contains(&manifest) {
            apply.push(manifest);
        }
    }
    Plan {
        delete,
        unlabel,
        apply,
    }
}
