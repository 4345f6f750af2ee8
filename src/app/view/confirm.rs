//! The confirmation box: what a change will do, line by line, and the two keys that answer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::app::model::Confirmation;
use crate::ui::popup;
use crate::ui::text::wrap_plain;
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, confirmation: &Confirmation, theme: Theme) {
    let width = area.width.saturating_sub(4).min(90);
    let text_width = usize::from(width.saturating_sub(2));
    let mut rows: Vec<String> = Vec::new();
    for line in &confirmation.lines {
        rows.extend(wrap_plain(line, text_width, 3));
    }
    let height = u16::try_from(rows.len() + 4).unwrap_or(u16::MAX);
    let inner = popup::open(frame, area, width, height, &confirmation.title, theme);
    for (index, row) in rows.iter().enumerate() {
        let Ok(y) = u16::try_from(index) else { break };
        if y + 2 >= inner.height {
            break;
        }
        let line = Line::styled(row.as_str(), theme.title(false));
        frame.render_widget(line, Rect::new(inner.x, inner.y + y, inner.width, 1));
    }
    let hint = Line::styled("Enter 실행 · Esc 취소", theme.key());
    let y = inner.y + inner.height.saturating_sub(1);
    frame.render_widget(hint, Rect::new(inner.x, y, inner.width, 1));
}
