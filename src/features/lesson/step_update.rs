//! The step checklist's behaviour: which step is highlighted, ticking steps by hand (Space),
//! hints once a step has been failing for a while, solutions (`s`), and keeping the checks'
//! probes fresh. Time comes in as `now`; nothing here reads a clock.

use std::collections::BTreeSet;

use jiff::Timestamp;

use super::model::{HINT_AFTER, Note};
use super::msg::LessonEffect;
use super::probe::{Answer, Probe};
use super::steps::{Facts, states};
use crate::app::model::{Model, Overlay, ToastLevel};
use crate::app::msg::Effect;

/// How often the probes are asked again while a lesson is shown.
const PROBE_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_secs(3);

/// The app's Kiali port-forward's local port while it is up (the traffic feature's `K`).
pub fn kiali_forward(model: &Model) -> Option<u16> {
    match model.traffic.kiali.forward {
        crate::features::traffic::kiali_state::ForwardState::Up { port } => Some(port),
        _ => None,
    }
}

/// Re-evaluates the current lesson's step checks; returns whether any changed.
pub fn refresh_steps(model: &mut Model) -> bool {
    let outcomes = match model.lessons.get(model.lesson.index) {
        Some(lesson) => {
            let facts = Facts {
                cluster: &model.cluster,
                lab_namespace: &model.target.namespace,
                answers: &model.lesson.answers,
                kiali_forward: kiali_forward(model),
            };
            states(lesson, &facts)
        }
        None => Vec::new(),
    };
    let done: Vec<Option<bool>> = outcomes
        .iter()
        .map(|o| o.as_ref().map(Result::is_ok))
        .collect();
    let reasons: Vec<Option<String>> = outcomes
        .into_iter()
        .map(|o| o.and_then(Result::err))
        .collect();
    let changed = done != model.lesson.steps_done || reasons != model.lesson.step_reasons;
    model.lesson.steps_done = done;
    model.lesson.step_reasons = reasons;
    changed
}

/// Whether step `i` of the current lesson is done, automatically or by hand.
pub fn step_done(model: &Model, i: usize) -> bool {
    match model.lesson.steps_done.get(i).copied().flatten() {
        Some(done) => done,
        None => manual_ticks(model).is_some_and(|t| t.contains(&i)),
    }
}

fn manual_ticks(model: &Model) -> Option<&BTreeSet<usize>> {
    let id = &model.current_lesson()?.id;
    model.lesson.ticks.get(id)
}

/// The highlighted step: the one moved to with `[` `]`, else the first not done.
pub fn current_step(model: &Model) -> Option<usize> {
    let count = model.current_lesson()?.steps.len();
    if count == 0 {
        return None;
    }
    if let Some(cursor) = model.lesson.step_cursor {
        return Some(cursor.min(count - 1));
    }
    Some(
        (0..count)
            .find(|&i| !step_done(model, i))
            .unwrap_or(count - 1),
    )
}

/// `[` and `]`: highlight the previous or next step.
pub fn move_step(model: &mut Model, forward: bool) {
    let Some(current) = current_step(model) else {
        return;
    };
    let count = model.current_lesson().map_or(0, |l| l.steps.len());
    let next = if forward {
        (current + 1).min(count.saturating_sub(1))
    } else {
        current.saturating_sub(1)
    };
    model.lesson.step_cursor = Some(next);
}

/// Space: ticks or unticks the highlighted step by hand when no check watches it. Returns
/// false when the step has an automatic check (Space then scrolls as it always did).
pub fn toggle_tick(model: &mut Model, effects: &mut Vec<Effect>) -> bool {
    let Some(step) = current_step(model) else {
        return false;
    };
    if model
        .lesson
        .steps_done
        .get(step)
        .copied()
        .flatten()
        .is_some()
    {
        return false;
    }
    let Some(id) = model.current_lesson().map(|l| l.id.clone()) else {
        return false;
    };
    let ticks = model.lesson.ticks.entry(id).or_default();
    if !ticks.remove(&step) {
        ticks.insert(step);
        // The ticked step stays highlighted only if the learner chose it.
    }
    if ticks.is_empty() {
        let id = model
            .current_lesson()
            .map(|l| l.id.clone())
            .unwrap_or_default();
        model.lesson.ticks.remove(&id);
    }
    super::position::save_progress(model, effects);
    true
}

/// `s`: the highlighted step's solution in a box: its `solution`, or else its commands.
pub fn show_solution(model: &mut Model, effects: &mut Vec<Effect>) {
    let Some(step) = current_step(model) else {
        effects.push(model.toast(ToastLevel::Info, "이 레슨에는 단계가 없습니다"));
        return;
    };
    let Some(lesson) = model.current_lesson() else {
        return;
    };
    let Some(s) = lesson.steps.get(step) else {
        return;
    };
    let mut lines: Vec<String> = match &s.solution {
        Some(text) => text.lines().map(str::to_string).collect(),
        None => s.commands.iter().map(|c| format!("$ {c}")).collect(),
    };
    if lines.is_empty() {
        lines.push("이 단계는 명령 없이 화면을 보고 확인합니다".into());
    }
    model.overlay = Some(Overlay::Solution(Note {
        title: format!("{}단계 풀이: {}", step + 1, s.title),
        lines,
    }));
}

/// Once a second: checks, the highlighted step's hint clock, and fresh probes when due.
pub fn on_tick(model: &mut Model, now: Timestamp, effects: &mut Vec<Effect>) {
    refresh_steps(model);
    let index = model.lesson.index;
    let current = current_step(model);
    match (current, model.lesson.current_since) {
        (Some(step), Some((lesson, since_step, _))) if lesson == index && since_step == step => {}
        (Some(step), _) => model.lesson.current_since = Some((index, step, now)),
        (None, _) => model.lesson.current_since = None,
    }
    model.lesson.hint_shown = match (current, model.lesson.current_since) {
        (Some(step), Some((_, _, since)))
            if !step_done(model, step)
                && now.duration_since(since) >= HINT_AFTER
                && model
                    .current_lesson()
                    .and_then(|l| l.steps.get(step))
                    .is_some_and(|s| s.hint.is_some()) =>
        {
            Some(step)
        }
        _ => None,
    };
    let due = model
        .lesson
        .probed_at
        .is_none_or(|at| now.duration_since(at) >= PROBE_EVERY);
    if due {
        let probes = wanted_probes(model);
        if !probes.is_empty() {
            model.lesson.probed_at = Some(now);
            effects.push(Effect::Lesson(LessonEffect::Probe(probes)));
        }
    }
}

/// Every probe the current lesson's checks read, once each.
pub fn wanted_probes(model: &Model) -> Vec<Probe> {
    let namespace = &model.target.namespace;
    let probes: BTreeSet<Probe> = model
        .current_lesson()
        .into_iter()
        .flat_map(|l| l.steps.iter())
        .filter_map(|s| s.check.as_ref())
        .flat_map(|c| c.probes(namespace))
        .collect();
    probes.into_iter().collect()
}

pub fn on_probed(model: &mut Model, answers: Vec<(Probe, Answer)>) {
    for (probe, answer) in answers {
        model.lesson.answers.insert(probe, answer);
    }
    refresh_steps(model);
}

/// A new lesson: its steps start unhighlighted and its probes are asked at the next tick.
pub fn on_lesson_changed(model: &mut Model) {
    model.lesson.step_cursor = None;
    model.lesson.hint_shown = None;
    model.lesson.probed_at = None;
}
