//! The traffic lab before the `reviews` VirtualService exists (lesson 6's state) and across
//! changes made outside the sliders: what it expects, what it says, and when it starts a new
//! sample. The sequences are the ones a learner met.

mod common;

use common::traffic::{fire_due_timers, w, weights};
use common::{cluster, key, lab_without_route, model, screen_rows, send, virtual_service};
use crossterm::event::KeyCode;
use istio_lab::app::{Model, Msg};
use istio_lab::features::cluster::{Change, ClusterEvent, MeshKind};
use istio_lab::features::traffic::Severity;
use istio_lab::features::traffic::model::SendState;
use istio_lab::features::traffic::msg::TrafficMsg;

fn apply_virtual_service(m: &mut Model, weights: &[(&str, u8)], manager: &str) {
    cluster(
        m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(virtual_service(weights, manager)),
        },
    );
}

fn probe_result(m: &mut Model, pod: &str) {
    let generation = m.traffic.probe.generation;
    let page = format!("<html><dt>Reviews served by:</dt><u>{pod}</u></html>");
    send(
        m,
        Msg::Traffic(TrafficMsg::ProbeResponse {
            generation,
            via: "API".into(),
            result: Ok((200, page)),
        }),
    );
}

#[test]
fn without_a_virtual_service_the_lab_expects_round_robin_and_says_it_once() {
    let m = lab_without_route();
    assert_eq!(m.traffic.expected, w(&[("v1", 34), ("v2", 33), ("v3", 33)]));
    assert_eq!(weights(&m), w(&[("v1", 34), ("v2", 33), ("v3", 33)]));
    assert_eq!(m.traffic.findings.len(), 1, "{:?}", m.traffic.findings);
    let finding = &m.traffic.findings[0];
    assert_eq!(finding.severity, Severity::Info);
    assert!(
        finding.message_ko.contains("라운드 로빈"),
        "{}",
        finding.message_ko
    );
    let shown = screen_rows(&m).join("\n");
    assert!(!shown.contains("모든 가중치가 0"), "{shown}");
    assert!(!shown.contains("✖"), "nothing is wrong yet: {shown}");
    assert_eq!(shown.matches("라운드 로빈").count(), 1, "{shown}");
    assert!(
        shown.contains("⇐  -"),
        "the cluster holds no weights: {shown}"
    );
}

#[test]
fn nothing_is_said_missing_before_the_first_list_of_virtual_services() {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    key(&mut m, KeyCode::F(3));
    let shown = screen_rows(&m).join("\n");
    assert!(shown.contains("확인하는 중"), "{shown}");
    assert!(!shown.contains("VirtualService 없음"), "{shown}");
    assert!(m.traffic.findings.is_empty());
    // `a` writes nothing before the list has come.
    let effects = key(&mut m, KeyCode::Char('a'));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, istio_lab::app::Effect::Traffic(_)))
    );
    assert!(m.toast.as_ref().is_some_and(|t| t.text.contains("읽는 중")));
}

#[test]
fn a_refused_key_then_the_guides_resources_leave_the_sliders_on_the_clusters_weights() {
    let mut m = lab_without_route();
    let effects = key(&mut m, KeyCode::Right);
    fire_due_timers(&mut m, &effects);
    assert!(matches!(&m.traffic.send, SendState::Failed(e) if e.code == Some(404)));
    // `a` applies the guide's DestinationRule and 80/20 VirtualService; the watch brings it.
    key(&mut m, KeyCode::Char('a'));
    apply_virtual_service(&mut m, &[("v1", 80), ("v2", 20)], "istio-lab");
    assert_eq!(weights(&m), w(&[("v1", 80), ("v2", 20), ("v3", 0)]));
    assert_eq!(
        m.traffic.configured(),
        w(&[("v1", 80), ("v2", 20), ("v3", 0)])
    );
    assert_eq!(m.traffic.send, SendState::Idle, "the stale 404 is gone");
    assert!(!m.traffic.local_changes);
    assert_eq!(m.traffic.expected, w(&[("v1", 80), ("v2", 20), ("v3", 0)]));
    // From here a key moves from the cluster's 80, not from the refused value.
    key(&mut m, KeyCode::Right);
    assert_eq!(weights(&m)[0].1, 81);
}

#[test]
fn a_change_of_the_clusters_weights_starts_a_new_sample_whoever_made_it() {
    let mut m = lab_without_route();
    apply_virtual_service(&mut m, &[("v1", 80), ("v2", 20)], "istio-lab");
    key(&mut m, KeyCode::Char('p'));
    for pod in ["reviews-v1-abc", "reviews-v3-abc", "reviews-v2-abc"] {
        probe_result(&mut m, pod);
    }
    assert_eq!(m.traffic.observed.len(), 3);
    // Another client (kubectl, the editor, the lesson's `r`) changes only the weights.
    apply_virtual_service(
        &mut m,
        &[("v1", 0), ("v2", 100)],
        "kubectl-client-side-apply",
    );
    assert!(m.traffic.observed.is_empty(), "a new sample starts");
    assert_eq!(m.traffic.expected, w(&[("v1", 0), ("v2", 100), ("v3", 0)]));
    probe_result(&mut m, "reviews-v2-abc");
    assert_eq!(m.traffic.observed.len(), 1);
    // A change that leaves the weights as they were keeps the sample.
    apply_virtual_service(&mut m, &[("v1", 0), ("v2", 100)], "someone-else");
    assert_eq!(m.traffic.observed.len(), 1);
}
