//! The YAML editor's state and keys: the buffer, unsaved changes, save results, the 409 reload
//! with the learner's edit kept aside and the version each edit started from, so a stale edit
//! is carried onto the newer version (see `conflict`). No I/O: the caller validates, sends and
//! reloads.

mod conflict;
pub mod keys;
pub mod merge;
pub mod view;
mod view_merge;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, DataCursor, TextArea};
use serde_json::Value;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::features::cluster::MeshKind;
use crate::features::cluster::mesh::MeshObject;
use crate::features::traffic::Finding;
use crate::features::traffic::validate::{Problem, Validated, editable_value, yaml_text};
use merge::{Conflict, ThreeWay};

/// YAML indents with spaces; two is what the guide's manifests use.
const INDENT: u8 = 2;

pub const CONFLICT_MESSAGE: &str =
    "그사이 다른 곳에서 바뀌었습니다 — Ctrl-R: 최신으로 다시 읽기 (편집 내용은 보관)";

pub use conflict::MERGE_MESSAGE;

#[derive(Debug, Clone)]
pub struct EditorState {
    pub kind: MeshKind,
    pub name: String,
    pub namespace: String,
    pub textarea: TextArea<'static>,
    /// The document as opened (or last saved or reloaded), to tell whether there are unsaved changes.
    pub original_yaml: String,
    /// The version the edit is based on; PUT sends it so a change made meanwhile gets a 409.
    pub resource_version: String,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Finding>,
    /// Esc was pressed with unsaved changes; the next key answers.
    pub confirm_discard: bool,
    /// The last save got 409 Conflict.
    pub conflict: bool,
    /// The learner's edit kept aside by a reload; Ctrl-T swaps it with the buffer.
    pub stash: Option<String>,
    /// The document the stash's edit started from, swapped with `base` by Ctrl-T.
    pub stash_base: Option<Value>,
    /// The editable document the buffer's edit started from: what the editor opened, last
    /// saved or reloaded, or carried the edit onto.
    pub base: Value,
    /// The server's version at `resource_version`, as an editable document. A 409 moves it
    /// ahead of `base`; the next save then carries the learner's changes onto it.
    pub server: Value,
    /// Versions the editor has been based on, so a watch that lags behind is not taken for
    /// the other writer's newer version.
    seen_versions: Vec<String>,
    /// The comparison of `base`, `server` and the buffer after a 409, or of the last merge.
    pub three_way: Option<ThreeWay>,
    /// Fields both sides changed, which the merged buffer sets to the learner's values.
    pub overwrites: Vec<Conflict>,
    /// A save waits for the learner's word on these fields: Enter overwrites, Esc goes back.
    pub confirm_overwrite: Vec<Conflict>,
    pub saving: bool,
    pub message: Option<String>,
}

/// What the caller has to do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorOutcome {
    Nothing,
    /// Validate the text with `traffic::validate`, record it with [`apply_validation`], send if valid.
    Save,
    Close,
    /// Call [`EditorState::reload`] with the latest watched object.
    Reload,
    /// As `Save`, the learner having agreed to overwrite `confirm_overwrite`'s fields.
    SaveOverwriting,
}

impl EditorState {
    pub fn open(object: &MeshObject) -> EditorState {
        let base = editable_value(&object.raw);
        let original_yaml = yaml_text(&base);
        EditorState {
            kind: object.kind(),
            name: object.name.clone(),
            namespace: object.namespace.clone(),
            textarea: new_textarea(&original_yaml),
            original_yaml,
            resource_version: object.resource_version.clone().unwrap_or_default(),
            problems: Vec::new(),
            warnings: Vec::new(),
            confirm_discard: false,
            conflict: false,
            stash: None,
            stash_base: None,
            server: base.clone(),
            base,
            seen_versions: object.resource_version.clone().into_iter().collect(),
            three_way: None,
            overwrites: Vec::new(),
            confirm_overwrite: Vec::new(),
            saving: false,
            message: None,
        }
    }

    pub fn is_modified(&self) -> bool {
        self.text().trim_end() != self.original_yaml.trim_end()
    }

