//! Markdown tables: box drawing sized by display width, or "header: value" records when
//! the box would not fit.

use pulldown_cmark::Alignment;
use unicode_normalization::UnicodeNormalization;

use super::text::{SpanKind, StyledLine, StyledSpan, display_width, push_span};
use super::wrap::wrap_with_prefix;

pub(crate) type Cell = Vec<StyledSpan>;

pub(crate) struct Table<'a> {
    pub alignments: &'a [Alignment],
    pub header: Option<&'a [Cell]>,
    pub rows: &'a [Vec<Cell>],
}

/// Lays the table out within `width`, starting the first line with `first_prefix` and the
/// others with `rest_prefix` (both already known to fit).
pub(crate) fn render_table(
    table: &Table<'_>,
    width: usize,
    first_prefix: &[StyledSpan],
    rest_prefix: &[StyledSpan],
) -> Vec<StyledLine> {
    let header: Option<Vec<Cell>> = table.header.map(|cells| cells.iter().map(clean).collect());
    let rows: Vec<Vec<Cell>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(clean).collect())
        .collect();
    let columns = header
        .iter()
        .chain(rows.iter())
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    if columns == 0 {
        return Vec::new();
    }
    let mut widths = vec![0usize; columns];
    for row in header.iter().chain(rows.iter()) {
        for (index, cell) in row.iter().enumerate() {
            widths[index] = widths[index].max(cell_width(cell));
        }
    }
    let box_width = widths.iter().map(|w| w + 3).sum::<usize>() + 1;
    let prefix_width = display_width(&plain(first_prefix)).max(display_width(&plain(rest_prefix)));
    if box_width + prefix_width <= width {
        boxed(
            table.alignments,
            header.as_deref(),
            &rows,
            &widths,
            first_prefix,
            rest_prefix,
        )
    } else {
        records(header.as_deref(), &rows, width, first_prefix, rest_prefix)
    }
}

fn plain(spans: &[StyledSpan]) -> String {
    spans.iter().map(|span| span.text.as_str()).collect()
}

fn cell_width(cell: &Cell) -> usize {
    cell.iter().map(|span| display_width(&span.text)).sum()
}

/// Cells are single-line in a box: NFC, no control characters, breaks become spaces.
fn clean(cell: &Cell) -> Cell {
    let mut out = Vec::new();
    for span in cell {
        let text: String = span
            .text
            .nfc()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        push_span(&mut out, &text, span.kind);
    }
    out
}

fn boxed(
    alignments: &[Alignment],
    header: Option<&[Cell]>,
    rows: &[Vec<Cell>],
    widths: &[usize],
    first_prefix: &[StyledSpan],
    rest_prefix: &[StyledSpan],
) -> Vec<StyledLine> {
    let border = |left: &str, middle: &str, right: &str| -> Vec<StyledSpan> {
        let inner: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        vec![StyledSpan::new(
            format!("{left}{}{right}", inner.join(middle)),
            SpanKind::TableBorder,
        )]
    };
    let mut bodies = vec![border("┌", "┬", "┐")];
    if let Some(header) = header {
        bodies.push(row_spans(header, widths, alignments, true));
        bodies.push(border("├", "┼", "┤"));
    }
    for row in rows {
        bodies.push(row_spans(row, widths, alignments, false));
    }
    bodies.push(border("└", "┴", "┘"));
    bodies
        .into_iter()
        .enumerate()
        .map(|(index, body)| {
            let prefix = if index == 0 {
                first_prefix
            } else {
                rest_prefix
            };
            let mut spans = Vec::new();
            for span in prefix.iter().chain(body.iter()) {
                push_span(&mut spans, &span.text, span.kind);
            }
            StyledLine::new(spans)
        })
        .collect()
}

