//! The lesson pane: the rendered lesson, the selected code block, search matches, a scrollbar.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Scrollbar, ScrollbarOrientation, ScrollbarState};

use crate::app::Model;
use crate::features::lesson::Step;
use crate::features::lesson::update::checklist_rows;
use crate::ui::layout::Pane;
use crate::ui::layout::pane_text_area;
use crate::ui::text::truncate;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let focused = model.focus == Pane::Lesson;
    let view = &model.lesson;
    let title = model
        .current_lesson()
        .map(|l| format!(" {}. {} ", l.number, l.title))
        .unwrap_or_else(|| " 레슨 ".to_string());
    let title = truncate(&title, usize::from(area.width.saturating_sub(4)));
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(Span::styled(title, theme.title(focused)));
    frame.render_widget(block, area);

    let full_text_area = pane_text_area(area);
    let steps = model
        .current_lesson()
        .map(|l| l.steps.as_slice())
        .unwrap_or_default();
    let rows = checklist_rows(steps.len(), full_text_area.height);
    draw_checklist(
        frame,
        Rect {
            height: rows,
            ..full_text_area
        },
        steps,
        &view.steps_done,
        model.presenter.revealed_steps(view.index),
        theme,
    );
    let text_area = Rect {
        y: full_text_area.y + rows,
        height: full_text_area.height.saturating_sub(rows),
        ..full_text_area
    };
    let current_match = view
        .search
        .as_ref()
        .and_then(|s| s.matches.get(s.current).copied());
    let height = usize::from(text_area.height);
    for (row, (index, line)) in view
        .rendered
        .lines
        .iter()
        .enumerate()
        .skip(view.scroll)
        .take(height)
        .enumerate()
    {
        let spans: Vec<Span> = line
            .spans
            .iter()
            .map(|s| Span::styled(s.text.as_str(), theme.span(s.kind)))
            .collect();
        let mut styled = Line::from(spans);
        if line.code_block.is_some() {
            styled = styled.style(if line.code_block == view.selected_code {
                theme.selected_code_line()
            } else {
                theme.code_line()
            });
        }
        let is_match = view
            .search
            .as_ref()
            .is_some_and(|s| s.matches.binary_search(&index).is_ok());
        if is_match {
            styled = styled.style(theme.search_match_line(current_match == Some(index)));
        }
        let rect = Rect::new(text_area.x, text_area.y + row as u16, text_area.width, 1);
        crate::ui::text::render_line(&styled, rect, frame.buffer_mut());
    }

    let total = view.rendered.lines.len();
    if total > height {
        let mut state = ScrollbarState::new(view.max_scroll()).position(view.scroll);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .style(theme.muted()),
            area.inner(Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut state,
        );
    }
}

/// The lesson's steps, ticked green as the cluster reaches each one's state; while presenting,
/// those from `revealed` on are dimmed.
fn draw_checklist(
    frame: &mut Frame,
    area: Rect,
    steps: &[Step],
    done: &[Option<bool>],
    revealed: Option<usize>,
    theme: Theme,
) {
    if area.height == 0 {
        return;
    }
    let max = usize::from(area.width);
    let hidden = |i: usize| revealed.is_some_and(|r| i >= r);
    let mark = |i: usize| match done.get(i).copied().flatten() {
        _ if hidden(i) => ("·", theme.dimmed()),
        Some(true) => ("✔", theme.good()),
        Some(false) => ("○", theme.muted()),
        None => ("·", theme.muted()),
    };
    if area.height == 1 {
        let finished = done.iter().filter(|d| **d == Some(true)).count();
        let checked = done.iter().filter(|d| d.is_some()).count();
        let mut spans = vec![Span::styled("단계 ", theme.title(false))];
        for i in 0..steps.len() {
            let (symbol, style) = mark(i);
            spans.push(Span::styled(symbol, style));
        }
        spans.push(Span::styled(
            format!(" {finished}/{checked}"),
            theme.muted(),
        ));
        frame.render_widget(Line::from(spans), area);
        return;
    }
    for (i, step) in steps.iter().enumerate().take(usize::from(area.height - 1)) {
        let (symbol, style) = mark(i);
        let text = truncate(&format!("{}. {}", i + 1, step.title), max.saturating_sub(2));
        let text_style = if hidden(i) || done.get(i).copied().flatten() == Some(true) {
            style
        } else {
            theme.span(crate::features::lesson::SpanKind::Text)
        };
        let line = Line::from(vec![
            Span::styled(format!("{symbol} "), style),
            Span::styled(text, text_style),
        ]);
        frame.render_widget(line, Rect::new(area.x, area.y + i as u16, area.width, 1));
    }
    let rule = "─".repeat(max);
    frame.render_widget(
        Line::styled(rule, theme.muted()),
        Rect::new(area.x, area.bottom() - 1, area.width, 1),
    );
}
