//! Tests of the editor after a 409: the three-way comparison, carrying the edit onto the
//! cluster's version, and the question before the other writer's fields are overwritten.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::*;
use crate::features::cluster::MeshKind;
use crate::features::traffic::editor::{new_textarea, on_key};
use crate::features::traffic::validate::validate;

/// The watched VirtualService `reviews` at `version`, with server-set metadata as a real
/// API server sends it.
fn watched(version: &str, weights: (u64, u64), labels: Option<Value>) -> MeshObject {
    let mut object = json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": "reviews",
            "namespace": "default",
            "resourceVersion": version,
            "uid": "375c192d-fb86-45d5-831d-927370bc2cf8",
            "generation": 3,
            "creationTimestamp": "2026-11-25T10:00:00Z",
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
    if let Some(labels) = labels {
        object["metadata"]["labels"] = labels;
        object["metadata"]["managedFields"] = json!([
            { "manager": "istio-lab", "operation": "Apply" },
            { "manager": "kubectl-edit", "operation": "Update" }
        ]);
    }
    MeshObject::from_value(MeshKind::VirtualService, object)
}

fn team() -> Option<Value> {
    Some(json!({ "team": "blue" }))
}

/// Opened at 90/10, edited to 60/40, and refused with 409.
fn refused_edit() -> EditorState {
    let mut state = EditorState::open(&watched("300", (90, 10), None));
    let text = state
        .text()
        .replace("weight: 90", "weight: 60")
        .replace("weight: 10", "weight: 40");
    state.textarea = new_textarea(&text);
    state.saving = true;
    state.save_failed(Some(409), "the object has been modified".into());
    state
}

/// The buffer as a document.
fn buffer(state: &EditorState) -> Value {
    parse_document(&state.text()).expect("the buffer parses")
}

fn weights(document: &Value) -> Vec<u64> {
    document["spec"]["http"][0]["route"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["weight"].as_u64())
        .collect()
}

