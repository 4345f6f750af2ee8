//! The solution box (`s`): a step's solution or commands, line by line; any key closes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::model::Note;
use crate::ui::popup;
use crate::ui::text::wrap_plain;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, note: &Note, theme: Theme) {
    let width = area.width.saturating_sub(4).min(100);
    let text_width = usize::from(width.saturating_sub(2));
    let mut rows: Vec<String> = Vec::new();
    for line in &note.lines {
        rows.extend(wrap_plain(line, text_width, 4));
    }
    let height = u16::try_from(rows.len() + 4).unwrap_or(u16::MAX);
    let inner = popup::open(frame, area, width, height, &note.title, theme);
    for (index, row) in rows.iter().enumerate() {
        let Ok(y) = u16::try_from(index) else { break };
        if y + 2 >= inner.height {
            break;
        }
        let style = if row.starts_with("$ ") {
            theme.key()
        } else {
            theme.title(false)
        };
        let line = Line::styled(row.as_str(), style);
        frame.render_widget(line, Rect::new(inner.x, inner.y + y, inner.width, 1));
    }
    let hint = Line::styled("아무 키나 누르면 닫힙니다", theme.muted());
    let y = inner.y + inner.height.saturating_sub(1);
    frame.render_widget(hint, Rect::new(inner.x, y, inner.width, 1));
}
