//! Lesson-pane behaviour: moving between lessons, scrolling, search, table of contents, code blocks.

use crossterm::event::{KeyCode, KeyEvent};

use super::model::{Search, Toc, TocEntry};
use super::msg::LessonMsg;
use super::position::{reveal, save_progress, scroll_by, scroll_to};
use super::{Rendered, block_actions, render, reset_view, step_update};
use crate::app::model::{Input, Model, Overlay, ToastLevel};
use crate::app::msg::Effect;
use crate::ui::line_edit::{LineEdit, LineOutcome};

pub fn on_msg(model: &mut Model, msg: LessonMsg, effects: &mut Vec<Effect>) {
    match msg {
        LessonMsg::Probed(answers) => step_update::on_probed(model, answers),
        LessonMsg::ResetDone(result) => reset_view::on_done(model, result, effects),
        LessonMsg::CommandApplied(result) => {
            let toast = match result {
                Ok(()) => model.toast(ToastLevel::Info, "클러스터에 적용했습니다"),
                Err(e) => {
                    let text = e.failed_to_apply(&model.target.server);
                    model.toast(ToastLevel::Error, text)
                }
            };
            effects.push(toast);
        }
    }
}

pub fn on_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    let page = usize::from(model.lesson.height.max(2)) - 1;
    let searching = model.lesson.search.is_some();
    match key.code {
        KeyCode::Right => goto_lesson(model, model.lesson.index + 1, effects),
        KeyCode::Left => goto_lesson_back(model, effects),
        KeyCode::Char('n') if searching => next_match(model, true),
        KeyCode::Char('N') if searching => next_match(model, false),
        KeyCode::Char('n') => goto_lesson(model, model.lesson.index + 1, effects),
        KeyCode::Char('p') => goto_lesson_back(model, effects),
        KeyCode::Down | KeyCode::Char('j') => scroll_by(model, 1, effects),
        KeyCode::Up | KeyCode::Char('k') => scroll_by(model, -1, effects),
        KeyCode::Char(' ') if step_update::toggle_tick(model, effects) => {}
        KeyCode::PageDown | KeyCode::Char(' ') => scroll_by(model, page as isize, effects),
        KeyCode::Char('[') => step_update::move_step(model, false),
        KeyCode::Char(']') => step_update::move_step(model, true),
        KeyCode::Char('s') => step_update::show_solution(model, effects),
        KeyCode::Char('R') => reset_view::ask(model, effects),
        KeyCode::PageUp => scroll_by(model, -(page as isize), effects),
        KeyCode::Home | KeyCode::Char('g') => scroll_to(model, 0, effects),
        KeyCode::End | KeyCode::Char('G') => scroll_to(model, usize::MAX, effects),
        KeyCode::Char('t') => open_toc(model),
        KeyCode::Char('/') => model.input = Input::Search(LineEdit::default()),
        KeyCode::Esc if searching => model.lesson.search = None,
        KeyCode::Esc => model.lesson.selected_code = None,
        KeyCode::Char('c') => block_actions::select_code(model, true, effects),
        KeyCode::Char('C') => block_actions::select_code(model, false, effects),
        KeyCode::Char('y') => block_actions::copy_code(model, effects),
        KeyCode::Char('r') => block_actions::run_code(model, effects),
        _ => {}
    }
}

fn goto_lesson_back(model: &mut Model, effects: &mut Vec<Effect>) {
    if let Some(previous) = model.lesson.index.checked_sub(1) {
        goto_lesson(model, previous, effects);
    }
}

pub fn goto_lesson(model: &mut Model, index: usize, effects: &mut Vec<Effect>) {
    if index >= model.lessons.len() || index == model.lesson.index {
        return;
    }
    model.lesson.index = index;
    model.lesson.scroll = 0;
    model.lesson.selected_code = None;
    // A message about the previous lesson's block or search would read as about this one.
    model.toast = None;
    step_update::on_lesson_changed(model);
    refresh_steps(model);
    let (width, text_height) = (model.lesson.width, model.lesson.text_height);
    set_viewport(model, width, text_height);
    rerender(model);
    if let Some(search) = model.lesson.search.take() {
        start_search(model, search.query);
    }
    save_progress(model, effects);
}

/// Called on resize and focus changes: re-renders when the text width changed.
pub fn set_viewport(model: &mut Model, width: u16, text_height: u16) {
    let steps = model.current_lesson().map_or(0, |l| l.steps.len());
    let view = &mut model.lesson;
    view.text_height = text_height;
    view.height = text_height.saturating_sub(checklist_rows(steps, text_height));
    if width == view.width && !view.rendered.lines.is_empty() {
        view.scroll = view.scroll.min(view.max_scroll());
        return;
    }
    // Keep roughly the same place in the text when reflowing.
    let old_len = view.rendered.lines.len().max(1);
    let old_scroll = view.scroll;
    view.width = width;
    rerender(model);
    let new_len = model.lesson.rendered.lines.len();
    model.lesson.scroll = (old_scroll * new_len / old_len).min(model.lesson.max_scroll());
    if let Some(search) = model.lesson.search.take() {
        let current = search.current;
        start_search(model, search.query);
        if let Some(s) = model.lesson.search.as_mut() {
            s.current = current.min(s.matches.len().saturating_sub(1));
        }
    }
}

