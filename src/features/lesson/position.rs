//! Where the lesson pane is scrolled to, and remembering it in the progress file.

use super::msg::LessonEffect;
use super::progress::Progress;
use crate::app::model::Model;
use crate::app::msg::Effect;

pub fn scroll_by(model: &mut Model, delta: isize, effects: &mut Vec<Effect>) {
    let target = model.lesson.scroll.saturating_add_signed(delta);
    scroll_to(model, target, effects);
}

pub fn scroll_to(model: &mut Model, line: usize, effects: &mut Vec<Effect>) {
    let scroll = line.min(model.lesson.max_scroll());
    if scroll != model.lesson.scroll {
        model.lesson.scroll = scroll;
        save_progress(model, effects);
    }
}

pub fn save_progress(model: &Model, effects: &mut Vec<Effect>) {
    if let Some(lesson) = model.current_lesson() {
        effects.retain(|e| !matches!(e, Effect::Lesson(LessonEffect::SaveProgress(_))));
        effects.push(Effect::Lesson(LessonEffect::SaveProgress(Progress {
            source: model.lesson_source.clone(),
            lesson: lesson.id.clone(),
            scroll: model.lesson.scroll,
            ticks: model.lesson.ticks.clone(),
        })));
    }
}

/// Puts `line` a third of the way down the pane, so some context shows above it.
pub fn reveal(model: &mut Model, line: usize, effects: &mut Vec<Effect>) {
    let height = usize::from(model.lesson.height);
    let top = model.lesson.scroll;
    if line < top || line >= top + height {
        scroll_to(model, line.saturating_sub(height / 3), effects);
    }
}
