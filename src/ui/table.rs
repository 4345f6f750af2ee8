//! A kubectl-style text table: columns sized to the visible rows, only visible rows formatted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{render_line, truncate, width};
use super::theme::Theme;

/// One formatted row: its cells and the style of the whole row.
pub struct TableRow {
    pub cells: Vec<String>,
    pub style: Style,
}

/// A line in the table body: a row, or a section title such as a namespace.
pub enum BodyLine {
    Row(TableRow),
    Section(String),
}

/// Draws the header and `body` (already limited to the visible lines) into `area`.
/// Every column but the first is as wide as its widest visible cell; the first takes what is left.
pub fn draw(frame: &mut Frame, area: Rect, headers: &[&str], body: &[BodyLine], theme: Theme) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for line in body {
        if let BodyLine::Row(row) = line {
            for (w, cell) in widths.iter_mut().zip(&row.cells) {
                *w = (*w).max(width(cell));
            }
        }
    }
    // kubectl separates columns by three spaces; two keep more room on narrow panes.
    const GAP: usize = 2;
    let total = usize::from(area.width);
    let rest: usize = widths.iter().skip(1).map(|w| w + GAP).sum();
    if widths[0] + rest > total {
        // Names matter most: they keep at least two fifths of the width, and the rightmost
        // columns are cut instead.
        widths[0] = widths[0]
            .min(total.saturating_sub(rest).max(total * 2 / 5))
            .max(4);
    }

    let render = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let cell = truncate(cell, *w);
            out.push_str(&cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(w - width(&cell) + GAP));
            }
        }
        truncate(&out, total)
    };
    let header_cells: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    render_line(
        &Line::styled(render(&header_cells), theme.table_header()),
        Rect::new(area.x, area.y, area.width, 1),
        frame.buffer_mut(),
    );
    for (i, line) in body.iter().take(usize::from(area.height) - 1).enumerate() {
        let rect = Rect::new(area.x, area.y + 1 + i as u16, area.width, 1);
        let widget = match line {
            BodyLine::Row(row) => Line::styled(render(&row.cells), row.style),
            BodyLine::Section(title) => Line::from(Span::styled(
                truncate(&format!("── {title} "), total),
                theme.muted(),
            )),
        };
        render_line(&widget, rect, frame.buffer_mut());
    }
}
