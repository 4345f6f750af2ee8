//! The learner's side of a workshop, inside the app: the progress document built from the
//! app's own state (`--learner NAME`), when it is written (see `publish`), and the
//! instructor's lesson followed with `--follow NAMESPACE` ("강사: 7. …" in the header, `L`
//! to go there; nobody is moved without asking).

use jiff::Timestamp;

use super::doc::{DOC_VERSION, LessonProgress, ProgressDoc, StepState, StepTitleState};
use crate::app::Model;
use crate::features::cluster::MeshKind;
use crate::features::lesson::steps::{Facts, evaluate, route_weights};

pub use super::learner_state::{LearnerLink, WorkshopEffect, WorkshopMsg};

/// The learner's progress as the app sees it now. The lesson on screen carries the step
/// checks' outcomes and reasons; other lessons count what holds now and what was ticked.
pub fn progress_doc(model: &mut Model, now: Timestamp) -> ProgressDoc {
    let facts = Facts {
        cluster: &model.cluster,
        lab_namespace: &model.target.namespace,
        answers: &model.lesson.answers,
        kiali_forward: crate::features::lesson::step_update::kiali_forward(model),
    };
    let mut failing_now = Vec::new();
    let lessons: Vec<LessonProgress> = model
        .lessons
        .iter()
        .enumerate()
        .map(|(li, lesson)| {
            let ticks = model.lesson.ticks.get(&lesson.id);
            let steps = lesson
                .steps
                .iter()
                .enumerate()
                .map(|(si, step)| {
                    let ticked = ticks.is_some_and(|t| t.contains(&si));
                    let state = if li == model.lesson.index {
                        match model.lesson.steps_done.get(si).copied().flatten() {
                            Some(true) => StepState::Auto,
                            Some(false) => {
                                failing_now.push((li, si));
                                let reason = model
                                    .lesson
                                    .step_reasons
                                    .get(si)
                                    .cloned()
                                    .flatten()
                                    .unwrap_or_default();
                                let since = model
                                    .learner
                                    .failing_since
                                    .get(&(li, si))
                                    .copied()
                                    .unwrap_or(now);
                                StepState::Failing { reason, since }
                            }
                            None if ticked => StepState::Manual,
                            None => StepState::Todo,
                        }
                    } else {
                        match &step.check {
                            Some(check) if evaluate(check, &facts).is_ok() => StepState::Auto,
                            _ if ticked => StepState::Manual,
                            _ => StepState::Todo,
                        }
                    };
                    StepTitleState {
                        title: step.title.clone(),
                        state,
                    }
                })
                .collect();
            LessonProgress {
                number: lesson.number,
                title: lesson.title.clone(),
                steps,
            }
        })
        .collect();
    let weights = model
        .cluster
        .mesh
        .get(&MeshKind::VirtualService)
        .and_then(|objects| objects.get("reviews"))
        .map(route_weights)
        .unwrap_or_default();
    let since = &mut model.learner.failing_since;
    since.retain(|key, _| failing_now.contains(key));
    for key in failing_now {
        since.entry(key).or_insert(now);
    }
    let step = crate::features::lesson::step_update::current_step(model);
    ProgressDoc {
        version: DOC_VERSION,
        learner: String::new(),
        lesson: model.current_lesson().map_or(0, |l| l.number),
        step,
        lessons,
        weights,
        active: model.learner.active.unwrap_or(now),
        progressed: now,
    }
}

/// After every message: the progress write that is due, if any. `activity` is whether the
/// message was the learner's own (a key, a click).
pub fn after_update(model: &mut Model, activity: bool, now: Timestamp) -> Option<WorkshopEffect> {
    model.learner.publisher.learner.as_ref()?;
    if activity {
        model.learner.active = Some(now);
    }
    let doc = progress_doc(model, now);
    let doc = model.learner.publisher.due(doc, now)?;
    Some(WorkshopEffect::Publish {
        namespace: model.target.namespace.clone(),
        doc,
    })
}

/// A write's outcome or the instructor's lesson; returns a message for the learner, if any.
pub fn on_msg(model: &mut Model, msg: WorkshopMsg) -> Option<String> {
    match msg {
        WorkshopMsg::Written(outcome) => model.learner.publisher.written(outcome),
        WorkshopMsg::Lead(lead) => {
            model.learner.lead = lead;
            None
        }
    }
}

/// The header's note while following: "강사: 7. 트래픽 전환 · L 이동", or without `L` when the
/// learner is there already.
pub fn lead_note(model: &Model) -> Option<String> {
    let lead = model.learner.lead.as_ref()?;
    let here = model
        .current_lesson()
        .is_some_and(|l| l.number == lead.lesson);
    Some(if here {
        format!("강사: {}. {}", lead.lesson, lead.title)
    } else {
        format!("강사: {}. {} · L 이동", lead.lesson, lead.title)
    })
}

/// `L`: the lesson the instructor is on, as an index, when following and elsewhere.
pub fn lead_index(model: &Model) -> Option<usize> {
    let lead = model.learner.lead.as_ref()?;
    model.lessons.iter().position(|l| l.number == lead.lesson)
}
