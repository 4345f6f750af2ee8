//! `R`: asking before the cluster is brought to the highlighted lesson's starting state, and
//! saying how it went. Quitting the demo cluster asks first too, as its state is then lost.

use super::msg::LessonEffect;
use super::reset::reset_plan;
use crate::app::model::{Confirmation, Model, Overlay, ToastLevel};
use crate::app::msg::Effect;
use crate::features::cluster::apply::WriteError;

/// Opens the confirmation naming every change; Enter sets the reset going.
pub fn ask(model: &mut Model, effects: &mut Vec<Effect>) {
    if model.cluster.generation == 0 {
        effects.push(model.toast(ToastLevel::Warning, "클러스터에 연결되어 있지 않습니다"));
        return;
    }
    let namespace = model.target.namespace.clone();
    let plan = reset_plan(model.lesson.index, &model.lessons, &namespace);
    let Some(lesson) = model.current_lesson() else {
        return;
    };
    let mut lines = vec![format!(
        "{}단원 '{}'을(를) 시작하는 상태로 되돌립니다:",
        lesson.number, lesson.title
    )];
    lines.extend(plan.lines(&namespace));
    model.overlay = Some(Overlay::Confirm(Confirmation {
        title: "클러스터를 이 레슨의 시작 상태로 되돌릴까요?".into(),
        lines,
        effects: vec![Effect::Lesson(LessonEffect::Reset { namespace, plan })],
    }));
}

pub fn on_done(model: &mut Model, result: Result<(), WriteError>, effects: &mut Vec<Effect>) {
    // The cluster changed under every check: ask again at the next tick, and start over.
    model.lesson.probed_at = None;
    model.lesson.step_cursor = None;
    let toast = match result {
        Ok(()) => model.toast(ToastLevel::Info, "레슨의 시작 상태로 되돌렸습니다"),
        Err(e) => {
            let text = format!("되돌리지 못했습니다: {}", e.message);
            model.toast(ToastLevel::Error, text)
        }
    };
    effects.push(toast);
}

/// `q` on the demo cluster: its state lives only in this process, so leaving asks first.
/// Returns false when there is nothing to ask (a real cluster), and the app quits.
pub fn ask_before_quit(model: &mut Model) -> bool {
    if !model.target.demo {
        return false;
    }
    model.overlay = Some(Overlay::Confirm(Confirmation {
        title: "종료할까요?".into(),
        lines: vec![
            "데모 클러스터의 상태가 사라집니다.".into(),
            "다음에 시작하면 Istio만 설치된 처음 상태로 돌아갑니다.".into(),
        ],
        effects: vec![Effect::Quit],
    }));
    true
}
