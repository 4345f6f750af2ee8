//! What is shown when the terminal is below the minimum size.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use super::text::truncate;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: Theme) {
    let max = usize::from(area.width);
    // Truncated, not wrapped: the area may be a single column wide.
    let lines = vec![
        Line::styled(truncate("터미널이 너무 작습니다", max), theme.title(true)),
        Line::raw(truncate(
            &format!(
                "{MIN_WIDTH}×{MIN_HEIGHT} 이상 필요 (지금 {}×{})",
                area.width, area.height
            ),
            max,
        )),
        Line::styled(truncate("q: 종료", max), theme.muted()),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let rect = Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(Paragraph::new(lines).centered(), rect);
}