fn row_spans(
    row: &[Cell],
    widths: &[usize],
    alignments: &[Alignment],
    header: bool,
) -> Vec<StyledSpan> {
    let mut spans = vec![StyledSpan::new("│", SpanKind::TableBorder)];
    for (index, width) in widths.iter().enumerate() {
        let empty = Vec::new();
        let cell = row.get(index).unwrap_or(&empty);
        let gap = width - cell_width(cell);
        let (left, right) = match alignments.get(index) {
            Some(Alignment::Right) => (gap, 0),
            Some(Alignment::Center) => (gap / 2, gap - gap / 2),
            _ => (0, gap),
        };
        push_span(&mut spans, &" ".repeat(left + 1), SpanKind::Text);
        for span in cell {
            let kind = if header && span.kind == SpanKind::Text {
                SpanKind::TableHeader
            } else {
                span.kind
            };
            push_span(&mut spans, &span.text, kind);
        }
        push_span(&mut spans, &" ".repeat(right + 1), SpanKind::Text);
        push_span(&mut spans, "│", SpanKind::TableBorder);
    }
    spans
}

fn records(
    header: Option<&[Cell]>,
    rows: &[Vec<Cell>],
    width: usize,
    first_prefix: &[StyledSpan],
    rest_prefix: &[StyledSpan],
) -> Vec<StyledLine> {
    let mut lines: Vec<StyledLine> = Vec::new();
    let hanging: Vec<StyledSpan> = rest_prefix
        .iter()
        .cloned()
        .chain([StyledSpan::new("  ", SpanKind::Text)])
        .collect();
    let body_rows: Vec<&Vec<Cell>> = rows.iter().collect();
    let header_only = body_rows.is_empty();
    for (record, row) in body_rows.iter().enumerate() {
        if record > 0 {
            lines.push(StyledLine::new(trimmed(rest_prefix)));
        }
        for (index, cell) in row.iter().enumerate() {
            let mut spans = Vec::new();
            if let Some(name) = header.and_then(|h| h.get(index)) {
                for span in name {
                    push_span(&mut spans, &span.text, SpanKind::TableHeader);
                }
                push_span(&mut spans, ": ", SpanKind::TableHeader);
            }
            spans.extend(cell.iter().cloned());
            let prefix = if lines.is_empty() {
                first_prefix
            } else {
                rest_prefix
            };
            lines.extend(wrap_with_prefix(&spans, width, prefix, &hanging));
        }
    }
    if header_only && let Some(header) = header {
        let mut spans = Vec::new();
        for (index, name) in header.iter().enumerate() {
            if index > 0 {
                push_span(&mut spans, " · ", SpanKind::TableBorder);
            }
            for span in name {
                push_span(&mut spans, &span.text, SpanKind::TableHeader);
            }
        }
        lines.extend(wrap_with_prefix(&spans, width, first_prefix, rest_prefix));
    }
    lines
}

fn trimmed(prefix: &[StyledSpan]) -> Vec<StyledSpan> {
    let mut spans: Vec<StyledSpan> = prefix.to_vec();
    if let Some(last) = spans.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    spans.retain(|span| !span.text.is_empty());
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> Cell {
        vec![StyledSpan::new(text, SpanKind::Text)]
    }

    fn sample() -> (Vec<Cell>, Vec<Vec<Cell>>) {
        (
            vec![cell("이름"), cell("가중치")],
            vec![
                vec![cell("reviews-v1"), cell("50")],
                vec![cell("v3"), cell("50")],
            ],
        )
    }

    #[test]
    fn box_is_sized_by_display_width() {
        let (header, rows) = sample();
        let table = Table {
            alignments: &[Alignment::None, Alignment::Right],
            header: Some(&header),
            rows: &rows,
        };
        let lines: Vec<String> = render_table(&table, 40, &[], &[])
            .iter()
            .map(StyledLine::plain)
            .collect();
        assert_eq!(
            lines,
            vec![
                "┌────────────┬────────┐",
                "│ 이름       │ 가중치 │",
                "├────────────┼────────┤",
                "│ reviews-v1 │     50 │",
                "│ v3         │     50 │",
                "└────────────┴────────┘",
            ]
        );
    }

    #[test]
    fn narrow_table_falls_back_to_records() {
        let (header, rows) = sample();
        let table = Table {
            alignments: &[],
            header: Some(&header),
            rows: &rows,
        };
        let lines: Vec<String> = render_table(&table, 20, &[], &[])
            .iter()
            .map(StyledLine::plain)
            .collect();
        assert_eq!(
            lines,
            vec![
                "이름: reviews-v1",
                "가중치: 50",
                "",
                "이름: v3",
                "가중치: 50"
            ]
        );
    }
}
