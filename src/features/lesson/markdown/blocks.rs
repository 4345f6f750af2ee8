//! Block layout for the Markdown renderer: containers and their prefixes, blank lines
//! between blocks, headings, code blocks and tables.

use super::super::codeblock::{prepare, render_code};
use super::super::table::{Table, render_table};
use super::super::text::{SpanKind, StyledLine, StyledSpan, display_width, push_span};
use super::super::wrap::wrap_with_prefix;
use super::{CodeBlock, Container, Heading, Renderer, TableState};

impl Renderer {
    pub(super) fn in_item(&self) -> bool {
        self.containers
            .iter()
            .any(|container| matches!(container, Container::Item { .. }))
    }

    pub(super) fn next_marker(&mut self) -> String {
        let depth = self
            .containers
            .iter()
            .filter(|container| matches!(container, Container::List { .. }))
            .count();
        let next = self
            .containers
            .iter_mut()
            .rev()
            .find_map(|container| match container {
                Container::List { next } => Some(next),
                _ => None,
            });
        match next {
            Some(Some(number)) => {
                let marker = format!("{number}. ");
                *number += 1;
                marker
            }
            _ => match depth {
                0 | 1 => "• ".to_string(),
                2 => "◦ ".to_string(),
                _ => "▪ ".to_string(),
            },
        }
    }

    /// Inserts the blank line that separates this block from the previous one.
    pub(super) fn begin_block(&mut self) {
        if self.need_blank && !self.out.lines.is_empty() {
            let mut bars = Vec::new();
            for container in &self.containers {
                if let Container::Quote { kind } = container {
                    push_span(&mut bars, "▌", *kind);
                }
            }
            if width_of(&bars) > self.width {
                bars.clear();
            }
            self.out.lines.push(StyledLine::new(bars));
        }
        self.need_blank = false;
    }

    /// Prefixes for a block's first line and the rest; list markers show once per item.
    pub(super) fn prefixes(&mut self) -> (Vec<StyledSpan>, Vec<StyledSpan>) {
        let mut first = Vec::new();
        let mut rest = Vec::new();
        for container in &mut self.containers {
            match container {
                Container::Quote { kind } => {
                    push_span(&mut first, "▌ ", *kind);
                    push_span(&mut rest, "▌ ", *kind);
                }
                Container::Item { marker, shown } => {
                    let indent = " ".repeat(display_width(marker));
                    if *shown {
                        push_span(&mut first, &indent, SpanKind::Text);
                    } else {
                        push_span(&mut first, marker, SpanKind::ListMarker);
                        *shown = true;
                    }
                    push_span(&mut rest, &indent, SpanKind::Text);
                }
                Container::List { .. } => {}
            }
        }
        (first, rest)
    }

    pub(super) fn flush_inline(&mut self) {
        if self.inline.iter().all(|span| span.text.trim().is_empty()) {
            self.inline.clear();
            return;
        }
        let spans = std::mem::take(&mut self.inline);
        self.mark_callout(&spans);
        self.begin_block();
        self.emit_wrapped(&spans);
    }

    pub(super) fn emit_wrapped(&mut self, spans: &[StyledSpan]) {
        let (first, rest) = self.prefixes();
        let lines = wrap_with_prefix(spans, self.width, &first, &rest);
        self.out.lines.extend(lines);
    }

    /// A quote whose first words are 참고/주의/Note/Warning/Tip is a callout.
    pub(super) fn mark_callout(&mut self, spans: &[StyledSpan]) {
        let Some(Container::Quote { kind }) = self
            .containers
            .iter_mut()
            .rev()
            .find(|container| matches!(container, Container::Quote { .. }))
        else {
            return;
        };
        let text: String = spans.iter().map(|span| span.text.as_str()).collect();
        let lead = text.trim_start().to_lowercase();
        const LABELS: [&str; 6] = ["참고", "주의", "경고", "note", "warning", "tip"];
        if LABELS.iter().any(|label| lead.starts_with(label)) {
            *kind = SpanKind::Callout;
        }
    }

    pub(super) fn heading(&mut self, level: u8) {
        let spans = std::mem::take(&mut self.inline);
        let text: String = spans.iter().map(|span| span.text.as_str()).collect();
        self.begin_block();
        let line = self.out.lines.len();
        let (mut first, mut rest) = self.prefixes();
        if level >= 3 {
            push_span(&mut first, "▍ ", SpanKind::Heading(level));
            push_span(&mut rest, "  ", SpanKind::Text);
        }
        let lines = wrap_with_prefix(&spans, self.width, &first, &rest);
        let text_width = lines.iter().map(StyledLine::width).max().unwrap_or(0);
        let content_width = text_width.saturating_sub(width_of(&first)).max(1);
        self.out.lines.extend(lines);
        if level <= 2 {
            let mut under = rest;
            if width_of(&under) + content_width > self.width {
                under.clear();
            }
            let room = content_width.min(self.width);
            let rule = if level == 1 { "═" } else { "─" };
            push_span(&mut under, &rule.repeat(room), SpanKind::Heading(level));
            self.out.lines.push(StyledLine::new(under));
        }
        self.out.headings.push(Heading {
            line,
            level,
            text: text.trim().to_string(),
        });
        self.need_blank = true;
    }

    pub(super) fn code_block(&mut self, info: &str, raw: &str) {
        let (lang, text) = prepare(info, raw);
        self.begin_block();
        let (first, rest) = self.prefixes();
        let (lines, commands) = render_code(&lang, &text, self.width, &first, &rest);
        let index = self.out.code_blocks.len();
        let first_line = self.out.lines.len();
        self.out.lines.extend(lines.into_iter().map(|mut line| {
            line.code_block = Some(index);
            line
        }));
        let last_line = self.out.lines.len().saturating_sub(1).max(first_line);
        self.out.code_blocks.push(CodeBlock {
            lang,
            text,
            commands,
            first_line,
            last_line,
        });
        self.need_blank = true;
    }

    pub(super) fn table_block(&mut self, table: &TableState) {
        self.begin_block();
        let (first, rest) = self.prefixes();
        let (first, rest) = if width_of(&first).max(width_of(&rest)) < self.width {
            (first, rest)
        } else {
            (Vec::new(), Vec::new())
        };
        let view = Table {
            alignments: &table.alignments,
            header: table.header.as_deref(),
            rows: &table.rows,
        };
        let lines = render_table(&view, self.width, &first, &rest);
        self.out.lines.extend(lines);
        self.need_blank = true;
    }
}

pub(super) fn width_of(spans: &[StyledSpan]) -> usize {
    spans.iter().map(|span| display_width(&span.text)).sum()
}
