//! The traffic lab's results through the pure update: errors and a lost connection, the offer
//! to create the guide's resources, probe results, and lesson steps that tick as the cluster
//! reaches them.

mod common;

use common::traffic::{fire_due_timers, patches};
use common::{cluster, destination_rule, key, lab, model, send, virtual_service};
use crossterm::event::KeyCode;
use istio_lab::app::{Effect, Msg};
use istio_lab::features::cluster::{Change, ClusterEvent, MeshKind};
use istio_lab::features::traffic::model::{SendError, SendState};
use istio_lab::features::traffic::msg::{TrafficEffect, TrafficMsg};
use istio_lab::ui::layout::Pane;

#[test]
fn errors_are_shown_and_a_lost_connection_sends_again_when_it_comes_back() {
    let mut m = lab();
    let effects = key(&mut m, KeyCode::Right);
    fire_due_timers(&mut m, &effects);
    let forbidden = SendError {
        code: Some(403),
        message: "virtualservices.networking.istio.io \"reviews\" is forbidden".into(),
    };
    send(
        &mut m,
        Msg::Traffic(TrafficMsg::WeightsSent(Err(forbidden.clone()))),
    );
    assert_eq!(m.traffic.send, SendState::Failed(forbidden));
    assert!(m.traffic.local_changes, "the learner's values are kept");

    let effects = key(&mut m, KeyCode::Right);
    fire_due_timers(&mut m, &effects);
    send(
        &mut m,
        Msg::Traffic(TrafficMsg::WeightsSent(Err(SendError {
            code: None,
            message: "connection refused".into(),
        }))),
    );
    let effects = cluster(
        &mut m,
        ClusterEvent::Connection(istio_lab::features::cluster::ConnectionState::Connected {
            kinds: 5,
        }),
    );
    let resent = fire_due_timers(&mut m, &effects);
    assert_eq!(patches(&resent).len(), 1);
    assert_eq!(
        patches(&resent)[0]["spec"]["http"][1]["route"][0]["weight"],
        82
    );
}

#[test]
fn without_a_virtual_service_a_key_offers_to_create_the_guides_one() {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    m.focus = Pane::Traffic;
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::DestinationRule,
            change: Change::Applied(destination_rule()),
        },
    );
    // Listed, and none there.
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Reset(Vec::new()),
        },
    );
    let effects = key(&mut m, KeyCode::Right);
    fire_due_timers(&mut m, &effects);
    assert!(matches!(&m.traffic.send, SendState::Failed(e) if e.code == Some(404)));
    let effects = key(&mut m, KeyCode::Char('a'));
    let applied = effects.iter().find_map(|e| match e {
        Effect::Traffic(TrafficEffect::ApplyGuide { yaml, .. }) => Some(yaml.clone()),
        _ => None,
    });
    let yaml = applied.expect("apply the guide's resources");
    let rule = yaml.find("kind: DestinationRule").unwrap();
    let route = yaml.find("kind: VirtualService").unwrap();
    assert!(rule < route, "the DestinationRule goes first");
}

#[test]
fn probe_results_are_classified_by_the_pods_version_label() {
    let mut m = lab();
    let effects = key(&mut m, KeyCode::Char('p'));
    let generation = match effects
        .iter()
        .find(|e| matches!(e, Effect::Traffic(TrafficEffect::Probe { .. })))
    {
        Some(Effect::Traffic(TrafficEffect::Probe {
            rate, generation, ..
        })) => {
            assert_eq!(*rate, 5);
            *generation
        }
        _ => panic!("probe starts"),
    };
    let page = |pod: &str| format!("<html><dt>Reviews served by:</dt><u>{pod}</u></html>");
    for _ in 0..8 {
        send(
            &mut m,
            Msg::Traffic(TrafficMsg::ProbeResponse {
                generation,
                via: "API".into(),
                result: Ok((200, page("reviews-v1-abc"))),
            }),
        );
    }
    for _ in 0..2 {
        send(
            &mut m,
            Msg::Traffic(TrafficMsg::ProbeResponse {
                generation,
                via: "API".into(),
                result: Ok((200, page("reviews-v2-abc"))),
            }),
        );
    }
    send(
        &mut m,
        Msg::Traffic(TrafficMsg::ProbeResponse {
            generation,
            via: "API".into(),
            result: Ok((503, "no healthy upstream".into())),
        }),
    );
    // A result of a probe that was stopped since is dropped.
    send(
        &mut m,
        Msg::Traffic(TrafficMsg::ProbeResponse {
            generation: generation + 7,
            via: "API".into(),
            result: Ok((200, page("reviews-v3-abc"))),
        }),
    );
    let counts = m.traffic.observed.counts();
    assert_eq!(counts.versions.get("v1"), Some(&8));
    assert_eq!(counts.versions.get("v2"), Some(&2));
    assert_eq!(counts.versions.get("v3"), None);
    assert_eq!(counts.error_total(), 1);
    key(&mut m, KeyCode::Char('p'));
    assert!(!m.traffic.probe.on);
}

#[test]
fn lesson_steps_tick_green_as_the_cluster_reaches_them() {
    let mut m = lab();
    m.focus = Pane::Lesson;
    let index = common::lesson_index(&m, "traffic-shifting");
    while m.lesson.index < index {
        key(&mut m, KeyCode::Right);
    }
    send(&mut m, Msg::Tick);
    assert_eq!(m.lesson.steps_done, [Some(true), Some(true), Some(false)]);
    let vs = virtual_service(&[("v1", 0), ("v2", 100)], "kubectl-client-side-apply");
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(vs),
        },
    );
    let before = common::screen(&m);
    send(&mut m, Msg::Tick);
    assert_eq!(m.lesson.steps_done, [Some(true), Some(true), Some(true)]);
    assert_ne!(
        common::screen(&m),
        before,
        "a change of a step shows on the next frame"
    );
    // The download lesson's steps have no checks: nothing to tick.
    let download = common::lesson_index(&m, "download");
    while m.lesson.index > download {
        key(&mut m, KeyCode::Left);
    }
    assert!(m.lesson.steps_done.iter().all(Option::is_none));
}

#[test]
fn ctrl_c_in_the_editor_asks_before_dropping_unsaved_edits() {
    let mut m = lab();
    key(&mut m, KeyCode::Char('e'));
    assert!(m.editor.is_some(), "the VirtualService opens in the editor");
    key(&mut m, KeyCode::Char('#'));
    common::ctrl(&mut m, 'c');
    assert!(!m.quit, "Ctrl-C does not end the app under unsaved edits");
    let editor = m.editor.as_ref().expect("still open");
    assert!(editor.confirm_discard, "it asks first");
    key(&mut m, KeyCode::Char('n'));
    let editor = m.editor.as_ref().expect("still open after 'n'");
    assert!(editor.is_modified(), "the edit is kept");
    // Without changes Ctrl-C just closes the editor; a second one then quits.
    let mut m = lab();
    key(&mut m, KeyCode::Char('e'));
    common::ctrl(&mut m, 'c');
    assert!(m.editor.is_none());
    assert!(!m.quit);
    common::ctrl(&mut m, 'c');
    assert!(m.quit);
}
