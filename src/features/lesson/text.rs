//! Renderer-neutral styled text: span kinds, spans, lines and display width.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// What a piece of text is; the UI maps each kind to a style in its theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanKind {
    Text,
    Strong,
    Emphasis,
    Heading(u8),
    InlineCode,
    Link,
    Url,
    ImageAlt,
    ListMarker,
    QuoteMarker,
    Callout,
    CodeFrame,
    CodeText,
    CodePrompt,
    CodeCommand,
    CodeFlag,
    CodeString,
    CodeComment,
    CodeVariable,
    CodeKey,
    CodeValue,
    CodePunct,
    CodeOutput,
    TableBorder,
    TableHeader,
    Rule,
    Shortcode,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StyledSpan {
    pub text: String,
    pub kind: SpanKind,
}

impl StyledSpan {
    pub fn new(text: impl Into<String>, kind: SpanKind) -> Self {
        Self {
            text: text.into(),
            kind,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StyledLine {
    pub spans: Vec<StyledSpan>,
    /// Index into `Rendered::code_blocks` when the line belongs to a code block (frame included).
    pub code_block: Option<usize>,
}

impl StyledLine {
    pub fn new(spans: Vec<StyledSpan>) -> Self {
        Self {
            spans,
            code_block: None,
        }
    }

    pub fn plain(&self) -> String {
        self.spans.iter().map(|span| span.text.as_str()).collect()
    }

    pub fn width(&self) -> usize {
        self.spans
            .iter()
            .map(|span| display_width(&span.text))
            .sum()
    }
}

/// Terminal columns taken by `text`, summed per grapheme cluster the way a cell-based
/// renderer places them (one cluster per cell run).
pub fn display_width(text: &str) -> usize {
    text.graphemes(true).map(grapheme_width).sum()
}

pub(crate) fn grapheme_width(grapheme: &str) -> usize {
    match grapheme.as_bytes() {
        [byte] if byte.is_ascii_graphic() || *byte == b' ' => 1,
        _ => grapheme.width(),
    }
}

/// Appends `text` to the last span when it has the same kind, so lines stay compact.
pub(crate) fn push_span(spans: &mut Vec<StyledSpan>, text: &str, kind: SpanKind) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(text),
        _ => spans.push(StyledSpan::new(text, kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_hangul_as_two_columns() {
        assert_eq!(display_width("한글 ab"), 7);
        let line = StyledLine::new(vec![
            StyledSpan::new("설치", SpanKind::Strong),
            StyledSpan::new(" ok", SpanKind::Text),
        ]);
        assert_eq!(line.width(), 7);
        assert_eq!(line.plain(), "설치 ok");
    }

    #[test]
    fn push_span_merges_same_kind_only() {
        let mut spans = Vec::new();
        push_span(&mut spans, "a", SpanKind::Text);
        push_span(&mut spans, "b", SpanKind::Text);
        push_span(&mut spans, "c", SpanKind::Strong);
        push_span(&mut spans, "", SpanKind::Link);
        assert_eq!(
            spans,
            vec![
                StyledSpan::new("ab", SpanKind::Text),
                StyledSpan::new("c", SpanKind::Strong)
            ]
        );
    }
}
