//! The editor after a 409: comparing what it opened, the cluster's newer version and the
//! buffer; carrying the learner's changes onto the newer version so the other writer's keep;
//! and asking before the fields both changed are overwritten.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;

use super::merge::{Conflict, three_way};
use super::{EditorOutcome, EditorState};
use crate::features::cluster::mesh::MeshObject;
use crate::features::traffic::validate::{Problem, editable_value, parse_document, yaml_text};

pub const MERGE_MESSAGE: &str = "그사이 다른 곳에서 바뀌었습니다. 아래는 처음 연 버전, 클러스터의 지금 버전, 내 편집의 비교입니다 — Ctrl-S: 내 변경을 지금 버전에 옮겨 저장 · Ctrl-R: 지금 버전 다시 읽기 (편집 내용은 보관)";

/// Said when the watch has not yet brought the version the 409 refers to.
pub const WAITING_MESSAGE: &str = "그사이 다른 곳에서 바뀌었습니다. 클러스터의 새 버전을 아직 받지 못했습니다 — 잠시 뒤 다시 Ctrl-S (편집 내용은 그대로)";

impl EditorState {
    /// The buffer's edit started from an older version than the one a save is sent against.
    pub fn is_stale(&self) -> bool {
        self.base != self.server
    }

    /// The buffer as the learner's document, server-set fields left out as in `base`.
    fn yours(&self) -> Result<Value, Problem> {
        parse_document(&self.text()).map(|document| editable_value(&document))
    }

    /// After a 409: takes `latest` (the watched object) as the server's version and compares.
    /// False when the watch still has a version the editor was based on, so the newer one is
    /// not known yet.
    pub fn conflict_with(&mut self, latest: &MeshObject) -> bool {
        let Some(version) = &latest.resource_version else {
            return false;
        };
        if self.seen_versions.contains(version) {
            self.message = Some(WAITING_MESSAGE.into());
            return false;
        }
        self.seen_versions.push(version.clone());
        self.server = editable_value(&latest.raw);
        self.original_yaml = yaml_text(&self.server);
        self.resource_version = version.clone();
        self.three_way = None;
        self.refresh_three_way();
        self.message = Some(if self.is_stale() {
            MERGE_MESSAGE.into()
        } else {
            // Only status or server-set metadata moved: the edit can go as it is.
            "그사이 서버가 관리하는 필드만 바뀌었습니다 — Ctrl-S로 다시 저장하세요".into()
        });
        true
    }

    /// Recomputes the comparison while the buffer is stale. A buffer that does not parse
    /// keeps the last comparison: half-typed YAML is no reason to hide it.
    pub(super) fn refresh_three_way(&mut self) {
        if !self.is_stale() {
            return;
        }
        if let Ok(yours) = self.yours() {
            self.three_way = Some(three_way(&self.base, &self.server, &yours));
        }
    }

    /// Carries the learner's changes (base → buffer) onto the server's version: the buffer
    /// becomes the merged document, the edit as typed goes to the stash, and the fields both
    /// sides changed are remembered so a save asks before overwriting them.
    pub fn carry_onto_server(&mut self) -> Result<(), Problem> {
        let yours = self.yours()?;
        let merge = three_way(&self.base, &self.server, &yours);
        let merged = yaml_text(&merge.merged);
        if merged.trim_end() != self.text().trim_end() {
            self.stash = Some(self.text());
            self.stash_base = Some(self.base.clone());
            self.replace_buffer(&merged);
        }
        self.base = self.server.clone();
        self.overwrites = merge.conflicts.clone();
        self.three_way = Some(merge);
        Ok(())
    }

    /// The fields both sides changed that the buffer still sets to something other than the
    /// server's value, with the buffer's value now. A buffer that does not parse is left to
    /// validation, which names the place.
    pub fn pending_overwrites(&self) -> Vec<Conflict> {
        let Ok(yours) = self.yours() else {
            return Vec::new();
        };
        self.overwrites
            .iter()
            .filter(|c| c.path.get(&yours) != c.path.get(&self.server))
            .map(|c| Conflict {
                yours: c.path.get(&yours).cloned(),
                theirs: c.path.get(&self.server).cloned(),
                ..c.clone()
            })
            .collect()
    }

    /// Holds the save until the learner answers for `fields`.
    pub fn ask_overwrite(&mut self, fields: Vec<Conflict>) {
        self.message = Some(format!(
            "다른 쪽도 바꾼 필드 {}개를 내 값으로 덮어씁니다. 아직 아무것도 보내지 않았습니다.",
            fields.len()
        ));
        self.confirm_overwrite = fields;
    }

    /// Drops what a merge left behind: after a save or a reload there is nothing to carry.
    pub(super) fn forget_merge(&mut self) {
        self.three_way = None;
        self.overwrites.clear();
        self.confirm_overwrite.clear();
    }

    /// The buffer just sent is what the server now holds, as far as the editor knows.
    pub(super) fn saved_document(&mut self) {
        if let Ok(yours) = self.yours() {
            self.base = yours;
            self.server = self.base.clone();
        }
    }
}

/// The question before overwriting the other writer's fields: Enter sends, Esc (or Ctrl-C)
/// goes back to the buffer; nothing is typed meanwhile.
pub(super) fn answer_overwrite(state: &mut EditorState, key: KeyEvent) -> EditorOutcome {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let back = key.code == KeyCode::Esc || (ctrl && key.code == KeyCode::Char('c'));
    if key.code == KeyCode::Enter {
        state.confirm_overwrite.clear();
        return EditorOutcome::SaveOverwriting;
    }
    if back {
        state.confirm_overwrite.clear();
        state.message = Some(
            "보내지 않았습니다. 합친 내용을 고친 뒤 Ctrl-S (충돌한 필드를 클러스터 값으로 두면 묻지 않습니다)"
                .into(),
        );
    }
    EditorOutcome::Nothing
}

#[cfg(test)]
#[path = "conflict_tests.rs"]
mod tests;
