//! Lesson step checks through the app's pure update: manual ticks (Space) that persist, hints
//! once a step has failed for two minutes (time given as `now`), solutions (`s`), reset (`R`)
//! and the demo cluster's quit question; and the checks themselves on real pod shapes.

mod common;

use std::collections::BTreeMap;

use common::{T0, key, lesson_index, model, model_with_progress, screen_rows, send};
use crossterm::event::KeyCode;
use istio_lab::app::model::Overlay;
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::cluster::{Change, ClusterEvent};
use istio_lab::features::lesson::check::Check;
use istio_lab::features::lesson::msg::LessonEffect;
use istio_lab::features::lesson::probe::{Answer, Probe};
use istio_lab::features::lesson::progress::Progress;
use istio_lab::features::lesson::reset::reset_plan;
use jiff::SignedDuration;

fn goto(m: &mut Model, id: &str) {
    let index = lesson_index(m, id);
    while m.lesson.index < index {
        key(m, KeyCode::Right);
    }
    while m.lesson.index > index {
        key(m, KeyCode::Left);
    }
}

fn saved_ticks(effects: &[Effect]) -> Option<BTreeMap<String, std::collections::BTreeSet<usize>>> {
    effects.iter().find_map(|e| match e {
        Effect::Lesson(LessonEffect::SaveProgress(p)) => Some(p.ticks.clone()),
        _ => None,
    })
}

#[test]
fn space_ticks_a_step_without_a_check_by_hand_and_the_tick_is_saved() {
    let mut m = model(120, 40);
    goto(&mut m, "download");
    let effects = key(&mut m, KeyCode::Char(' '));
    assert_eq!(
        saved_ticks(&effects),
        Some([("download".to_string(), [0].into())].into()),
        "the tick goes to the progress file"
    );
    let rows = screen_rows(&m);
    assert!(
        rows.iter().any(|r| r.contains("☑ 1. Istio 내려받고")),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("›· 2.")),
        "the next step is highlighted: {rows:#?}"
    );
    // Back to the first step: Space unticks it.
    key(&mut m, KeyCode::Char('['));
    let effects = key(&mut m, KeyCode::Char(' '));
    assert_eq!(saved_ticks(&effects), Some(BTreeMap::new()));
    assert!(screen_rows(&m).iter().any(|r| r.contains("›· 1.")));
}

#[test]
fn manual_ticks_come_back_from_the_progress_file() {
    let progress = Progress {
        source: "builtin:ko".into(),
        lesson: "ingress-address".into(),
        scroll: 0,
        ticks: [("ingress-address".to_string(), [1, 2].into())].into(),
    };
    let m = model_with_progress(120, 40, Some(progress));
    let rows = screen_rows(&m);
    assert!(
        rows.iter().any(|r| r.contains("☑ 2. 접속 주소를")),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("☑ 3. GATEWAY_URL 만들기")),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("· 4. GATEWAY_URL 확인")),
        "{rows:#?}"
    );
}

#[test]
fn space_on_a_step_the_cluster_checks_scrolls_instead_of_ticking() {
    let mut m = model(120, 40);
    goto(&mut m, "traffic-shifting");
    let effects = key(&mut m, KeyCode::Char(' '));
    assert!(
        m.lesson.ticks.is_empty(),
        "a checked step is never ticked by hand"
    );
    assert!(m.lesson.scroll > 0, "Space pages down as before");
    assert!(saved_ticks(&effects).is_some_and(|t| t.is_empty()));
}

