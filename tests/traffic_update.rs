//! The traffic lab through the pure update: watched objects move the sliders, keys produce paced
//! merge patches that keep the rest of the resource, results and errors are shown.

mod common;

use istio_lab::features::traffic::msg::TrafficMsg;
use std::time::Duration;

use common::traffic::{fire_due_timers, patches, w, weights};
use common::{T0, cluster, key, lab, model, reviews_pod, send, virtual_service};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::msg::TimerMsg;
use istio_lab::app::{Effect, Msg, update};
use istio_lab::features::cluster::{Change, ClusterEvent, MeshKind};
use istio_lab::features::traffic::model::SendState;
use istio_lab::ui::layout::Pane;
use jiff::{SignedDuration, Timestamp};

#[test]
fn subsets_come_from_the_destination_rule_so_v3_shows_at_zero() {
    let m = lab();
    assert_eq!(weights(&m), w(&[("v1", 80), ("v2", 20), ("v3", 0)]));
    assert_eq!(
        m.traffic.changed_by.as_deref(),
        Some("kubectl-client-side-apply")
    );
    assert!(m.traffic.findings.is_empty(), "{:?}", m.traffic.findings);
    assert_eq!(m.traffic.pods_behind(&m.cluster, "default", "v3"), (1, 1));
}

#[test]
fn a_key_sends_a_merge_patch_that_changes_only_the_weights() {
    let mut m = lab();
    let effects = key(&mut m, KeyCode::Right);
    assert_eq!(weights(&m), w(&[("v1", 81), ("v2", 19), ("v3", 0)]));
    let sent = fire_due_timers(&mut m, &effects);
    let bodies = patches(&sent);
    assert_eq!(bodies.len(), 1);
    let http = &bodies[0]["spec"]["http"];
    // The match route, its timeout, and the retries are kept as the server had them.
    assert_eq!(http[0]["timeout"], "3s");
    assert_eq!(http[0]["match"][0]["headers"]["end-user"]["exact"], "jason");
    assert_eq!(http[1]["retries"]["attempts"], 3);
    let route: Vec<(String, u64)> = http[1]["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["destination"]["subset"].as_str().unwrap().to_string(),
                d["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        route,
        [("v1".into(), 81), ("v2".into(), 19), ("v3".into(), 0)]
    );
    assert_eq!(m.traffic.send, SendState::Applying);
    let effects = send(
        &mut m,
        Msg::Traffic(TrafficMsg::WeightsSent(Ok(("301".into(), 12)))),
    );
    assert!(effects.iter().all(|e| !matches!(
        e,
        Effect::Timer {
            msg: TimerMsg::SendWeights,
            ..
        }
    )));
    assert_eq!(
        m.traffic.send,
        SendState::Applied {
            millis: 12,
            resource_version: "301".into()
        }
    );
    assert!(!m.traffic.local_changes);
}

#[test]
fn holding_a_key_sends_at_most_ten_patches_a_second_and_the_last_value_wins() {
    let mut m = lab();
    let start = T0;
    let mut pending_timer: Option<Timestamp> = None;
    let mut sent = Vec::new();
    // 40 key repeats, 25 ms apart (a typical auto-repeat), each answered quickly by the cluster.
    for i in 0..40u32 {
        let now = start + Duration::from_millis(25 * u64::from(i));
        if let Some(at) = pending_timer.filter(|at| *at <= now) {
            pending_timer = None;
            let effects = update(&mut m, Msg::Traffic(TrafficMsg::SendDue), at);
            for body in patches(&effects) {
                sent.push((at, body.clone()));
                let sent = Msg::Traffic(TrafficMsg::WeightsSent(Ok(("1".into(), 5))));
                update(&mut m, sent, at);
            }
        }
        let press = Msg::Key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        for effect in update(&mut m, press, now) {
            if let Effect::Timer {
                after,
                msg: TimerMsg::SendWeights,
            } = effect
            {
                pending_timer = Some(now + after);
            }
        }
    }
    let last_key = start + Duration::from_millis(25 * 39);
    if let Some(at) = pending_timer {
        for body in patches(&update(&mut m, Msg::Traffic(TrafficMsg::SendDue), at)) {
            sent.push((at, body.clone()));
        }
    }
    let elapsed = sent.last().unwrap().0.duration_since(start);
    let allowed = (elapsed.as_millis() / 100 + 1) as usize;
    assert!(
        sent.len() <= allowed,
        "{} patches in {elapsed:?}",
        sent.len()
    );
    for pair in sent.windows(2) {
        assert!(pair[1].0.duration_since(pair[0].0) >= SignedDuration::from_millis(100));
    }
    let (at, last) = sent.last().unwrap();
    assert!(
        at.duration_since(last_key) <= SignedDuration::from_millis(100),
        "the last value goes out within 100 ms"
    );
    assert_eq!(
        last["spec"]["http"][1]["route"][0]["weight"], 40,
        "80 - 40 presses"
    );
    assert_eq!(weights(&m), w(&[("v1", 40), ("v2", 60), ("v3", 0)]));
}

#[test]
fn an_edit_from_elsewhere_moves_the_sliders_and_names_its_manager() {
    let mut m = lab();
    let vs = virtual_service(&[("v1", 0), ("v2", 100)], "kubectl-client-side-apply");
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(vs),
        },
    );
    assert_eq!(weights(&m), w(&[("v1", 0), ("v2", 100), ("v3", 0)]));
    let vs = virtual_service(&[("v1", 10), ("v2", 90)], "other-tool");
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(vs),
        },
    );
    assert_eq!(m.traffic.changed_by.as_deref(), Some("other-tool"));
    assert_eq!(weights(&m), w(&[("v1", 10), ("v2", 90), ("v3", 0)]));
}