/// Rows the step checklist takes at the top of the pane: when there is room, one per step, two
/// about the highlighted step (why it is not done, then its hint or the step keys) and a rule;
/// a one-line summary on short panes; nothing for a lesson without steps.
pub fn checklist_rows(steps: usize, text_height: u16) -> u16 {
    match steps {
        0 => 0,
        n if text_height >= 16 => u16::try_from(n).unwrap_or(u16::MAX).min(text_height / 3) + 3,
        _ => 1,
    }
}

/// Re-evaluates the current lesson's step checks; returns whether any changed.
pub fn refresh_steps(model: &mut Model) -> bool {
    step_update::refresh_steps(model)
}

fn rerender(model: &mut Model) {
    let width = model.lesson.width;
    model.lesson.rendered = match model.lessons.get(model.lesson.index) {
        Some(lesson) => render(&lesson.body, width),
        None => Rendered::default(),
    };
    model.lesson.scroll = model.lesson.scroll.min(model.lesson.max_scroll());
}

// --- search -----------------------------------------------------------------

pub fn on_search_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Input::Search(query) = &mut model.input else {
        return;
    };
    match query.on_key(key, |_| true) {
        LineOutcome::Editing => {}
        LineOutcome::Cancel => model.input = Input::Normal,
        LineOutcome::Submit => {
            let query = std::mem::take(query).into_text();
            model.input = Input::Normal;
            if query.trim().is_empty() {
                model.lesson.search = None;
                return;
            }
            start_search(model, query);
            let found = model
                .lesson
                .search
                .as_ref()
                .map(|s| s.matches.first().copied());
            match found {
                Some(Some(line)) => reveal(model, line, effects),
                _ => {
                    let query = model
                        .lesson
                        .search
                        .take()
                        .map(|s| s.query)
                        .unwrap_or_default();
                    effects.push(
                        model.toast(ToastLevel::Warning, format!("찾을 수 없습니다: {query}")),
                    );
                }
            }
        }
    }
}

fn start_search(model: &mut Model, query: String) {
    let needle = query.to_lowercase();
    let matches = model
        .lesson
        .rendered
        .lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.plain().to_lowercase().contains(&needle))
        .map(|(i, _)| i)
        .collect();
    model.lesson.search = Some(Search {
        query,
        matches,
        current: 0,
    });
}

fn next_match(model: &mut Model, forward: bool) {
    let Some(search) = model.lesson.search.as_mut() else {
        return;
    };
    if search.matches.is_empty() {
        return;
    }
    let count = search.matches.len();
    search.current = if forward {
        (search.current + 1) % count
    } else {
        (search.current + count - 1) % count
    };
    let line = search.matches[search.current];
    let mut ignored = Vec::new();
    reveal(model, line, &mut ignored);
}

// --- table of contents --------------------------------------------------------

fn open_toc(model: &mut Model) {
    let width = model.lesson.width.max(20);
    let mut entries = Vec::new();
    let mut selected = 0;
    for (index, lesson) in model.lessons.iter().enumerate() {
        if index == model.lesson.index {
            selected = entries.len();
        }
        entries.push(TocEntry {
            lesson: index,
            heading: None,
            text: format!("{}. {}", lesson.number, lesson.title),
        });
        let rendered;
        let headings = if index == model.lesson.index {
            &model.lesson.rendered.headings
        } else {
            rendered = render(&lesson.body, width);
            &rendered.headings
        };
        for (h, heading) in headings.iter().enumerate().filter(|(_, h)| h.level <= 2) {
            entries.push(TocEntry {
                lesson: index,
                heading: Some(h),
                text: heading.text.clone(),
            });
        }
    }
    model.overlay = Some(Overlay::Toc(Toc { entries, selected }));
}

pub fn on_toc_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(Overlay::Toc(toc)) = model.overlay.as_mut() else {
        return;
    };
    let last = toc.entries.len().saturating_sub(1);
    match key.code {
        KeyCode::Esc | KeyCode::Char('t' | 'q') => model.overlay = None,
        KeyCode::Down | KeyCode::Char('j') => toc.selected = (toc.selected + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => toc.selected = toc.selected.saturating_sub(1),
        KeyCode::PageDown => toc.selected = (toc.selected + 10).min(last),
        KeyCode::PageUp => toc.selected = toc.selected.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => toc.selected = 0,
        KeyCode::End | KeyCode::Char('G') => toc.selected = last,
        KeyCode::Enter => {
            let Some(entry) = toc.entries.get(toc.selected).cloned() else {
                return;
            };
            model.overlay = None;
            goto_lesson(model, entry.lesson, effects);
            let line = entry
                .heading
                .and_then(|h| model.lesson.rendered.headings.get(h))
                .map_or(0, |h| h.line);
            scroll_to(model, line, effects);
        }
        _ => {}
    }
}
