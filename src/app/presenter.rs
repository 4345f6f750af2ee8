//! Presenter mode and the theme key. `P` (or `--present`) switches to the contrast theme,
//! hides key hints and the status bar, shows the lesson title big, and makes Space reveal the
//! lesson's steps one at a time; `T` cycles the themes. Kept apart from the lesson's own keys
//! so Space means "reveal" only here.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use super::model::{Input, Model, ToastLevel};
use super::msg::Effect;
use crate::features::lesson;
use crate::ui::big_text;
use crate::ui::layout::Pane;
use crate::ui::theme::ThemeName;

/// Below this many rows left for the lesson pane, the big title is not drawn.
const MIN_PANE_HEIGHT: u16 = 10;

/// What a key did here; `Relayout` asks the caller to recompute the screen's geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOutcome {
    Ignored,
    Done,
    Relayout,
}

/// The start-up choice: `--theme`/`ISTIO_LAB_THEME` wins, else contrast when presenting and
/// dark otherwise. The caller lays the screen out again afterwards.
pub fn configure(model: &mut Model, theme: Option<ThemeName>, present: bool) {
    let chosen = theme.unwrap_or_default();
    model.presenter.on = present;
    model.presenter.theme_before = chosen;
    model.theme = match (theme, present) {
        (None, true) => ThemeName::Contrast,
        _ => chosen,
    };
}

/// `T` anywhere, `P` anywhere, Space in the lesson pane while presenting.
pub fn on_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) -> KeyOutcome {
    match key.code {
        KeyCode::Char('T') => {
            model.theme = model.theme.next();
            let text = format!("테마: {} ({})", model.theme.label(), model.theme.id());
            effects.push(model.toast(ToastLevel::Info, text));
            KeyOutcome::Done
        }
        KeyCode::Char('P') => {
            toggle(model, effects);
            KeyOutcome::Relayout
        }
        KeyCode::Char(' ') if model.presenter.on && model.focus == Pane::Lesson => {
            reveal(model, effects);
            KeyOutcome::Done
        }
        _ => KeyOutcome::Ignored,
    }
}

fn toggle(model: &mut Model, effects: &mut Vec<Effect>) {
    let presenter = &mut model.presenter;
    presenter.on = !presenter.on;
    if presenter.on {
        presenter.theme_before = model.theme;
        presenter.revealed = (model.lesson.index, 0);
        model.theme = ThemeName::Contrast;
    } else {
        model.theme = presenter.theme_before;
        effects.push(model.toast(ToastLevel::Info, "발표 모드를 끝냈습니다"));
    }
}

/// The next step of the lesson, its section scrolled into view; after the last, the next
/// lesson with none revealed.
fn reveal(model: &mut Model, effects: &mut Vec<Effect>) {
    let index = model.lesson.index;
    let steps = model.current_lesson().map_or(0, |l| l.steps.len());
    let shown = model.presenter.revealed_steps(index).unwrap_or(0);
    if shown < steps {
        model.presenter.revealed = (index, shown + 1);
        let marker = format!("{}단계", shown + 1);
        let heading = model
            .lesson
            .rendered
            .headings
            .iter()
            .find(|h| h.text.trim_start().starts_with(&marker))
            .map(|h| h.line);
        if let Some(line) = heading {
            lesson::position::scroll_to(model, line, effects);
        }
    } else {
        lesson::update::goto_lesson(model, index + 1, effects);
        model.presenter.revealed = (model.lesson.index, 0);
    }
}

/// Takes the big title's rows from the top of the lesson pane; called after every layout.
pub fn carve(model: &mut Model) {
    model.presenter.title_area = None;
    if !model.presenter.on {
        return;
    }
    let Some(pane) = model.layout.lesson else {
        return;
    };
    if pane.width < big_text::MIN_WIDTH || pane.height < big_text::HEIGHT + MIN_PANE_HEIGHT {
        return;
    }
    model.presenter.title_area = Some(Rect {
        height: big_text::HEIGHT,
        ..pane
    });
    model.layout.lesson = Some(Rect {
        y: pane.y + big_text::HEIGHT,
        height: pane.height - big_text::HEIGHT,
        ..pane
    });
}

/// While presenting, the status bar shows only what the presenter is typing and problems.
pub fn status_shown(model: &Model) -> bool {
    !model.presenter.on
        || model.input != Input::Normal
        || model
            .toast
            .as_ref()
            .is_some_and(|t| t.level != ToastLevel::Info)
}

/// The line under the boxed title: where the talk is.
pub fn detail(model: &Model) -> String {
    let Some(lesson) = model.current_lesson() else {
        return String::new();
    };
    let mut text = format!("레슨 {}/{}", model.lesson.index + 1, model.lessons.len());
    let shown = model
        .presenter
        .revealed_steps(model.lesson.index)
        .unwrap_or(lesson.steps.len());
    if !lesson.steps.is_empty() {
        text.push_str(&format!(" · 단계 {shown}/{}", lesson.steps.len()));
    }
    if let Some(step) = shown.checked_sub(1).and_then(|i| lesson.steps.get(i)) {
        text.push_str(&format!(" · {}", step.title));
    }
    text
}

/// Where the presenter is, for `istio-lab notes`, when it changed since last sent: the lesson,
/// the last step revealed, and when presenting started. Nothing while not presenting.
pub fn notes_position(
    model: &mut Model,
    now: jiff::Timestamp,
) -> Option<crate::features::notes::Position> {
    if !model.presenter.on {
        model.presenter.started = None;
        model.presenter.published = None;
        return None;
    }
    let started = *model.presenter.started.get_or_insert(now);
    let index = model.lesson.index;
    let position = crate::features::notes::Position {
        lesson: index,
        step: model
            .presenter
            .revealed_steps(index)
            .and_then(|revealed| revealed.checked_sub(1)),
        started: started.as_second(),
    };
    if model.presenter.published == Some(position) {
        return None;
    }
    model.presenter.published = Some(position);
    Some(position)
}
