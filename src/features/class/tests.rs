//! The class view's update: rows from ConfigMaps, sorting, stuck detection on a fake clock,
//! the filter, the details and the lead's publishes.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{Timestamp, ToSpan};

use super::doc::{DOC_VERSION, LessonProgress, ProgressDoc, StepState, StepTitleState};
use super::model::{ClassModel, Sort};
use super::update::{ClassEffect, ClassMsg, update};

fn t(minutes: i64) -> Timestamp {
    Timestamp::UNIX_EPOCH + (minutes * 60).seconds() + 1_000_000.seconds()
}

fn doc(name: &str, done: usize, progressed: i64, failing_since: Option<i64>) -> ProgressDoc {
    let mut steps: Vec<StepTitleState> = (0..4)
        .map(|i| StepTitleState {
            title: format!("단계 {}", i + 1),
            state: if i < done {
                StepState::Auto
            } else {
                StepState::Todo
            },
        })
        .collect();
    if let Some(since) = failing_since {
        steps[done.min(3)].state = StepState::Failing {
            reason: "사이드카 없음".into(),
            since: t(since),
        };
    }
    ProgressDoc {
        version: DOC_VERSION,
        learner: name.into(),
        lesson: 3,
        step: Some(done.min(3)),
        lessons: vec![LessonProgress {
            number: 3,
            title: "Bookinfo".into(),
            steps,
        }],
        weights: BTreeMap::new(),
        active: t(progressed),
        progressed: t(progressed),
    }
}

fn class() -> ClassModel {
    let titles = (1..=9).map(|n| format!("단원 {n}")).collect();
    ClassModel::new(titles, None, t(0))
}

fn apply(model: &mut ClassModel, ns: &str, doc: &ProgressDoc) {
    update(
        model,
        ClassMsg::Applied {
            namespace: ns.into(),
            data: doc.to_data(),
        },
    );
}

fn key(model: &mut ClassModel, code: KeyCode) -> Vec<ClassEffect> {
    update(
        model,
        ClassMsg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
    )
}

fn names(model: &ClassModel) -> Vec<String> {
    model
        .visible()
        .iter()
        .map(|l| l.name().to_string())
        .collect()
}

#[test]
fn progress_sorts_most_done_first_and_stuck_sorts_longest_stuck_first() {
    let mut m = class();
    apply(&mut m, "learner-01", &doc("ana", 1, 0, None));
    apply(&mut m, "learner-02", &doc("bo", 3, 0, None));
    apply(&mut m, "learner-03", &doc("cy", 2, 0, Some(4)));
    assert_eq!(names(&m), ["bo", "cy", "ana"]);

    // At minute 8 nobody is stuck: idle limit is 10, cy's check has failed for 4 only.
    update(&mut m, ClassMsg::Tick(t(8)));
    assert_eq!(m.stuck_count(), 0);
    // At minute 9 cy's check has failed for 5: stuck.
    update(&mut m, ClassMsg::Tick(t(9)));
    assert_eq!(m.stuck_count(), 1);
    assert!(m.learners["learner-03"].stuck_since(m.now).is_some());
    // At minute 10 everyone has made no progress for 10 minutes.
    update(&mut m, ClassMsg::Tick(t(10)));
    assert_eq!(m.stuck_count(), 3);

    key(&mut m, KeyCode::Char('o'));
    assert_eq!(m.sort, Sort::Stuck);
    // All idle since 0; ties go by name.
    assert_eq!(names(&m), ["ana", "bo", "cy"]);
    // bo progresses at minute 10: no longer stuck, sorted last.
    apply(&mut m, "learner-02", &doc("bo", 4, 10, None));
    assert_eq!(names(&m), ["ana", "cy", "bo"]);
    assert_eq!(m.stuck_count(), 2);
}

#[test]
fn the_filter_matches_names_and_namespaces_and_esc_clears_it() {
    let mut m = class();
    apply(&mut m, "learner-01", &doc("ana", 1, 0, None));
    apply(&mut m, "learner-02", &doc("bo", 3, 0, None));
    key(&mut m, KeyCode::Char('/'));
    key(&mut m, KeyCode::Char('0'));
    key(&mut m, KeyCode::Char('1'));
    assert_eq!(names(&m), ["ana"]);
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.filter, "01");
    assert!(m.editing.is_none());
    key(&mut m, KeyCode::Esc);
    assert_eq!(names(&m), ["bo", "ana"]);
}

#[test]
fn enter_opens_the_selected_learner_and_a_deleted_one_closes_it() {
    let mut m = class();
    apply(&mut m, "learner-01", &doc("ana", 1, 0, Some(0)));
    key(&mut m, KeyCode::Enter);
    assert!(m.detail);
    assert_eq!(m.selected_learner().map(|l| l.name()), Some("ana"));
    update(
        &mut m,
        ClassMsg::Deleted {
            namespace: "learner-01".into(),
        },
    );
    assert!(!m.detail, "nothing left to show");
}

#[test]
fn a_broken_configmap_shows_as_a_row_with_its_reason() {
    let mut m = class();
    update(
        &mut m,
        ClassMsg::Applied {
            namespace: "learner-05".into(),
            data: BTreeMap::from([("progress.json".to_string(), "{".to_string())]),
        },
    );
    assert_eq!(names(&m), ["learner-05"]);
    assert!(m.learners["learner-05"].doc.is_err());
}

#[test]
fn the_lead_publishes_only_when_its_lesson_changes() {
    let titles = (1..=9).map(|n| format!("단원 {n}")).collect();
    let mut m = ClassModel::new(titles, Some("instructor".into()), t(0));
    assert!(
        key(&mut m, KeyCode::Char('[')).is_empty(),
        "already at the first lesson"
    );
    let effects = key(&mut m, KeyCode::Char(']'));
    let [ClassEffect::PublishLead { namespace, doc }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(namespace, "instructor");
    assert_eq!((doc.lesson, doc.title.as_str()), (2, "단원 2"));
    for _ in 0..20 {
        key(&mut m, KeyCode::Char(']'));
    }
    assert!(
        key(&mut m, KeyCode::Char(']')).is_empty(),
        "already at the last lesson"
    );
    assert_eq!(m.lead.as_ref().map(|l| l.lesson), Some(8));
}

#[test]
fn without_a_lead_the_lesson_keys_do_nothing() {
    let mut m = class();
    assert!(key(&mut m, KeyCode::Char(']')).is_empty());
}
