//! The table of contents overlay: lessons and their sections.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::model::Toc;
use crate::ui::popup;
use crate::ui::text::truncate;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, toc: &Toc, current_lesson: usize, theme: Theme) {
    let height = (toc.entries.len() as u16 + 2)
        .min(area.height.saturating_sub(2))
        .max(3);
    let inner = popup::open(
        frame,
        area,
        64,
        height,
        "목차 · Enter 이동 · Esc 닫기",
        theme,
    );
    let visible = usize::from(inner.height);
    // Keep the selection in view, a little away from the edges.
    let first = toc
        .selected
        .saturating_sub(visible.saturating_sub(2))
        .min(toc.entries.len().saturating_sub(visible));
    let max = usize::from(inner.width);
    let lines: Vec<Line> = toc
        .entries
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, entry)| {
            let (text, style) = match entry.heading {
                None => {
                    let marker = if entry.lesson == current_lesson {
                        "▶ "
                    } else {
                        "  "
                    };
                    (format!("{marker}{}", entry.text), theme.title(false))
                }
                Some(_) => (format!("     {}", entry.text), theme.muted()),
            };
            let text = truncate(&text, max);
            let padded = format!(
                "{text}{}",
                " ".repeat(max.saturating_sub(crate::ui::text::width(&text)))
            );
            if i == toc.selected {
                Line::styled(padded, theme.selection())
            } else {
                Line::styled(padded, style)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
