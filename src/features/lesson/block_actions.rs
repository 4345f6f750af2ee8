//! Code blocks in the lesson pane: highlighting one, copying it (OSC 52), running its commands.

use super::CodeBlock;
use super::msg::LessonEffect;
use super::position::scroll_to;
use super::run_command::{Action, action_for};
use crate::app::model::{Confirmation, Model, Overlay, ToastLevel};
use crate::app::msg::Effect;

pub fn select_code(model: &mut Model, forward: bool, effects: &mut Vec<Effect>) {
    let blocks = &model.lesson.rendered.code_blocks;
    if blocks.is_empty() {
        effects.push(model.toast(ToastLevel::Info, "이 레슨에는 코드 블록이 없습니다"));
        return;
    }
    let top = model.lesson.scroll;
    let next = match (model.lesson.selected_code, forward) {
        (Some(i), true) => (i + 1) % blocks.len(),
        (Some(i), false) => (i + blocks.len() - 1) % blocks.len(),
        // Start from what is on screen rather than from the top of the lesson.
        (None, true) => blocks.iter().position(|b| b.first_line >= top).unwrap_or(0),
        (None, false) => blocks
            .iter()
            .rposition(|b| b.first_line < top + usize::from(model.lesson.height))
            .unwrap_or(blocks.len() - 1),
    };
    model.lesson.selected_code = Some(next);
    let block = &model.lesson.rendered.code_blocks[next];
    let (first, last) = (block.first_line, block.last_line);
    let height = usize::from(model.lesson.height);
    let top = model.lesson.scroll;
    if first < top || last >= top + height {
        scroll_to(model, first.saturating_sub(1), effects);
    }
}

/// The highlighted code block, or a hint to highlight one first.
fn selected_block(model: &mut Model, effects: &mut Vec<Effect>) -> Option<CodeBlock> {
    let block = model
        .lesson
        .selected_code
        .and_then(|i| model.lesson.rendered.code_blocks.get(i))
        .cloned();
    if block.is_none() {
        effects.push(model.toast(ToastLevel::Info, "먼저 c 키로 코드 블록을 고르세요"));
    }
    block
}

pub fn copy_code(model: &mut Model, effects: &mut Vec<Effect>) {
    let Some(block) = selected_block(model, effects) else {
        return;
    };
    let text = if block.commands.is_empty() {
        block.text.trim_end().to_string()
    } else {
        block.commands.join("\n")
    };
    let lines = text.lines().count();
    effects.push(Effect::CopyToClipboard(text));
    effects.push(model.toast(
        ToastLevel::Info,
        format!("클립보드에 복사했습니다 ({lines}줄, OSC 52)"),
    ));
}

/// Runs the highlighted block's commands that the lab can perform through the API.
pub fn run_code(model: &mut Model, effects: &mut Vec<Effect>) {
    let Some(block) = selected_block(model, effects) else {
        return;
    };
    if model.cluster.generation == 0 {
        effects.push(model.toast(ToastLevel::Warning, "클러스터에 연결되어 있지 않습니다"));
        return;
    }
    let namespace = model.target.namespace.clone();
    let actions: Vec<Action> = block
        .commands
        .iter()
        .filter_map(|c| action_for(c, &namespace))
        .collect();
    if actions.is_empty() {
        let text = "이 명령은 실습 앱이 대신 실행할 수 없습니다. y로 복사해 터미널에서 실행하세요";
        effects.push(model.toast(ToastLevel::Info, text));
        return;
    }
    // Nothing changes before the learner has seen exactly what will, and where.
    let mut lines = Vec::new();
    let mut planned = Vec::new();
    for Action::Apply { manifest } in actions {
        lines.extend(objects_in(&manifest, &namespace));
        planned.push(Effect::Lesson(LessonEffect::ApplyCommand {
            namespace: namespace.clone(),
            yaml: manifest,
        }));
    }
    lines.push(
        "server-side apply (fieldManager istio-lab), 다른 관리자의 필드는 덮어쓰지 않습니다".into(),
    );
    model.overlay = Some(Overlay::Confirm(Confirmation {
        title: "클러스터에 적용할까요?".into(),
        lines,
        effects: planned,
    }));
}

/// "Kind name → namespace" for each object of a manifest, as it will be applied.
pub fn objects_in(manifest: &str, namespace: &str) -> Vec<String> {
    let documents: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(manifest).unwrap_or_default();
    documents
        .iter()
        .filter(|d| d.is_object())
        .map(|document| {
            let field = |pointer: &str| document.pointer(pointer).and_then(|v| v.as_str());
            let kind = field("/kind").unwrap_or("?");
            let name = field("/metadata/name").unwrap_or("?");
            let labels: Vec<String> = document
                .pointer("/metadata/labels")
                .and_then(|l| l.as_object())
                .map(|labels| {
                    labels
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            match kind {
                // Cluster-scoped: the name is where it acts.
                "Namespace" if !labels.is_empty() => {
                    format!("• Namespace {name}: 라벨 {}", labels.join(", "))
                }
                "Namespace" | "ClusterRole" | "ClusterRoleBinding" | "CustomResourceDefinition" => {
                    format!("• {kind} {name}")
                }
                _ => format!("• {kind} {name} → 네임스페이스 {namespace}"),
            }
        })
        .collect()
}