#[test]
fn a_failing_step_shows_why_and_its_hint_after_two_minutes() {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    goto(&mut m, "traffic-shifting");
    // The watcher has listed the Istio kinds and found nothing.
    for kind in istio_lab::features::cluster::MeshKind::ALL {
        common::cluster(
            &mut m,
            ClusterEvent::Mesh {
                kind,
                change: Change::Reset(vec![]),
            },
        );
    }
    update(&mut m, Msg::Tick, T0);
    let rows = screen_rows(&m);
    assert!(
        rows.iter()
            .any(|r| r.contains("✗ DestinationRule reviews이(가) 없습니다")),
        "{rows:#?}"
    );
    assert!(!rows.iter().any(|r| r.contains("힌트:")));
    let at = |secs: i64| T0.checked_add(SignedDuration::from_secs(secs)).unwrap();
    update(&mut m, Msg::Tick, at(119));
    assert_eq!(m.lesson.hint_shown, None, "not before two minutes");
    update(&mut m, Msg::Tick, at(120));
    assert_eq!(m.lesson.hint_shown, Some(0));
    let rows = screen_rows(&m);
    assert!(
        rows.iter().any(|r| r.contains("힌트: subset v1, v2, v3")),
        "{rows:#?}"
    );
    // Another step is highlighted: its own two minutes start.
    key(&mut m, KeyCode::Char(']'));
    update(&mut m, Msg::Tick, at(121));
    assert_eq!(m.lesson.hint_shown, None);
    update(&mut m, Msg::Tick, at(241));
    assert_eq!(m.lesson.hint_shown, Some(1));
}

#[test]
fn s_shows_the_highlighted_steps_solution_and_any_key_closes_it() {
    let mut m = model(120, 40);
    goto(&mut m, "bookinfo");
    key(&mut m, KeyCode::Char('s'));
    let Some(Overlay::Solution(note)) = &m.overlay else {
        panic!("a solution box: {:?}", m.overlay);
    };
    assert!(
        note.title.contains("1단계 풀이: Bookinfo 배포"),
        "{}",
        note.title
    );
    assert!(
        note.lines.contains(
            &"$ kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml".to_string()
        )
    );
    assert!(screen_rows(&m).iter().any(|r| r.contains("1단계 풀이")));
    key(&mut m, KeyCode::Char('x'));
    assert!(m.overlay.is_none());
    // A step without a written solution shows its commands.
    goto(&mut m, "ingress-address");
    key(&mut m, KeyCode::Char(']'));
    key(&mut m, KeyCode::Char(']'));
    key(&mut m, KeyCode::Char('s'));
    let Some(Overlay::Solution(note)) = &m.overlay else {
        panic!("a solution box");
    };
    assert_eq!(
        note.lines,
        ["$ export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT"]
    );
}

#[test]
fn r_capital_names_every_change_before_resetting_to_the_lesson() {
    let mut m = model(120, 40);
    goto(&mut m, "bookinfo");
    let effects = key(&mut m, KeyCode::Char('R'));
    assert!(
        m.overlay.is_none(),
        "without a cluster there is nothing to reset"
    );
    assert!(!effects.is_empty(), "a toast says why");
    m.cluster.generation = 1;
    key(&mut m, KeyCode::Char('R'));
    let Some(Overlay::Confirm(confirmation)) = &m.overlay else {
        panic!("a confirmation: {:?}", m.overlay);
    };
    let text = confirmation.lines.join("\n");
    for line in [
        "삭제: Deployment productpage-v1 → 네임스페이스 default",
        "삭제: VirtualService reviews → 네임스페이스 default",
        "삭제: Gateway bookinfo-gateway → 네임스페이스 default",
        "적용: kubectl label namespace default istio-injection=enabled",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert!(!text.contains("라벨 제거"), "lesson 3 starts labelled");
    let effects = key(&mut m, KeyCode::Enter);
    let plan = reset_plan(m.lesson.index, &m.lessons, "default");
    assert_eq!(
        effects,
        [Effect::Lesson(LessonEffect::Reset {
            namespace: "default".into(),
            plan
        })]
    );
}

#[test]
fn quitting_the_demo_cluster_asks_first() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('q'));
    assert!(!m.quit);
    let Some(Overlay::Confirm(confirmation)) = &m.overlay else {
        panic!("a question first");
    };
    assert!(
        confirmation
            .lines
            .iter()
            .any(|l| l.contains("데모 클러스터의 상태가 사라집니다"))
    );
    key(&mut m, KeyCode::Esc);
    assert!(!m.quit && m.overlay.is_none());
    key(&mut m, KeyCode::Char('q'));
    key(&mut m, KeyCode::Enter);
    assert!(m.quit);
    // A real cluster keeps its state: q quits at once.
    let mut real = model(120, 40);
    real.target.demo = false;
    key(&mut real, KeyCode::Char('q'));
    assert!(real.quit);
}

