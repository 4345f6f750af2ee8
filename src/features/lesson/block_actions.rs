//! Code blocks in the lesson pane: highlighting one, copying it (OSC 52), running its commands
//! in the shell pane (or, without a shell, through the API), editing its mesh YAML.

use super::CodeBlock;
use super::msg::LessonEffect;
use super::position::scroll_to;
use super::run_command::{Action, action_for};
use crate::app::model::{Confirmation, Model, Overlay, ToastLevel};
use crate::app::msg::Effect;
use crate::features::cluster::MeshKind;
use crate::features::shell::{self, ShellEffect};
use crate::features::traffic::editor::EditorState;

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

/// What `r` does with a block: shell commands are typed into the shell pane; a mesh object's
/// YAML (one the lesson has the learner edit) opens in the traffic lab's editor.
pub fn runnable(block: &CodeBlock) -> bool {
    shell_commands(block).is_some() || editable(block).is_some()
}

/// Languages whose lines are typed at a shell prompt.
fn is_shell_language(lang: &str) -> bool {
    matches!(
        lang.to_ascii_lowercase().as_str(),
        "sh" | "bash" | "shell" | "console" | "zsh" | "shell-session"
    )
}

fn shell_commands(block: &CodeBlock) -> Option<&[String]> {
    (is_shell_language(&block.lang) && !block.commands.is_empty())
        .then_some(block.commands.as_slice())
}

/// The mesh object a YAML block describes, when the traffic lab's editor edits its kind.
fn editable(block: &CodeBlock) -> Option<(MeshKind, String)> {
    if !matches!(block.lang.as_str(), "yaml" | "yml") {
        return None;
    }
    let document: serde_json::Value = serde_saphyr::from_str(&block.text).ok()?;
    let kind = document.pointer("/kind")?.as_str()?;
    let kind = MeshKind::ALL.into_iter().find(|k| k.kind_name() == kind)?;
    let name = document.pointer("/metadata/name")?.as_str()?;
    Some((kind, name.to_string()))
}

/// `r`: shows the highlighted block's commands and, on Enter, types them into the shell pane.
/// Without a shell, the commands the app can do through the API are offered instead.
pub fn run_code(model: &mut Model, effects: &mut Vec<Effect>) {
    let Some(block) = selected_block(model, effects) else {
        return;
    };
    if let Some((kind, name)) = editable(&block) {
        return edit_yaml(model, kind, &name, &block.text, effects);
    }
    let Some(commands) = shell_commands(&block) else {
        let text = "이 블록에는 실행할 명령이 없습니다. y로 복사할 수 있습니다";
        effects.push(model.toast(ToastLevel::Info, text));
        return;
    };
    if !model.shell.can_run() {
        let reason = shell::view::notice(&model.shell).unwrap_or_default();
        return apply_through_api(model, commands, &reason, effects);
    }
    let mut lines: Vec<String> = Vec::new();
    for command in commands {
        for (index, line) in command.lines().enumerate() {
            lines.push(format!("{} {line}", if index == 0 { "$" } else { ">" }));
        }
    }
    lines.push(String::new());
    let count = commands.len();
    lines.push(format!(
        "셸 창(F4)에 {count}개 명령을 차례로 입력하고 각각 Enter를 누릅니다"
    ));
    model.overlay = Some(Overlay::Confirm(Confirmation {
        title: "셸에서 실행할까요?".into(),
        lines,
        effects: vec![Effect::Shell(ShellEffect::Write(
            shell::update::command_bytes(commands),
        ))],
    }));
}

/// The lesson's version of a mesh object, in the editor over the cluster's: saving applies it.
fn edit_yaml(model: &mut Model, kind: MeshKind, name: &str, yaml: &str, effects: &mut Vec<Effect>) {
    let Some(object) = model.cluster.mesh.get(&kind).and_then(|o| o.get(name)) else {
        let text = format!(
            "{} {name}이(가) 클러스터에 없습니다. 앞 단계의 명령으로 먼저 만드세요",
            kind.kind_name()
        );
        effects.push(model.toast(ToastLevel::Warning, text));
        return;
    };
    let mut state = EditorState::open(object);
    state.replace_buffer(yaml);
    model.editor = Some(state);
    let text = "레슨의 YAML을 편집기에 넣었습니다. 고친 뒤 Ctrl-S로 적용하세요";
    effects.push(model.toast(ToastLevel::Info, text));
}

/// The fallback without a shell: the commands the app can do itself through the API.
fn apply_through_api(
    model: &mut Model,
    commands: &[String],
    reason: &str,
    effects: &mut Vec<Effect>,
) {
    if model.cluster.generation == 0 {
        effects.push(model.toast(ToastLevel::Warning, "클러스터에 연결되어 있지 않습니다"));
        return;
    }
    let namespace = model.target.namespace.clone();
    let actions: Vec<Action> = commands
        .iter()
        .filter_map(|c| action_for(c, &namespace))
        .collect();
    if actions.is_empty() {
        let text = "셸을 쓸 수 없고, 이 명령은 앱이 대신 실행할 수 없습니다. y로 복사해 터미널에서 실행하세요";
        effects.push(model.toast(ToastLevel::Info, text));
        return;
    }
    // Nothing changes before the learner has seen exactly what will, and where.
    let mut lines = vec![format!("셸을 쓸 수 없어 앱이 API로 적용합니다 ({reason})")];
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
