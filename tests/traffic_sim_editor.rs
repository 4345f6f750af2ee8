//! The YAML editor against the embedded demo cluster over real HTTP: saving with the
//! resourceVersion, a stale save, and a 409 carried onto the other writer's version.

mod common;

use common::harness::SimLab;
use common::sim_lab::{Lab, pairs, weights};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::{Msg, update};
use jiff::Timestamp;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_saves_with_the_resource_version_and_a_stale_save_keeps_the_edit() {
    use istio_lab::features::traffic::editor::EditorState;
    let mut lab = <SimLab as Lab>::start().await;
    lab.key(KeyCode::Char('e'));
    let edited = |state: &EditorState, from: &str, to: &str| {
        let text = state.text().replace(from, to);
        ratatui_textarea::TextArea::new(text.lines().map(str::to_string).collect())
    };
    {
        let state = lab.model.editor.as_mut().expect("editor open");
        assert!(!state.text().contains("managedFields"));
        let area = edited(state, "weight: 80", "weight: 60");
        state.textarea = area;
        let area = edited(state, "weight: 20", "weight: 40");
        state.textarea = area;
    }
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let effects = update(&mut lab.model, Msg::Key(ctrl('s')), Timestamp::now());
    lab.runner.run_all(effects);
    lab.until("the edit is saved", |m| {
        m.editor
            .as_ref()
            .is_some_and(|e| !e.saving && !e.is_modified())
    })
    .await;
    assert_eq!(
        weights(&lab.virtual_service().await.unwrap()),
        pairs(&[("v1", 60), ("v2", 40)])
    );

    // Someone else changes it; saving the now stale buffer gets 409 and the edit survives.
    {
        let state = lab.model.editor.as_mut().unwrap();
        let area = edited(state, "weight: 60", "weight: 70");
        state.textarea = area;
        let area = edited(state, "weight: 40", "weight: 30");
        state.textarea = area;
    }
    let body = json!({"spec": {"http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}, "weight": 100}]}]}});
    lab.sim
        .store()
        .merge_patch_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
            &body,
            "kubectl-edit",
        )
        .unwrap();
    lab.until("the other edit is watched", |m| {
        m.traffic.configured().first().map(|w| w.1) == Some(100)
    })
    .await;
    let effects = update(&mut lab.model, Msg::Key(ctrl('s')), Timestamp::now());
    lab.runner.run_all(effects);
    lab.until("the stale save is refused", |m| {
        m.editor.as_ref().is_some_and(|e| e.conflict)
    })
    .await;
    let state = lab.model.editor.as_ref().unwrap();
    assert!(state.text().contains("weight: 70"), "the edit is kept");
    assert_eq!(
        weights(&lab.virtual_service().await.unwrap()),
        pairs(&[("v1", 100)])
    );
    let effects = update(&mut lab.model, Msg::Key(ctrl('r')), Timestamp::now());
    lab.runner.run_all(effects);
    let state = lab.model.editor.as_ref().unwrap();
    assert!(
        state.text().contains("weight: 100"),
        "reloaded from the cluster"
    );
    assert!(
        state
            .stash
            .as_deref()
            .is_some_and(|s| s.contains("weight: 70")),
        "the edit is kept aside"
    );

    // An invalid buffer is never sent and never lost.
    {
        let state = lab.model.editor.as_mut().unwrap();
        let area = edited(state, "weight: 100", "weight: 101");
        state.textarea = area;
    }
    let effects = update(&mut lab.model, Msg::Key(ctrl('s')), Timestamp::now());
    assert!(effects.is_empty(), "{effects:?}");
    let state = lab.model.editor.as_ref().unwrap();
    assert!(!state.problems.is_empty());
    assert!(state.text().contains("weight: 101"));
    lab.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_409_carries_the_edit_onto_the_other_writers_version_and_keeps_its_label() {
    let mut lab = <SimLab as Lab>::start().await;
    lab.key(KeyCode::Char('e'));
    {
        let state = lab.model.editor.as_mut().expect("editor open");
        let text = state
            .text()
            .replace("weight: 80", "weight: 60")
            .replace("weight: 20", "weight: 40");
        state.textarea =
            ratatui_textarea::TextArea::new(text.lines().map(str::to_string).collect());
    }
    // Another writer adds a label and sets 10/90 with a merge patch.
    let body = json!({
        "metadata": {"labels": {"team": "blue"}},
        "spec": {"http": [{"route": [
            {"destination": {"host": "reviews", "subset": "v1"}, "weight": 10},
            {"destination": {"host": "reviews", "subset": "v2"}, "weight": 90}]}]}
    });
    lab.sim
        .store()
        .merge_patch_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
            &body,
            "kubectl-edit",
        )
        .expect("patched in the sim");
    lab.until("the other edit is watched", |m| {
        m.traffic.configured().first().map(|w| w.1) == Some(10)
    })
    .await;
    let ctrl = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let effects = update(&mut lab.model, ctrl('s'), Timestamp::now());
    lab.runner.run_all(effects);
    lab.until("the stale save is refused and compared", |m| {
        m.editor.as_ref().is_some_and(|e| e.three_way.is_some())
    })
    .await;

    // The reported sequence: reload, swap the edit back, save.
    for c in ['r', 't', 's'] {
        let effects = update(&mut lab.model, ctrl(c), Timestamp::now());
        assert!(effects.is_empty(), "nothing sent on Ctrl-{c}: {effects:?}");
    }
    let state = lab.model.editor.as_ref().unwrap();
    assert_eq!(state.confirm_overwrite.len(), 2, "both weights are asked");
    let effects = update(
        &mut lab.model,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        Timestamp::now(),
    );
    lab.runner.run_all(effects);
    lab.until("the merged edit is saved", |m| {
        m.editor
            .as_ref()
            .is_some_and(|e| !e.saving && !e.is_modified() && !e.conflict)
    })
    .await;

    let vs = lab.virtual_service().await.expect("exists");
    assert_eq!(vs["metadata"]["labels"], json!({"team": "blue"}));
    assert_eq!(weights(&vs), pairs(&[("v1", 60), ("v2", 40)]));
    let entries = vs["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields");
    let other = entries
        .iter()
        .find(|e| e["manager"] == "kubectl-edit")
        .unwrap_or_else(|| panic!("the other manager is kept: {entries:?}"));
    assert!(
        other["fieldsV1"]["f:metadata"]["f:labels"]
            .get("f:team")
            .is_some(),
        "it still owns its label: {other}"
    );
    assert!(
        entries.iter().any(|e| e["manager"] == "istio-lab"),
        "{entries:?}"
    );
    lab.sim.shutdown().await;
}
