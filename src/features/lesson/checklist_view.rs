//! The step checklist at the top of the lesson pane: ✔ checked by the cluster, ✗ not yet (with
//! why, under the highlighted step), ☑ ticked by hand, · not ticked; the highlighted step's
//! hint once it is due, else the keys that act on steps.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::SpanKind;
use super::step_update::current_step;
use crate::app::Model;
use crate::ui::text::truncate;
use crate::ui::theme::Theme;

/// A step's mark, as the checklist and its one-line summary show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Checked,
    Failing,
    Ticked,
    Open,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Checked => "✔",
            Mark::Failing => "✗",
            Mark::Ticked => "☑",
            Mark::Open => "·",
        }
    }

    fn style(self, theme: Theme) -> Style {
        match self {
            Mark::Checked | Mark::Ticked => theme.good(),
            Mark::Failing | Mark::Open => theme.muted(),
        }
    }
}

pub fn mark(model: &Model, i: usize) -> Mark {
    match model.lesson.steps_done.get(i).copied().flatten() {
        Some(true) => Mark::Checked,
        Some(false) => Mark::Failing,
        None if super::step_update::step_done(model, i) => Mark::Ticked,
        None => Mark::Open,
    }
}

/// The keys that act on the highlighted step.
const STEP_KEYS: &str = "[ ] 단계 고르기 · Space 직접 체크 · s 풀이 · R 이 레슨 상태로";

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let Some(lesson) = model.current_lesson() else {
        return;
    };
    let steps = &lesson.steps;
    if area.height == 0 || steps.is_empty() {
        return;
    }
    let max = usize::from(area.width);
    // While presenting, the steps not yet revealed (Space) are dimmed.
    let revealed = model.presenter.revealed_steps(model.lesson.index);
    let hidden = |i: usize| revealed.is_some_and(|r| i >= r);
    if area.height == 1 {
        let finished = (0..steps.len())
            .filter(|&i| matches!(mark(model, i), Mark::Checked | Mark::Ticked))
            .count();
        let mut spans = vec![Span::styled("단계 ", theme.title(false))];
        for i in 0..steps.len() {
            let m = mark(model, i);
            let style = if hidden(i) {
                theme.dimmed()
            } else {
                m.style(theme)
            };
            spans.push(Span::styled(m.symbol(), style));
        }
        spans.push(Span::styled(
            format!(" {finished}/{}", steps.len()),
            theme.muted(),
        ));
        frame.render_widget(Line::from(spans), area);
        return;
    }
    let current = current_step(model);
    let list_rows = usize::from(area.height.saturating_sub(3));
    // Keep the highlighted step in view when the list is longer than its rows.
    let first = current.map_or(0, |c| (c + 1).saturating_sub(list_rows));
    for (row, (i, step)) in steps
        .iter()
        .enumerate()
        .skip(first)
        .take(list_rows)
        .enumerate()
    {
        let m = mark(model, i);
        let pointer = if current == Some(i) { "›" } else { " " };
        let text = truncate(&format!("{}. {}", i + 1, step.title), max.saturating_sub(4));
        let mut text_style = match m {
            Mark::Checked | Mark::Ticked => m.style(theme),
            _ => theme.span(SpanKind::Text),
        };
        if current == Some(i) {
            text_style = text_style.add_modifier(Modifier::BOLD);
        }
        let mark_style = if hidden(i) {
            text_style = theme.dimmed();
            theme.dimmed()
        } else {
            m.style(theme)
        };
        let line = Line::from(vec![
            Span::styled(pointer, theme.key()),
            Span::styled(format!("{} ", m.symbol()), mark_style),
            Span::styled(text, text_style),
        ]);
        let y = area.y + u16::try_from(row).unwrap_or(0);
        frame.render_widget(line, Rect::new(area.x, y, area.width, 1));
    }
    let detail_y = area.bottom() - 3;
    let reason = current.and_then(|c| model.lesson.step_reasons.get(c).cloned().flatten());
    let reason_line = match reason {
        Some(reason) => Line::styled(truncate(&format!("  ✗ {reason}"), max), theme.warning()),
        None => Line::default(),
    };
    frame.render_widget(reason_line, Rect::new(area.x, detail_y, area.width, 1));
    let hint = model
        .lesson
        .hint_shown
        .and_then(|h| steps.get(h))
        .and_then(|s| s.hint.as_deref());
    let hint_line = match hint {
        Some(hint) => Line::styled(truncate(&format!("  힌트: {hint}"), max), theme.key()),
        // Key hints stay off the projector.
        None if model.presenter.on => Line::default(),
        None => Line::styled(truncate(&format!("  {STEP_KEYS}"), max), theme.muted()),
    };
    frame.render_widget(hint_line, Rect::new(area.x, detail_y + 1, area.width, 1));
    let rule = "─".repeat(max);
    frame.render_widget(
        Line::styled(rule, theme.muted()),
        Rect::new(area.x, area.bottom() - 1, area.width, 1),
    );
}