fn key(state: &mut EditorState, code: KeyCode) -> EditorOutcome {
    on_key(state, KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn a_409_compares_base_theirs_and_yours_without_touching_the_buffer() {
    let mut state = refused_edit();
    let typed = state.text();
    assert!(state.conflict_with(&watched("301", (10, 90), team())));
    assert_eq!(state.text(), typed, "the edit is kept as typed");
    assert!(state.is_stale());
    assert_eq!(state.resource_version, "301");
    assert_eq!(state.message.as_deref(), Some(MERGE_MESSAGE));
    let merge = state.three_way.as_ref().expect("the comparison is shown");
    let conflicts: Vec<String> = merge.conflicts.iter().map(|c| c.path.to_string()).collect();
    assert_eq!(
        conflicts,
        [
            "spec.http[0].route[0].weight",
            "spec.http[0].route[1].weight"
        ]
    );
    let theirs: Vec<String> = merge.theirs.iter().map(|c| c.path.to_string()).collect();
    // Server-set metadata (managedFields, uid, resourceVersion, …) is nobody's change.
    assert_eq!(theirs, ["metadata.labels.team"]);
    assert!(merge.yours.is_empty());
}

#[test]
fn carrying_the_edit_keeps_the_label_and_asks_about_the_weights() {
    let mut state = refused_edit();
    let typed = state.text();
    let theirs = watched("301", (10, 90), team());
    state.conflict_with(&theirs);
    state.carry_onto_server().expect("the edit parses");

    let merged = buffer(&state);
    assert_eq!(merged["metadata"]["labels"], json!({ "team": "blue" }));
    assert_eq!(weights(&merged), [60, 40], "the learner's values are shown");
    assert!(!state.is_stale());
    assert_eq!(state.stash.as_deref(), Some(typed.as_str()));
    // The merged text is a valid edit of the cluster's version.
    let result = validate(&state.text(), &theirs, &state.resource_version, &[], &[]);
    let object = result.expect("valid").object;
    assert_eq!(object["metadata"]["resourceVersion"], "301");
    assert_eq!(object["metadata"]["labels"]["team"], "blue");

    let asked = state.pending_overwrites();
    let fields: Vec<(String, Option<Value>, Option<Value>)> = asked
        .iter()
        .map(|c| (c.path.to_string(), c.theirs.clone(), c.yours.clone()))
        .collect();
    assert_eq!(
        fields,
        [
            (
                "spec.http[0].route[0].weight".to_string(),
                Some(json!(10)),
                Some(json!(60))
            ),
            (
                "spec.http[0].route[1].weight".to_string(),
                Some(json!(90)),
                Some(json!(40))
            ),
        ]
    );
}

#[test]
fn a_label_added_elsewhere_merges_without_a_question() {
    let mut state = refused_edit();
    state.conflict_with(&watched("301", (90, 10), team()));
    state.carry_onto_server().expect("the edit parses");
    let merged = buffer(&state);
    assert_eq!(merged["metadata"]["labels"], json!({ "team": "blue" }));
    assert_eq!(weights(&merged), [60, 40]);
    assert!(state.pending_overwrites().is_empty());
}

#[test]
fn setting_a_conflicting_field_back_to_the_cluster_value_drops_the_question() {
    let mut state = refused_edit();
    state.conflict_with(&watched("301", (10, 90), team()));
    state.carry_onto_server().expect("the edit parses");
    let text = state
        .text()
        .replace("weight: 60", "weight: 10")
        .replace("weight: 40", "weight: 90");
    state.textarea = new_textarea(&text);
    assert!(state.pending_overwrites().is_empty());
}

#[test]
fn a_lagging_watch_is_not_taken_for_the_newer_version() {
    let mut state = refused_edit();
    assert!(!state.conflict_with(&watched("300", (90, 10), None)));
    assert!(!state.is_stale());
    assert!(state.three_way.is_none());
    assert_eq!(state.resource_version, "300");
    assert_eq!(state.message.as_deref(), Some(WAITING_MESSAGE));
}

#[test]
fn reload_then_ctrl_t_brings_back_an_edit_that_is_carried_on_save() {
    let mut state = refused_edit();
    let typed = state.text();
    state.reload(&watched("301", (10, 90), team()));
    assert!(!state.is_stale() && state.three_way.is_none());
    on_key(
        &mut state,
        KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL),
    );
    assert_eq!(state.text(), typed);
    assert!(state.is_stale(), "the edit started from version 300");
    assert_eq!(state.resource_version, "301");
    let merge = state.three_way.as_ref().expect("compared again");
    assert_eq!(merge.conflicts.len(), 2);

    state.carry_onto_server().expect("the edit parses");
    assert_eq!(buffer(&state)["metadata"]["labels"]["team"], "blue");
    assert_eq!(state.pending_overwrites().len(), 2);
}

#[test]
fn a_buffer_that_does_not_parse_is_not_merged() {
    let mut state = refused_edit();
    state.conflict_with(&watched("301", (10, 90), team()));
    let broken = format!("{}kind: [oops\n", state.text());
    state.textarea = new_textarea(&broken);
    let problem = state.carry_onto_server().expect_err("not parsed");
    assert!(problem.line.is_some());
    assert_eq!(state.text(), broken);
    assert!(state.is_stale(), "nothing carried yet");
}

#[test]
fn the_overwrite_question_takes_enter_or_esc_and_types_nothing() {
    let mut state = refused_edit();
    state.conflict_with(&watched("301", (10, 90), team()));
    state.carry_onto_server().expect("the edit parses");
    let fields = state.pending_overwrites();
    state.ask_overwrite(fields);
    let text = state.text();
    assert_eq!(key(&mut state, KeyCode::Char('x')), EditorOutcome::Nothing);
    assert_eq!(state.text(), text);
    assert!(!state.confirm_overwrite.is_empty());

    assert_eq!(key(&mut state, KeyCode::Esc), EditorOutcome::Nothing);
    assert!(state.confirm_overwrite.is_empty());
    assert_eq!(state.text(), text, "back to the merged buffer");

    let fields = state.pending_overwrites();
    state.ask_overwrite(fields);
    assert_eq!(
        key(&mut state, KeyCode::Enter),
        EditorOutcome::SaveOverwriting
    );
    assert!(state.confirm_overwrite.is_empty());
}

#[test]
fn a_save_after_a_merge_says_the_other_change_was_kept() {
    let mut state = refused_edit();
    state.conflict_with(&watched("301", (90, 10), team()));
    state.carry_onto_server().expect("the edit parses");
    state.saved("302".into());
    let message = state.message.clone().unwrap_or_default();
    assert!(
        message.contains("302") && message.contains("1개"),
        "{message}"
    );
    assert!(state.three_way.is_none() && state.overwrites.is_empty());
    assert!(!state.is_modified() && !state.is_stale());
}

#[test]
fn a_version_that_moved_only_server_fields_is_sent_as_it_is() {
    let mut state = refused_edit();
    let mut newer = watched("301", (90, 10), None);
    newer.raw["status"] = json!({ "validationMessages": [] });
    newer.raw["metadata"]["generation"] = json!(4);
    assert!(state.conflict_with(&newer));
    assert!(!state.is_stale(), "nobody changed an editable field");
    assert!(state.three_way.is_none());
    assert_eq!(state.resource_version, "301");
    assert!(state.pending_overwrites().is_empty());
    assert_eq!(weights(&buffer(&state)), [60, 40], "the edit is kept");
}