    /// The buffer as one document, ending with a newline.
    pub fn text(&self) -> String {
        let mut text = self.textarea.lines().join("\n");
        text.push('\n');
        text
    }

    /// Replaces the buffer with `object` (the newest watched version). Unsaved changes are kept
    /// in `stash` so the learner can bring them back with Ctrl-T; an unchanged buffer leaves an
    /// earlier stash alone.
    pub fn reload(&mut self, object: &MeshObject) {
        if self.is_modified() {
            self.stash = Some(self.text());
            self.stash_base = Some(self.base.clone());
        }
        self.server = editable_value(&object.raw);
        self.base = self.server.clone();
        let yaml = yaml_text(&self.server);
        self.textarea = new_textarea(&yaml);
        self.original_yaml = yaml;
        if let Some(version) = &object.resource_version {
            self.resource_version = version.clone();
            self.seen_versions.push(version.clone());
        }
        self.forget_merge();
        self.conflict = false;
        self.confirm_discard = false;
        self.saving = false;
        self.problems.clear();
        self.warnings.clear();
        self.message = Some(if self.stash.is_some() {
            "최신 내용을 다시 읽었습니다. Ctrl-T: 보관한 편집 내용과 바꾸기".into()
        } else {
            "최신 내용을 다시 읽었습니다.".into()
        });
    }

    /// The server accepted the PUT (200) and now holds `resource_version`.
    pub fn saved(&mut self, resource_version: String) {
        self.original_yaml = self.text();
        self.message = Some(match &self.three_way {
            Some(merge) if !merge.theirs.is_empty() => format!(
                "저장했습니다 (resourceVersion {resource_version}). 다른 쪽 변경 {}개는 그대로 남았습니다.",
                merge.theirs.len()
            ),
            _ => format!("저장했습니다 (resourceVersion {resource_version})"),
        });
        self.saved_document();
        self.forget_merge();
        self.seen_versions.push(resource_version.clone());
        self.resource_version = resource_version;
        self.saving = false;
        self.conflict = false;
        self.problems.clear();
    }

    /// The PUT failed; the buffer stays as it is so nothing typed is lost.
    pub fn save_failed(&mut self, code: Option<u16>, message: String) {
        self.saving = false;
        self.message = Some(match code {
            Some(409) => {
                self.conflict = true;
                CONFLICT_MESSAGE.to_string()
            }
            Some(422) => format!("서버가 내용을 거부했습니다 (422): {message}"),
            Some(code) => format!("저장하지 못했습니다 ({code}): {message}"),
            None => format!("저장하지 못했습니다 (연결 문제): {message}"),
        });
    }

    /// Swaps the buffer with the stash, keeping the cursor near where it was. The stash keeps
    /// the version its edit started from, so saving it later carries it onto the newer one.
    fn swap_stash(&mut self) {
        let Some(stashed) = self.stash.take() else {
            self.message = Some("보관한 편집 내용이 없습니다.".into());
            return;
        };
        self.stash = Some(self.text());
        let stashed_base = self.stash_base.replace(self.base.clone());
        self.base = stashed_base.unwrap_or_else(|| self.base.clone());
        self.replace_buffer(&stashed);
        self.three_way = None;
        self.refresh_three_way();
        self.message = Some(if self.is_stale() {
            "보관했던 편집 내용입니다 (예전 버전에서 시작). Ctrl-S: 내 변경을 최신 버전에 옮겨 저장 · Ctrl-T: 되돌리기".into()
        } else if self.is_modified() {
            "보관했던 편집 내용입니다. Ctrl-S로 저장, Ctrl-T로 되돌리기".into()
        } else {
            "최신 버전입니다. Ctrl-T: 보관한 편집 내용으로".into()
        });
    }

    /// Puts `text` in the buffer, keeping the cursor near where it was.
    pub fn replace_buffer(&mut self, text: &str) {
        let DataCursor(row, col) = self.textarea.cursor();
        self.textarea = new_textarea(text);
        let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        self.textarea
            .move_cursor(CursorMove::Jump(clamp(row), clamp(col)));
    }

