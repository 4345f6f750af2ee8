//! The traffic lab against the embedded demo cluster over real HTTP: the pure update and the
//! effect runner drive the sim exactly as the TUI does, without a terminal.

mod common;

use common::harness::SimLab;
use common::sim_lab::{Lab, pairs, resource, weights};
use crossterm::event::KeyCode;
use istio_lab::features::cluster::apply::Writer;
use istio_lab::features::traffic::Verdict;
use istio_lab::features::traffic::model::SendState;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

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
