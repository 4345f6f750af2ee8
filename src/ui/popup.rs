//! A centred, bordered box drawn over the panes (help, table of contents, confirmations),
//! whose border stays whole over Korean text.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Clear};

use super::text::width;
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
    draw_box(frame.buffer_mut(), rect, title, theme)
}

/// Draws the box at `rect` over whatever the buffer holds; returns its inner area.
pub fn draw_box(buf: &mut Buffer, rect: Rect, title: &str, theme: Theme) -> Rect {
    let rect = rect.intersection(buf.area);
    mend_edges(buf, rect);
    ratatui::widgets::Widget::render(Clear, rect, buf);
    buf.set_style(rect, theme.base());
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(format!(" {title} "))
        .title_style(theme.title(true));
    let inner = block.inner(rect);
    ratatui::widgets::Widget::render(block, rect, buf);
    inner
}

/// A double-width character drawn just left of the box covers the box's first column on the
/// terminal, and one whose first half is in the box's last column would leave its second half
/// outside. Either orphaned half becomes a space, so the border is drawn whole.
fn mend_edges(buf: &mut Buffer, rect: Rect) {
    if rect.is_empty() {
        return;
    }
    let last = rect.right() - 1;
    for y in rect.top()..rect.bottom() {
        // A character starting just left of the box that reaches into it (a wide character
        // is two cells, so only the cell right before the box can).
        if let Some(x) = rect.left().checked_sub(1).filter(|&x| x >= buf.area.left())
            && usize::from(x) + width(buf[(x, y)].symbol()) > usize::from(rect.left())
        {
            blank(buf, x, y);
        }
        // A character in the box's last column reaching out of it: its second half outside.
        let reach = usize::from(last) + width(buf[(last, y)].symbol());
        for x in rect.right()..buf.area.right() {
            if usize::from(x) < reach {
                blank(buf, x, y);
            }
        }
    }
}

/// Puts a space where half a wide character was, keeping the cell's colours.
fn blank(buf: &mut Buffer, x: u16, y: u16) {
    buf[(x, y)].set_symbol(" ");
}