    /// The display column of the cursor within its line: where the next character goes, so an
    /// input method composes Korean in place.
    pub fn cursor_display_column(&self) -> usize {
        let DataCursor(row, col) = self.textarea.cursor();
        let line = self.textarea.lines().get(row).map_or("", String::as_str);
        let end = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        display_width(&line[..end], usize::from(self.textarea.tab_length()))
    }
}

/// Width in terminal cells, graphemes measured as ratatui draws them, tabs to the next stop.
pub fn display_width(text: &str, tab: usize) -> usize {
    text.graphemes(true).fold(0, |column, grapheme| {
        if grapheme == "\t" {
            let tab = tab.max(1);
            column + tab - column % tab
        } else {
            column + grapheme.width()
        }
    })
}

fn new_textarea(yaml: &str) -> TextArea<'static> {
    let mut textarea = TextArea::new(yaml.lines().map(str::to_string).collect());
    textarea.set_tab_length(INDENT);
    textarea.set_hard_tab_indent(false);
    // Modifiers only, so the editor reads the same with NO_COLOR.
    textarea.set_line_number_style(Style::new().add_modifier(Modifier::DIM));
    textarea.set_cursor_line_style(Style::new());
    textarea.set_cursor_style(Style::new().add_modifier(Modifier::REVERSED));
    textarea
}

pub fn on_key(state: &mut EditorState, key: KeyEvent) -> EditorOutcome {
    if key.kind == KeyEventKind::Release {
        return EditorOutcome::Nothing;
    }
    if !state.confirm_overwrite.is_empty() {
        return conflict::answer_overwrite(state, key);
    }
    if state.confirm_discard {
        return match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => EditorOutcome::Close,
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                state.confirm_discard = false;
                EditorOutcome::Nothing
            }
            _ => EditorOutcome::Nothing,
        };
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // Ctrl-C leaves the editor as Esc does: never with unsaved changes unasked.
    let leave = key.code == KeyCode::Esc || (ctrl && key.code == KeyCode::Char('c'));
    match key.code {
        KeyCode::Char('s') if ctrl => {
            if state.saving {
                state.message = Some("저장하는 중입니다. 결과를 기다려 주세요.".into());
                EditorOutcome::Nothing
            } else {
                EditorOutcome::Save
            }
        }
        KeyCode::Char('r') if ctrl => EditorOutcome::Reload,
        KeyCode::Char('t') if ctrl => {
            state.swap_stash();
            EditorOutcome::Nothing
        }
        _ if leave && !state.is_modified() => EditorOutcome::Close,
        _ if leave => {
            state.confirm_discard = true;
            EditorOutcome::Nothing
        }
        _ => {
            if state.textarea.input(key) {
                state.refresh_three_way();
            }
            EditorOutcome::Nothing
        }
    }
}

/// The mouse wheel scrolls the buffer; clicks are left to the caller.
pub fn on_mouse(state: &mut EditorState, event: MouseEvent) {
    if matches!(
        event.kind,
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
    ) {
        state.textarea.input(event);
    }
}

/// Pasted text (bracketed paste) goes in as typed, newlines included.
pub fn on_paste(state: &mut EditorState, text: &str) {
    if !state.confirm_discard && state.confirm_overwrite.is_empty() {
        state.textarea.insert_str(text.replace("\r\n", "\n"));
        state.refresh_three_way();
    }
}

/// Records the caller's validation. A valid edit is being sent from now on; problems are shown
/// under the editor. The buffer is never touched, so an invalid edit is not lost.
pub fn apply_validation(state: &mut EditorState, result: &Result<Validated, Vec<Problem>>) {
    match result {
        Ok(validated) => {
            state.problems.clear();
            state.warnings = validated.warnings.clone();
            state.saving = true;
            state.message = Some("저장하는 중…".into());
        }
        Err(problems) => {
            state.problems = problems.clone();
            state.warnings.clear();
            state.saving = false;
            state.message = Some(format!(
                "저장하지 않았습니다: 문제 {}개를 고친 뒤 다시 Ctrl-S",
                problems.len()
            ));
        }
    }
}

#[cfg(test)]
mod tests;
