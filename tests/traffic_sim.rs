//! The traffic lab against the embedded demo cluster over real HTTP: the pure update and the
//! effect runner drive the sim exactly as the TUI does, without a terminal.

mod common;

use std::time::Duration;

use common::harness::SimLab;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::{Model, Msg, update};
use istio_lab::features::cluster::apply::Writer;
use istio_lab::features::traffic::Verdict;
use istio_lab::features::traffic::model::SendState;
use jiff::Timestamp;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::ApiResource;
use serde_json::{Value, json};

/// The test's own steps on the shared harness.
trait Lab {
    async fn start() -> SimLab;
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool);
    fn key(&mut self, code: KeyCode);
    async fn virtual_service(&self) -> Option<Value>;
}

impl Lab for SimLab {
    async fn start() -> SimLab {
        let mut lab = SimLab::start(50.0).await.expect("the lab starts");
        lab.until("the 80/20 split is watched", |m| {
            m.traffic.sliders.weights().len() == 3 && m.traffic.configured()[0].1 == 80
        })
        .await;
        lab
    }

    /// Applies messages and runs effects until `done` holds; fails after 20 s with the state.
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(&self.model) {
            let batch = tokio::time::timeout_at(deadline, self.batch()).await;
            let Ok(effects) = batch else {
                panic!(
                    "timed out waiting for {what}: sliders {:?}, send {:?}",
                    self.model.traffic.sliders.weights(),
                    self.model.traffic.send
                );
            };
            self.runner.run_all(effects);
        }
    }

    fn key(&mut self, code: KeyCode) {
        let effects = self.press(code);
        self.runner.run_all(effects);
    }

    async fn virtual_service(&self) -> Option<Value> {
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), "default", &resource());
        api.get_opt("reviews")
            .await
            .expect("get")
            .map(|o| serde_json::to_value(o).expect("json"))
    }
}

fn resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("networking.istio.io", "v1", "VirtualService"),
        "virtualservices",
    )
}

