//! A kubectl-style text table: columns sized to the visible rows, only visible rows formatted.
//! When the pane is too narrow, whole low-priority columns go first (as kubectl's `-o wide`
//! columns come and go); the name is cut, with an ellipsis, only once nothing else can go.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{render_line, truncate, width};
use super::theme::Theme;

/// A column's header and how long it stays: `0` never goes (NAME, READY); among the others the
/// highest number goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    pub drop_rank: u8,
}

impl Column {
    pub const fn keep(header: &'static str) -> Column {
        Column {
            header,
            drop_rank: 0,
        }
    }

    pub const fn drop(header: &'static str, drop_rank: u8) -> Column {
        Column { header, drop_rank }
    }
}

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

/// kubectl separates columns by three spaces; two keep more room on narrow panes.
pub const GAP: usize = 2;

/// The width of each column in `total` columns, `None` for a column left out. Every column is
/// as wide as its widest cell; while they don't fit, the column with the highest drop rank
/// (the rightmost of equals) is left out; then the first column (the name) gives way.
pub fn layout(columns: &[Column], rows: &[&[String]], total: usize) -> Vec<Option<usize>> {
    let mut widths: Vec<Option<usize>> = columns.iter().map(|c| Some(width(c.header))).collect();
    for cells in rows {
        for (w, cell) in widths.iter_mut().zip(cells.iter()) {
            if let Some(w) = w {
                *w = (*w).max(width(cell));
            }
        }
    }
    let needed = |widths: &[Option<usize>]| -> usize {
        let shown: Vec<usize> = widths.iter().flatten().copied().collect();
        shown.iter().sum::<usize>() + GAP * shown.len().saturating_sub(1)
    };
    while needed(&widths) > total {
        let droppable = columns
            .iter()
            .enumerate()
            .filter(|(i, c)| c.drop_rank > 0 && widths[*i].is_some())
            .max_by_key(|(i, c)| (c.drop_rank, *i))
            .map(|(i, _)| i);
        match droppable {
            Some(i) => widths[i] = None,
            None => break,
        }
    }
    let over = needed(&widths).saturating_sub(total);
    if over > 0
        && let Some(Some(first)) = widths.first_mut()
    {
        *first = first.saturating_sub(over).max(4);
    }
    widths
}

/// Whether a row shows less than all of its cells in full under `widths`.
pub fn is_cut(widths: &[Option<usize>], cells: &[String]) -> bool {
    cells
        .iter()
        .zip(widths)
        .any(|(cell, w)| w.is_none_or(|w| width(cell) > w))
}

/// The body's rows' cells, for [`layout`].
pub fn row_cells(body: &[BodyLine]) -> Vec<&[String]> {
    body.iter()
        .filter_map(|line| match line {
            BodyLine::Row(row) => Some(row.cells.as_slice()),
            BodyLine::Section(_) => None,
        })
        .collect()
}

/// Draws the header and `body` (already limited to the visible lines) into `area`.
pub fn draw(frame: &mut Frame, area: Rect, columns: &[Column], body: &[BodyLine], theme: Theme) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let total = usize::from(area.width);
    let widths = layout(columns, &row_cells(body), total);
    let render = |cells: &[String]| -> String {
        let shown: Vec<(String, usize)> = cells
            .iter()
            .zip(&widths)
            .filter_map(|(cell, w)| w.map(|w| (truncate(cell, w), w)))
            .collect();
        let mut out = String::new();
        for (i, (cell, w)) in shown.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < shown.len() {
                out.push_str(&" ".repeat(w - width(cell) + GAP));
            }
        }
        truncate(&out, total)
    };
    let header_cells: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const PODS: [Column; 5] = [
        Column::keep("NAME"),
        Column::keep("READY"),
        Column::drop("STATUS", 1),
        Column::drop("RESTARTS", 3),
        Column::drop("AGE", 2),
    ];

    fn row(name: &str) -> Vec<String> {
        [name, "2/2", "Running", "0", "12m"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn wide_panes_show_every_column_whole() {
        let r = row("reviews-v2-7f9d8c6b5-x2k9p");
        assert_eq!(
            layout(&PODS, &[&r], 80),
            vec![Some(26), Some(5), Some(7), Some(8), Some(3)]
        );
    }

    #[test]
    fn restarts_then_age_go_before_the_name_is_cut() {
        let r = row("reviews-v2-7f9d8c6b5-x2k9p");
        // 26+5+7+8+3 and four gaps = 57.
        assert_eq!(layout(&PODS, &[&r], 56)[3], None, "RESTARTS goes first");
        assert_eq!(layout(&PODS, &[&r], 56)[0], Some(26));
        assert_eq!(layout(&PODS, &[&r], 46)[4], None, "then AGE");
        let narrow = layout(&PODS, &[&r], 30);
        assert_eq!(narrow[2], None, "then STATUS");
        assert_eq!(narrow[1], Some(5), "READY stays");
        assert_eq!(narrow[0], Some(23), "and only then the name gives way");
    }

    proptest! {
        #[test]
        fn name_and_ready_are_cut_only_once_every_other_column_is_gone(
            total in 60usize..=220,
            name_len in 5usize..120,
            status_len in 1usize..30,
        ) {
            let name = "n".repeat(name_len);
            let mut r = row(&name);
            r[2] = "s".repeat(status_len);
            let widths = layout(&PODS, &[&r], total);
            let name_cut = widths[0].is_some_and(|w| w < name_len);
            let ready_cut = widths[1].is_none_or(|w| w < 5);
            prop_assert!(!ready_cut, "READY always whole: {widths:?}");
            if name_cut {
                prop_assert!(widths[2..].iter().all(Option::is_none), "name cut while {widths:?}");
            }
            let used: usize = widths.iter().flatten().sum::<usize>()
                + GAP * (widths.iter().flatten().count() - 1);
            prop_assert!(used <= total.max(4 + 5 + GAP), "{used} > {total}: {widths:?}");
        }
    }
}