#[test]
fn presets_locks_and_typed_numbers() {
    let mut m = lab();
    key(&mut m, KeyCode::Char('5'));
    assert_eq!(weights(&m), w(&[("v1", 0), ("v2", 0), ("v3", 100)]));
    key(&mut m, KeyCode::Char('0'));
    assert_eq!(
        weights(&m).iter().map(|(_, w)| u32::from(*w)).sum::<u32>(),
        100
    );
    key(&mut m, KeyCode::Char('2'));
    assert_eq!(weights(&m), w(&[("v1", 80), ("v2", 20), ("v3", 0)]));
    // Lock v1, then move v2: only v3 absorbs the change.
    key(&mut m, KeyCode::Char('l'));
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Char('='));
    for c in "5".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    key(&mut m, KeyCode::Enter);
    assert_eq!(weights(&m), w(&[("v1", 80), ("v2", 5), ("v3", 15)]));
    assert!(m.traffic.number_input.is_none());
    key(&mut m, KeyCode::Char('4'));
    assert_eq!(weights(&m)[0].1, 80, "a preset cannot move a locked subset");
    assert!(m.toast.is_some());
    // A typed value beyond what the lock leaves is clamped, and the learner is told why.
    m.toast = None;
    key(&mut m, KeyCode::Char('='));
    for c in "90".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    key(&mut m, KeyCode::Enter);
    assert_eq!(weights(&m), w(&[("v1", 80), ("v2", 20), ("v3", 0)]));
    let toast = m.toast.as_ref().expect("the clamp is explained");
    assert!(toast.text.contains("v1 80"), "{}", toast.text);
    assert!(toast.text.contains("90 대신 20"), "{}", toast.text);
}

#[test]
fn a_virtual_service_without_destination_rule_is_flagged_ist0101() {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    m.focus = Pane::Traffic;
    let pods = ["v1", "v2"].map(reviews_pod).to_vec();
    cluster(
        &mut m,
        ClusterEvent::Pods {
            namespace: "default".into(),
            change: Change::Reset(pods),
        },
    );
    let vs = virtual_service(&[("v1", 80), ("v2", 20)], "kubectl");
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(vs),
        },
    );
    assert_eq!(
        weights(&m),
        w(&[("v1", 80), ("v2", 20)]),
        "subsets from the pods' version labels"
    );
    let codes: Vec<_> = m.traffic.findings.iter().filter_map(|f| f.code).collect();
    assert!(codes.contains(&"IST0101"), "{:?}", m.traffic.findings);
}
