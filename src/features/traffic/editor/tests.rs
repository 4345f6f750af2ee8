//! Tests of the YAML editor: opening, keys, save results, the 409 reload and its stash.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde_json::json;

use super::*;
use crate::features::cluster::mesh::Weight;
use crate::features::traffic::validate::validate;

/// The watched VirtualService at `resource_version`, as the lab stores it.
fn virtual_service(resource_version: &str, weights: (Weight, Weight)) -> MeshObject {
    let object = json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": "reviews",
            "namespace": "default",
            "resourceVersion": resource_version,
            "uid": "375c192d-fb86-45d5-831d-927370bc2cf8",
            "managedFields": [{ "manager": "istio-lab", "operation": "Apply" }]
        },
        "spec": {
            "hosts": ["reviews"],
            "http": [{ "route": [
                { "destination": { "host": "reviews", "subset": "v1" }, "weight": weights.0 },
                { "destination": { "host": "reviews", "subset": "v2" }, "weight": weights.1 }
            ]}]
        }
    });
    MeshObject::from_value(MeshKind::VirtualService, object)
}

fn opened() -> EditorState {
    EditorState::open(&virtual_service("300", (90, 10)))
}

fn press(state: &mut EditorState, code: KeyCode) -> EditorOutcome {
    on_key(state, KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(state: &mut EditorState, c: char) -> EditorOutcome {
    on_key(
        state,
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
    )
}

fn type_text(state: &mut EditorState, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

#[test]
fn opening_shows_the_clean_document_unmodified() {
    let state = opened();
    assert_eq!(
        (state.name.as_str(), state.namespace.as_str()),
        ("reviews", "default")
    );
    assert_eq!(state.resource_version, "300");
    assert!(!state.is_modified());
    assert_eq!(state.text(), state.original_yaml);
    assert!(!state.text().contains("managedFields"));
    assert_eq!(
        state.textarea.lines()[0],
        "apiVersion: networking.istio.io/v1"
    );
}

#[test]
fn the_cursor_column_counts_korean_as_two_cells() {
    let mut state = opened();
    type_text(&mut state, "가나");
    assert_eq!(state.textarea.cursor(), (0, 2));
    assert_eq!(state.cursor_display_column(), 4);
    assert!(state.textarea.lines()[0].starts_with("가나apiVersion"));
    press(&mut state, KeyCode::Left);
    assert_eq!(state.cursor_display_column(), 2);
    press(&mut state, KeyCode::End);
    assert_eq!(
        state.cursor_display_column(),
        4 + "apiVersion: networking.istio.io/v1".len()
    );
    assert!(state.is_modified());
}

#[test]
fn display_width_handles_tabs_and_combining_marks() {
    assert_eq!(display_width("a\tb", 2), 3);
    assert_eq!(display_width("ab\t", 4), 4);
    // A decomposed 한 (three jamo) is one grapheme drawn two cells wide.
    assert_eq!(display_width("\u{1112}\u{1161}\u{11AB}x", 2), 3);
    assert_eq!(display_width("", 2), 0);
}

#[test]
fn escape_closes_at_once_only_without_changes() {
    let mut state = opened();
    assert_eq!(press(&mut state, KeyCode::Esc), EditorOutcome::Close);

    let mut state = opened();
    type_text(&mut state, "x");
    let text = state.text();
    assert_eq!(press(&mut state, KeyCode::Esc), EditorOutcome::Nothing);
    assert!(state.confirm_discard);
    // Other keys do not edit while the question is open.
    assert_eq!(
        press(&mut state, KeyCode::Char('z')),
        EditorOutcome::Nothing
    );
    assert_eq!(
        press(&mut state, KeyCode::Char('n')),
        EditorOutcome::Nothing
    );
    assert!(!state.confirm_discard);
    assert_eq!(state.text(), text);

    press(&mut state, KeyCode::Esc);
    assert_eq!(press(&mut state, KeyCode::Esc), EditorOutcome::Nothing);
    assert!(!state.confirm_discard);
    press(&mut state, KeyCode::Esc);
    assert_eq!(press(&mut state, KeyCode::Char('y')), EditorOutcome::Close);
}

#[test]
fn ctrl_s_asks_to_save_unless_a_save_is_running() {
    let mut state = opened();
    assert_eq!(ctrl(&mut state, 's'), EditorOutcome::Save);
    assert!(
        state.text().starts_with("apiVersion"),
        "Ctrl-S must not type"
    );
    state.saving = true;
    assert_eq!(ctrl(&mut state, 's'), EditorOutcome::Nothing);
    assert!(state.message.is_some());
}

#[test]
fn key_releases_are_ignored() {
    let mut state = opened();
    let mut release = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert_eq!(on_key(&mut state, release), EditorOutcome::Nothing);
    assert!(!state.is_modified());
}

#[test]
fn a_conflict_keeps_the_text_and_explains() {
    let mut state = opened();
    type_text(&mut state, "# mine\n");
    let text = state.text();
    state.saving = true;
    state.save_failed(Some(409), "the object has been modified".into());
    assert!(state.conflict);
    assert!(!state.saving);
    assert_eq!(state.message.as_deref(), Some(CONFLICT_MESSAGE));
    assert_eq!(state.text(), text);

    state.save_failed(
        Some(422),
        "spec.http[0].route[0].weight: Invalid value".into(),
    );
    let message = state.message.clone().unwrap_or_default();
    assert!(message.contains("422") && message.contains("Invalid value"));
    assert_eq!(state.text(), text);
}

#[test]
fn reload_keeps_the_edit_in_the_stash_and_ctrl_t_swaps_back() {
    let mut state = opened();
    type_text(&mut state, "# mine\n");
    let mine = state.text();
    state.save_failed(Some(409), String::new());
    assert_eq!(ctrl(&mut state, 'r'), EditorOutcome::Reload);

    state.reload(&virtual_service("305", (50, 50)));
    assert!(!state.conflict);
    assert_eq!(state.resource_version, "305");
    assert!(state.text().contains("weight: 50"));
    assert!(!state.is_modified());
    assert_eq!(state.stash.as_deref(), Some(mine.as_str()));

    ctrl(&mut state, 't');
    assert_eq!(state.text(), mine);
    assert!(
        state.is_modified(),
        "the edit differs from the newest version"
    );
    assert_eq!(state.resource_version, "305", "a save goes against 305");
    assert!(state.is_stale(), "so the edit is first carried onto 305");
    assert!(
        state
            .stash
            .as_deref()
            .unwrap_or_default()
            .contains("weight: 50")
    );

    ctrl(&mut state, 't');
    assert!(state.text().contains("weight: 50"));
    assert_eq!(state.stash.as_deref(), Some(mine.as_str()));
}

#[test]
fn reloading_an_unchanged_buffer_keeps_an_earlier_stash() {
    let mut state = opened();
    type_text(&mut state, "# mine\n");
    state.reload(&virtual_service("305", (50, 50)));
    let stash = state.stash.clone();
    state.reload(&virtual_service("306", (40, 60)));
    assert_eq!(state.stash, stash);
    assert!(state.text().contains("weight: 60"));
}

#[test]
fn ctrl_t_without_a_stash_only_says_so() {
    let mut state = opened();
    let text = state.text();
    ctrl(&mut state, 't');
    assert_eq!(state.text(), text);
    assert!(state.message.is_some());
}

#[test]
fn validation_never_replaces_an_invalid_buffer() {
    let mut state = opened();
    press(&mut state, KeyCode::Down);
    type_text(&mut state, "kind: [oops\n");
    let text = state.text();
    let original = virtual_service("300", (90, 10));
    let result = validate(&text, &original, &state.resource_version, &[], &[]);
    assert!(result.is_err());
    apply_validation(&mut state, &result);
    assert_eq!(state.text(), text);
    assert!(!state.problems.is_empty());
    assert!(!state.saving);
    assert!(state.problems[0].line.is_some());
}

#[test]
fn a_valid_save_runs_until_the_server_answers() {
    let mut state = opened();
    let original = virtual_service("300", (90, 10));
    let result = validate(&state.text(), &original, "300", &[], &[]);
    apply_validation(&mut state, &result);
    assert!(state.saving);
    assert!(state.problems.is_empty());
    // No DestinationRule defines v1/v2: the save goes ahead with IST0101 warnings.
    assert!(state.warnings.iter().all(|w| w.code == Some("IST0101")));
    let warned: Vec<&String> = state.warnings.iter().flat_map(|w| &w.subsets).collect();
    assert_eq!(warned, ["v1", "v2"]);

    type_text(&mut state, "# note\n");
    state.saved("301".into());
    assert!(!state.saving);
    assert!(!state.is_modified());
    assert_eq!(state.resource_version, "301");
}

#[test]
fn paste_inserts_lines() {
    let mut state = opened();
    on_paste(&mut state, "# a\r\n# b\n");
    assert_eq!(state.textarea.lines()[0], "# a");
    assert_eq!(state.textarea.lines()[1], "# b");
    assert!(state.textarea.lines()[2].starts_with("apiVersion"));
}

#[test]
fn the_mouse_wheel_scrolls_without_editing() {
    let mut state = opened();
    let text = state.text();
    let wheel = |kind| crossterm::event::MouseEvent {
        kind,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    };
    on_mouse(
        &mut state,
        wheel(crossterm::event::MouseEventKind::ScrollDown),
    );
    on_mouse(
        &mut state,
        wheel(crossterm::event::MouseEventKind::Down(
            crossterm::event::MouseButton::Left,
        )),
    );
    assert_eq!(state.text(), text);
    assert_eq!(state.textarea.scroll_offset().0, 1);
}