fn weights(vs: &Value) -> Vec<(String, u64)> {
    vs["spec"]["http"][0]["route"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["destination"]["subset"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                d["weight"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(s, w)| (s.to_string(), *w)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_on_the_sliders_land_in_the_virtual_service() {
    let mut lab = <SimLab as Lab>::start().await;
    lab.key(KeyCode::Char('4'));
    lab.until("the 0/100 preset is applied", |m| {
        matches!(m.traffic.send, SendState::Applied { .. }) && !m.traffic.local_changes
    })
    .await;
    let vs = lab.virtual_service().await.expect("exists");
    assert_eq!(weights(&vs), pairs(&[("v1", 0), ("v2", 100), ("v3", 0)]));
    let managers: Vec<(&str, &str)> = vs["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["manager"].as_str().unwrap(),
                e["operation"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        managers.contains(&("istio-lab", "Update")),
        "a merge patch by istio-lab: {managers:?}"
    );
    // Arrow keys move one step at a time and the last value wins.
    for _ in 0..5 {
        lab.key(KeyCode::Right);
    }
    lab.until("v1 at 5 in the cluster", |m| {
        m.traffic.configured()[0].1 == 5
    })
    .await;
    let vs = lab.virtual_service().await.unwrap();
    assert_eq!(weights(&vs), pairs(&[("v1", 5), ("v2", 95), ("v3", 0)]));
    assert_eq!(
        vs["spec"]["hosts"],
        json!(["reviews"]),
        "the rest of the resource is kept"
    );
    lab.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_made_elsewhere_moves_the_sliders_and_names_its_manager() {
    let mut lab = <SimLab as Lab>::start().await;
    let body = json!({"spec": {"http": [{"route": [
        {"destination": {"host": "reviews", "subset": "v1"}, "weight": 10},
        {"destination": {"host": "reviews", "subset": "v3"}, "weight": 90}]}]}});
    lab.sim
        .store()
        .merge_patch_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
            &body,
            "kubectl-client-side-apply",
        )
        .expect("patched in the sim");
    lab.until("the sliders follow the edit", |m| {
        m.traffic
            .sliders
            .weights()
            .iter()
            .map(|(_, w)| *w)
            .collect::<Vec<_>>()
            == [10, 0, 90]
    })
    .await;
    assert_eq!(
        lab.model.traffic.changed_by.as_deref(),
        Some("kubectl-client-side-apply")
    );
    lab.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_virtual_service_is_offered_and_created_from_the_guide() {
    let mut lab = <SimLab as Lab>::start().await;
    let api: Api<DynamicObject> = Api::namespaced_with(lab.client.clone(), "default", &resource());
    api.delete("reviews", &Default::default())
        .await
        .expect("deleted");
    lab.until("the deletion is watched", |m| m.traffic.route.is_none())
        .await;
    lab.key(KeyCode::Right);
    lab.until(
        "the send fails with 404",
        |m| matches!(&m.traffic.send, SendState::Failed(e) if e.code == Some(404)),
    )
    .await;
    lab.key(KeyCode::Char('a'));
    lab.until("the guide's VirtualService is back", |m| {
        m.traffic.configured().first().map(|w| w.1) == Some(80)
    })
    .await;
    lab.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_404_415_and_422_as_a_real_one_and_the_app_reports_them() {
    let lab = <SimLab as Lab>::start().await;
    let writer = Writer::default();
    let vs = lab.virtual_service().await.unwrap();
    let missing = writer
        .merge_patch_virtual_service(&lab.client, "default", "nope", &json!({"spec": {}}))
        .await;
    assert_eq!(missing.unwrap_err().code, Some(404));
    let route = json!({"spec": {"http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}, "weight": 12.5}]}]}});
    let invalid = writer
        .merge_patch_virtual_service(&lab.client, "default", "reviews", &route)
        .await
        .unwrap_err();
    assert_eq!(invalid.code, Some(422));
    assert!(
        invalid.message.contains("spec.http[0].route[0].weight"),
        "{}",
        invalid.message
    );
    // A strategic-merge patch is refused for the custom resource, which is why the app never sends one.
    let api: Api<DynamicObject> = Api::namespaced_with(lab.client.clone(), "default", &resource());
    let strategic = api
        .patch(
            "reviews",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {}})),
        )
        .await;
    match strategic {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 415),
        other => panic!("expected 415, got {other:?}"),
    }
    assert_eq!(
        lab.virtual_service().await.unwrap()["spec"],
        vs["spec"],
        "failed writes change nothing"
    );
    lab.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probes_split_converges_toward_the_weights() {
    let mut lab = <SimLab as Lab>::start().await;
    lab.until("reviews pods are ready", |m| {
        ["v1", "v2"]
            .iter()
            .all(|v| m.traffic.pods_behind(&m.cluster, "default", v).0 == 1)
    })
    .await;
    lab.until("productpage is ready", |m| {
        m.cluster.pods.get("default").is_some_and(|p| {
            p.values()
                .any(|r| r.name.starts_with("productpage") && r.ready == (2, 2))
        })
    })
    .await;
    for _ in 0..15 {
        lab.key(KeyCode::Char('+'));
    }
    lab.key(KeyCode::Char('p'));
    lab.until("100 classified requests", |m| {
        m.traffic.observed.len() >= 100
    })
    .await;
    let counts = lab.model.traffic.observed.counts();
    let total: u32 = counts.versions.values().sum();
    let v1 = f64::from(counts.versions.get("v1").copied().unwrap_or(0)) / f64::from(total);
    // 80% ± 5 standard deviations of 100 samples: a real mismatch fails, sampling noise does not.
    assert!((0.6..=0.97).contains(&v1), "{counts:?}");
    assert_eq!(
        counts.versions.get("v3"),
        None,
        "v3 has weight 0: {counts:?}"
    );
    assert_eq!(counts.error_total(), 0, "{counts:?}");
    let expected = lab.model.traffic.sliders.weights();
    assert_ne!(
        lab.model.traffic.observed.verdict(&expected),
        Verdict::TooFewSamples
    );
    lab.sim.shutdown().await;
}

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
