//! The YAML editor's 409 through the app's pure update: the three-way comparison on screen,
//! the learner's edit carried onto the other writer's version, and nothing sent before the
//! learner agrees to overwrite the fields both changed.

mod common;

use common::{T0, cluster, ctrl, key, lab, screen, screen_rows};
use crossterm::event::KeyCode;
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::cluster::{Change, ClusterEvent, MeshKind};
use istio_lab::features::traffic::model::SendError;
use istio_lab::features::traffic::msg::{TrafficEffect, TrafficMsg};
use ratatui_textarea::TextArea;
use serde_json::{Value, json};

/// The watched `reviews` VirtualService at `version`; `label` is the other writer's.
fn watch(model: &mut Model, version: &str, weights: (u64, u64), label: bool) {
    let mut object = json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": "reviews", "namespace": "default", "resourceVersion": version,
            "uid": "375c192d-fb86-45d5-831d-927370bc2cf8",
            "managedFields": [{"manager": "istio-lab", "operation": "Update",
                "apiVersion": "networking.istio.io/v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:http": {}}}}]
        },
        "spec": {
            "hosts": ["reviews"],
            "http": [{"route": [
                {"destination": {"host": "reviews", "subset": "v1"}, "weight": weights.0},
                {"destination": {"host": "reviews", "subset": "v2"}, "weight": weights.1}
            ]}]
        }
    });
    if label {
        object["metadata"]["labels"] = json!({"team": "blue"});
    }
    cluster(
        model,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(common::object(object)),
        },
    );
}

/// The replaces among `effects`: what would be sent to the API server.
fn replaces(effects: &[Effect]) -> Vec<&Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Traffic(TrafficEffect::ReplaceObject { object, .. }) => Some(object),
            _ => None,
        })
        .collect()
}

fn weights(object: &Value) -> Vec<u64> {
    object["spec"]["http"][0]["route"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["weight"].as_u64())
        .collect()
}

/// Opens the editor on 90/10 at version 300, types 60/40, saves, and the server answers 409
/// after `theirs` was watched as version 301.
fn refused(theirs: (u64, u64)) -> Model {
    let mut m = lab();
    watch(&mut m, "300", (90, 10), false);
    key(&mut m, KeyCode::Char('e'));
    let state = m.editor.as_mut().expect("the editor opens");
    let text = state
        .text()
        .replace("weight: 90", "weight: 60")
        .replace("weight: 10", "weight: 40");
    state.textarea = TextArea::new(text.lines().map(str::to_string).collect());
    let sent = ctrl(&mut m, 's');
    let first = replaces(&sent);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["metadata"]["resourceVersion"], "300");
    watch(&mut m, "301", theirs, true);
    let refusal = SendError {
        code: Some(409),
        message: "the object has been modified".into(),
    };
    update(
        &mut m,
        Msg::Traffic(TrafficMsg::EditorSaved(Err(refusal))),
        T0,
    );
    m
}

#[test]
fn after_a_409_the_three_sides_are_shown_and_the_edit_is_kept() {
    let m = refused((10, 90));
    let state = m.editor.as_ref().expect("still open");
    assert!(state.text().contains("weight: 60"), "the edit is kept");
    assert!(state.is_stale());
    let shown = screen(&m);
    assert!(shown.contains("세 방향 비교"), "{shown}");
    // A table row: who changed the field, the field, its value as opened, in the cluster, in
    // the buffer. The words are read from the side's label, inside the editor's box.
    let rows = screen_rows(&m);
    let row = |side: &str, path: &str| {
        let line = rows
            .iter()
            .find(|line| line.contains(path))
            .unwrap_or_else(|| panic!("no row for {path}:\n{shown}"));
        let from = line.find(side).unwrap_or_default();
        line[from..]
            .split(|c: char| c.is_whitespace() || c == '│')
            .filter(|w| !w.is_empty())
            .take(side.split(' ').count() + 4)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("충돌", "spec.http[0].route[0].weight"),
        ["충돌", "spec.http[0].route[0].weight", "90", "10", "60"]
    );
    assert_eq!(
        row("충돌", "spec.http[0].route[1].weight"),
        ["충돌", "spec.http[0].route[1].weight", "10", "90", "40"]
    );
    assert_eq!(
        row("다른 쪽", "metadata.labels.team"),
        [
            "다른",
            "쪽",
            "metadata.labels.team",
            "(없음)",
            "blue",
            "그대로"
        ]
    );
    assert!(
        shown.contains("Ctrl-S 내 변경을 지금 버전에 옮겨 저장"),
        "{shown}"
    );
}

#[test]
fn nothing_is_sent_before_the_learner_agrees_to_overwrite() {
    let mut m = refused((10, 90));
    let effects = ctrl(&mut m, 's');
    assert!(replaces(&effects).is_empty(), "{effects:?}");
    let state = m.editor.as_ref().unwrap();
    assert_eq!(state.confirm_overwrite.len(), 2);
    let merged = state.text();
    assert!(merged.contains("team: blue"), "{merged}");
    assert!(merged.contains("weight: 60") && merged.contains("weight: 40"));
    let shown = screen(&m);
    assert!(
        shown.contains("Enter: 덮어쓰고 저장 · Esc: 돌아가 편집"),
        "{shown}"
    );
    assert!(
        shown.contains("spec.http[0].route[0].weight: 클러스터 10 → 내 값 60"),
        "{shown}"
    );

    // Esc goes back to the merged buffer; typing and saving again asks again.
    let effects = key(&mut m, KeyCode::Esc);
    assert!(replaces(&effects).is_empty());
    assert!(
        m.editor
            .as_ref()
            .is_some_and(|e| e.confirm_overwrite.is_empty())
    );
    assert_eq!(m.editor.as_ref().unwrap().text(), merged);
    let effects = ctrl(&mut m, 's');
    assert!(replaces(&effects).is_empty());
    assert_eq!(m.editor.as_ref().unwrap().confirm_overwrite.len(), 2);

    let effects = key(&mut m, KeyCode::Enter);
    let sent = replaces(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert_eq!(sent[0]["metadata"]["resourceVersion"], "301");
    assert_eq!(sent[0]["metadata"]["labels"], json!({"team": "blue"}));
    assert_eq!(weights(sent[0]), [60, 40]);
    assert!(sent[0]["metadata"].get("managedFields").is_none());
}

#[test]
fn a_label_added_elsewhere_is_merged_and_sent_at_once() {
    let mut m = refused((90, 10));
    let effects = ctrl(&mut m, 's');
    let sent = replaces(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert_eq!(sent[0]["metadata"]["resourceVersion"], "301");
    assert_eq!(sent[0]["metadata"]["labels"], json!({"team": "blue"}));
    assert_eq!(weights(sent[0]), [60, 40]);
    let state = m.editor.as_ref().unwrap();
    assert!(state.text().contains("team: blue"));
}

#[test]
fn reload_swap_and_save_no_longer_drops_the_other_change() {
    // The reported sequence: 409, Ctrl-R, Ctrl-T, Ctrl-S.
    let mut m = refused((10, 90));
    ctrl(&mut m, 'r');
    assert!(m.editor.as_ref().unwrap().text().contains("team: blue"));
    ctrl(&mut m, 't');
    assert!(m.editor.as_ref().unwrap().text().contains("weight: 60"));
    let effects = ctrl(&mut m, 's');
    assert!(replaces(&effects).is_empty(), "asks first");
    let effects = key(&mut m, KeyCode::Enter);
    let sent = replaces(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["metadata"]["labels"], json!({"team": "blue"}));
    assert_eq!(weights(sent[0]), [60, 40]);
}
