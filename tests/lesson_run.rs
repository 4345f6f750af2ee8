//! `r` on a lesson's code block: the lab shows exactly what it will change, and where, and
//! changes nothing before Enter.

mod common;

use common::{key, lesson_index, model};
use crossterm::event::KeyCode;
use istio_lab::app::model::Overlay;
use istio_lab::app::{Effect, Model};
use istio_lab::features::lesson::msg::LessonEffect;

/// Opens lesson `id` with the cluster connected and highlights the block that contains `command`.
fn highlighted(id: &str, command: &str, namespace: &str) -> Model {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    m.target.namespace = namespace.into();
    for _ in 0..lesson_index(&m, id) {
        key(&mut m, KeyCode::Right);
    }
    for _ in 0..m.lesson.rendered.code_blocks.len() {
        key(&mut m, KeyCode::Char('c'));
        let block = m
            .lesson
            .selected_code
            .map(|i| &m.lesson.rendered.code_blocks[i]);
        if block.is_some_and(|b| b.commands.iter().any(|c| c == command)) {
            return m;
        }
    }
    panic!("no block with {command} in {id}");
}

fn applies(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Lesson(LessonEffect::ApplyCommand { .. })))
        .count()
}

#[test]
fn r_shows_every_object_and_its_namespace_and_waits_for_enter() {
    let mut m = highlighted(
        "bookinfo",
        "kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml",
        "labns",
    );
    let effects = key(&mut m, KeyCode::Char('r'));
    assert_eq!(applies(&effects), 0, "nothing is applied before the answer");
    let Some(Overlay::Confirm(confirmation)) = &m.overlay else {
        panic!("a confirmation: {:?}", m.overlay);
    };
    let all = confirmation.lines.join("\n");
    assert!(
        all.contains("Deployment productpage-v1 → 네임스페이스 labns"),
        "{all}"
    );
    assert!(
        all.contains("Service reviews → 네임스페이스 labns"),
        "{all}"
    );
    assert!(all.contains("덮어쓰지 않습니다"), "no forced apply: {all}");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(applies(&effects), 1);
    assert!(m.overlay.is_none());
}

#[test]
fn esc_changes_nothing_and_says_so() {
    let mut m = highlighted(
        "install",
        "kubectl label namespace default istio-injection=enabled",
        "labns",
    );
    key(&mut m, KeyCode::Char('r'));
    let Some(Overlay::Confirm(confirmation)) = &m.overlay else {
        panic!("a confirmation");
    };
    let all = confirmation.lines.join("\n");
    assert!(
        all.contains("Namespace labns: 라벨 istio-injection=enabled"),
        "the lab namespace is named, not hidden behind `default`: {all}"
    );
    let effects = key(&mut m, KeyCode::Esc);
    assert_eq!(applies(&effects), 0);
    assert!(m.overlay.is_none());
    assert!(m.toast.as_ref().is_some_and(|t| t.text.contains("취소")));
}
