//! The lesson pane: the rendered lesson, the selected code block, search matches, a scrollbar.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Scrollbar, ScrollbarOrientation, ScrollbarState};

use crate::app::Model;
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
    super::checklist_view::draw(
        frame,
        Rect {
            height: rows,
            ..full_text_area
        },
        model,
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
