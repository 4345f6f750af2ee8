//! A centred, bordered box drawn over the panes (help, table of contents).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Clear};

use super::theme::Theme;

/// Clears a centred area of at most `width`×`height` and returns its inner area.
pub fn open(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    height: u16,
    title: &str,
    theme: Theme,
) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(format!(" {title} "))
        .title_style(theme.title(true));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}