#[test]
fn probes_are_asked_while_a_lesson_needs_them_and_answers_tick_steps() {
    let mut m = model(120, 40);
    goto(&mut m, "install");
    let effects = update(&mut m, Msg::Tick, T0);
    let probes: Vec<Probe> = effects
        .iter()
        .find_map(|e| match e {
            Effect::Lesson(LessonEffect::Probe(p)) => Some(p.clone()),
            _ => None,
        })
        .expect("the label check asks for the namespace");
    assert_eq!(
        probes,
        [
            Probe::Namespace("default".into()),
            Probe::Namespace("istio-system".into())
        ],
        "the label, and whether istiod's namespace wants sidecars"
    );
    assert!(
        update(&mut m, Msg::Tick, T0).is_empty(),
        "not asked again within three seconds"
    );
    let labelled = [("istio-injection".to_string(), "enabled".to_string())].into();
    send(
        &mut m,
        Msg::Lesson(istio_lab::features::lesson::msg::LessonMsg::Probed(vec![(
            Probe::Namespace("default".into()),
            Answer::Namespace(Some(labelled)),
        )])),
    );
    assert_eq!(m.lesson.steps_done[1], Some(true));
}

#[test]
fn every_lesson_step_has_a_hint_and_checks_where_the_cluster_shows_the_result() {
    let lessons = istio_lab::features::lesson::builtin("ko").unwrap();
    let mut checked = 0;
    for lesson in &lessons {
        for step in &lesson.steps {
            assert!(
                step.hint.is_some(),
                "{}: '{}' has a hint",
                lesson.id,
                step.title
            );
            if let Some(Check::Absent { kinds, .. }) = &step.check {
                for kind in kinds {
                    assert!(
                        istio_lab::features::lesson::probe::resource_of(kind).is_some(),
                        "{}: absent kind {kind} is one the app can list",
                        lesson.id
                    );
                }
            }
            checked += usize::from(step.check.is_some());
        }
    }
    // Lesson 8's LoadBalancer fallback is ticked by hand: without a load balancer it stays
    // <pending> on the demo cluster and on kind alike.
    assert!(checked >= 21, "{checked} checked steps");
    let uninstall = lessons.iter().find(|l| l.id == "uninstall").unwrap();
    assert!(uninstall.steps.iter().all(|s| matches!(
        s.check,
        Some(Check::Absent { .. } | Check::Label { absent: true, .. })
    )));
}

#[test]
fn a_step_ticked_by_hand_shows_its_hint_only_while_it_is_not_ticked() {
    let mut m = model(120, 40);
    goto(&mut m, "download");
    let at = |secs: i64| T0.checked_add(SignedDuration::from_secs(secs)).unwrap();
    update(&mut m, Msg::Tick, at(0));
    update(&mut m, Msg::Tick, at(120));
    assert_eq!(m.lesson.hint_shown, Some(0));
    assert!(
        screen_rows(&m)
            .iter()
            .any(|r| r.contains("힌트: 내려받기가 멈추면"))
    );
    key(&mut m, KeyCode::Char(' '));
    update(&mut m, Msg::Tick, at(121));
    assert_eq!(
        m.lesson.hint_shown, None,
        "step 2 is highlighted now, from 121 s on"
    );
}
