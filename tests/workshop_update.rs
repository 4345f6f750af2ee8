//! The learner's side of a workshop in the app's pure update: when progress is written and
//! with what body, a 403 said once, and the instructor's lesson followed only when asked.

mod common;

use common::{T0, key, model, screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::{Effect, Msg, update};
use istio_lab::features::class::LeadDoc;
use istio_lab::features::class::doc::{DOC_KEY, PROGRESS_CONFIGMAP, ProgressDoc};
use istio_lab::features::class::effects::configmap_body;
use istio_lab::features::class::learner::{LearnerLink, WorkshopEffect, WorkshopMsg};
use istio_lab::features::class::publish::Written;
use jiff::{Timestamp, ToSpan};

fn at(secs: i64) -> Timestamp {
    T0 + secs.seconds()
}

fn publishes(effects: &[Effect]) -> Vec<ProgressDoc> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Workshop(WorkshopEffect::Publish { doc, .. }) => Some(doc.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn progress_is_written_on_change_at_most_every_five_seconds_and_a_403_is_said_once() {
    let mut m = model(120, 40);
    assert!(
        publishes(&update(&mut m, Msg::Tick, at(0))).is_empty(),
        "no --learner, nothing"
    );
    m.learner = LearnerLink::new(Some("ana".into()), None);
    let first = publishes(&update(&mut m, Msg::Tick, at(1)));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].learner, "ana");
    assert_eq!(first[0].lesson, 1);
    assert_eq!(first[0].lessons.len(), m.lessons.len());
    update(
        &mut m,
        Msg::Workshop(WorkshopMsg::Written(Written::Ok)),
        at(1),
    );
    assert!(
        publishes(&update(&mut m, Msg::Tick, at(2))).is_empty(),
        "nothing changed"
    );
    // The learner moves to lesson 2 at 3 s: written once the 5 s are up, not before.
    let right = Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
    let moved = update(&mut m, right, at(3));
    assert!(publishes(&moved).is_empty(), "within 5 s of the last write");
    let later = publishes(&update(&mut m, Msg::Tick, at(6)));
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].lesson, 2);
    assert_eq!(later[0].active, at(3), "the last key");

    // A 403 is said once; the next ones are not.
    let told = update(
        &mut m,
        Msg::Workshop(WorkshopMsg::Written(Written::Forbidden(
            "configmaps is forbidden".into(),
        ))),
        at(7),
    );
    assert!(
        m.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("권한이 없습니다")),
        "{told:?}"
    );
    m.toast = None;
    update(
        &mut m,
        Msg::Workshop(WorkshopMsg::Written(Written::Forbidden("again".into()))),
        at(20),
    );
    assert!(m.toast.is_none());
}

#[test]
fn the_apply_body_holds_only_what_istio_lab_owns() {
    let mut m = model(120, 40);
    m.learner = LearnerLink::new(Some("ana".into()), None);
    let doc = publishes(&update(&mut m, Msg::Tick, at(1))).remove(0);
    let body = configmap_body(PROGRESS_CONFIGMAP, doc.to_data());
    assert_eq!(body["apiVersion"], "v1");
    assert_eq!(body["kind"], "ConfigMap");
    assert_eq!(body["metadata"]["name"], "istio-lab-progress");
    assert_eq!(
        body["metadata"]["labels"]["app.kubernetes.io/part-of"],
        "istio-lab"
    );
    assert_eq!(body["data"]["learner"], "ana");
    let stored = body["data"][DOC_KEY].as_str().expect("the document");
    let back: ProgressDoc = serde_json::from_str(stored).expect("it reads back");
    assert_eq!(back, doc);
    let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(
        keys,
        ["apiVersion", "data", "kind", "metadata"],
        "no status, no spec"
    );
}

#[test]
fn the_instructor_s_lesson_is_shown_and_reached_only_with_l() {
    let mut m = model(160, 40);
    key(&mut m, KeyCode::Char('L'));
    assert_eq!(m.lesson.index, 0, "L does nothing without a lead");
    update(
        &mut m,
        Msg::Workshop(WorkshopMsg::Lead(Some(LeadDoc {
            lesson: 7,
            title: "동적 트래픽 제어".into(),
        }))),
        at(1),
    );
    assert_eq!(m.lesson.index, 0, "nobody is moved without asking");
    assert!(
        screen(&m).contains("강사: 7. 동적 트래픽 제어 · L 이동"),
        "{}",
        screen(&m)
    );
    key(&mut m, KeyCode::Char('L'));
    assert_eq!(m.lesson.index, 6);
    assert!(screen(&m).contains("강사: 7. 동적 트래픽 제어"));
    assert!(!screen(&m).contains("L 이동"), "already there");
    update(&mut m, Msg::Workshop(WorkshopMsg::Lead(None)), at(2));
    assert!(!screen(&m).contains("강사:"));
}
