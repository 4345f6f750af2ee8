//! Korean-aware line wrapping of styled spans by display width.
//!
//! Text is normalised to NFC and measured per grapheme cluster, so a Hangul syllable, a run
//! of conjoining jamo or an emoji sequence is never split. Breaks prefer spaces; a word wider
//! than a whole line breaks between graphemes (Korean allows breaks between syllables, and
//! long URLs have no better place).

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use unicode_segmentation::UnicodeSegmentation;

use super::text::{SpanKind, StyledLine, StyledSpan, grapheme_width, push_span};

/// Stands in for a grapheme wider than the whole line, which could never be shown.
pub const PLACEHOLDER: &str = "…";

/// Wraps `spans` to lines of at most `width` columns. A `\n` in the text forces a break;
/// leading spaces are kept on the first line only (code indentation).
pub fn wrap(spans: &[StyledSpan], width: usize) -> Vec<StyledLine> {
    wrap_with_prefix(spans, width, &[], &[])
}

/// Wraps with `first_prefix` before the first line and `rest_prefix` before every other one
/// (a list marker and its hanging indent, a quote bar, a code gutter). Prefixes that leave no
/// room for content are dropped rather than overflowing the width.
pub fn wrap_with_prefix(
    spans: &[StyledSpan],
    width: usize,
    first_prefix: &[StyledSpan],
    rest_prefix: &[StyledSpan],
) -> Vec<StyledLine> {
    if width == 0 {
        return Vec::new();
    }
    let prefix_width = |prefix: &[StyledSpan]| -> usize {
        prefix
            .iter()
            .map(|span| super::text::display_width(&span.text))
            .sum()
    };
    let (first_prefix, rest_prefix) =
        if prefix_width(first_prefix).max(prefix_width(rest_prefix)) < width {
            (first_prefix, rest_prefix)
        } else {
            (&[][..], &[][..])
        };
    let texts: Vec<Cow<'_, str>> = spans.iter().map(|span| nfc(&span.text)).collect();
    let cells = to_cells(spans, &texts);
    let mut builder = Builder::new(width, first_prefix, rest_prefix);
    for token in tokens(&cells) {
        builder.place(token);
    }
    builder.finish()
}

#[derive(Clone, Debug)]
struct Cell<'a> {
    text: Cow<'a, str>,
    kind: SpanKind,
    width: usize,
    class: CellClass,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CellClass {
    Space,
    Newline,
    Visible,
}

/// NFC form of `text`, borrowed when it already is (the common case).
fn nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

fn to_cells<'a>(spans: &[StyledSpan], texts: &'a [Cow<'a, str>]) -> Vec<Cell<'a>> {
    let mut cells = Vec::new();
    for (span, normalized) in spans.iter().zip(texts) {
        for grapheme in normalized.graphemes(true) {
            let (text, class) = match grapheme {
                "\n" | "\r\n" => (Cow::Borrowed("\n"), CellClass::Newline),
                " " | "\t" => (Cow::Borrowed(" "), CellClass::Space),
                other if other.chars().any(char::is_control) => {
                    // Control characters would move the terminal cursor; keep only the rest.
                    let kept: String = other.chars().filter(|c| !c.is_control()).collect();
                    if kept.is_empty() {
                        continue;
                    }
                    (Cow::Owned(kept), CellClass::Visible)
                }
                other => (Cow::Borrowed(other), CellClass::Visible),
            };
            let width = if class == CellClass::Newline {
                0
            } else {
                grapheme_width(&text)
            };
            cells.push(Cell {
                text,
                kind: span.kind,
                width,
                class,
            });
        }
    }
    cells
}

enum Token<'a> {
    Spaces(&'a [Cell<'a>]),
    Word(&'a [Cell<'a>]),
    Newline,
}

fn tokens<'a>(cells: &'a [Cell<'a>]) -> Vec<Token<'a>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < cells.len() {
        let class = cells[start].class;
        if class == CellClass::Newline {
            out.push(Token::Newline);
            start += 1;
            continue;
        }
        let end = cells[start..]
            .iter()
            .position(|cell| cell.class != class)
            .map_or(cells.len(), |offset| start + offset);
        let run = &cells[start..end];
        out.push(if class == CellClass::Space {
            Token::Spaces(run)
        } else {
            Token::Word(run)
        });
        start = end;
    }
    out
}

struct Builder<'a> {
    width: usize,
    rest_prefix: &'a [StyledSpan],
    rest_prefix_width: usize,
    lines: Vec<StyledLine>,
    current: Vec<StyledSpan>,
    current_width: usize,
    /// Whether anything but the prefix is on the current line (zero-width graphemes count).
    has_content: bool,
    /// The current line began at a soft break, where leading spaces are dropped.
    soft_start: bool,
    /// Kinds of the spaces seen since the last word; they are shown only if a word follows
    /// on the same line.
    pending_spaces: Vec<SpanKind>,
}

impl<'a> Builder<'a> {
    fn new(width: usize, first_prefix: &'a [StyledSpan], rest_prefix: &'a [StyledSpan]) -> Self {
        let mut builder = Self {
            width,
            rest_prefix,
            rest_prefix_width: rest_prefix
                .iter()
                .map(|span| super::text::display_width(&span.text))
                .sum(),
            lines: Vec::new(),
            current: Vec::new(),
            current_width: 0,
            has_content: false,
            soft_start: false,
            pending_spaces: Vec::new(),
        };
        builder.start_line(first_prefix, false);
        builder
    }

    fn start_line(&mut self, prefix: &[StyledSpan], soft: bool) {
        self.current = Vec::new();
        self.current_width = 0;
        for span in prefix {
            push_span(&mut self.current, &span.text, span.kind);
            self.current_width += super::text::display_width(&span.text);
        }
        self.has_content = false;
        self.soft_start = soft;
        self.pending_spaces.clear();
    }

    fn break_line(&mut self) {
        let spans = std::mem::take(&mut self.current);
        self.lines.push(StyledLine::new(spans));
        self.start_line(self.rest_prefix, true);
    }

    fn line_is_empty(&self) -> bool {
        !self.has_content
    }

    fn room(&self) -> usize {
        self.width - self.current_width
    }

    fn push_cell(&mut self, cell: &Cell) {
        push_span(&mut self.current, &cell.text, cell.kind);
        self.current_width += cell.width;
        self.has_content = true;
    }

    fn place(&mut self, token: Token<'_>) {
        match token {
            // Spaces after a forced break in prose are layout noise, as at a soft break.
            Token::Newline => self.break_line(),
            Token::Spaces(cells) => {
                if !self.line_is_empty() {
                    self.pending_spaces
                        .extend(cells.iter().map(|cell| cell.kind));
                } else if !self.soft_start {
                    // Indentation at the start of a hard line is meaningful (code, nesting).
                    for cell in cells {
                        if cell.width > self.room() {
                            break;
                        }
                        self.push_cell(cell);
                    }
                }
            }
            Token::Word(cells) => self.place_word(cells),
        }
    }

    fn place_word(&mut self, cells: &[Cell]) {
        let word_width: usize = cells.iter().map(|cell| cell.width).sum();
        let spaces_width = self.pending_spaces.len();
        let fresh_line_room = self.width - self.rest_prefix_width;
        if spaces_width + word_width <= self.room() {
            self.flush_pending_spaces();
        } else if !self.line_is_empty() && word_width <= fresh_line_room {
            self.break_line();
        } else if spaces_width < self.room() {
            // The word is wider than any line: start it here to use the remaining room.
            self.flush_pending_spaces();
        } else {
            self.break_line();
        }
        for cell in cells {
            self.place_grapheme(cell);
        }
    }

    fn flush_pending_spaces(&mut self) {
        let spaces = std::mem::take(&mut self.pending_spaces);
        for kind in spaces {
            push_span(&mut self.current, " ", kind);
            self.current_width += 1;
            self.has_content = true;
        }
    }

    fn place_grapheme(&mut self, cell: &Cell) {
        if cell.width > self.room() && !self.line_is_empty() {
            self.break_line();
        }
        if cell.width > self.room() {
            let placeholder = Cell {
                text: Cow::Borrowed(PLACEHOLDER),
                kind: cell.kind,
                width: 1,
                class: CellClass::Visible,
            };
            self.push_cell(&placeholder);
        } else {
            self.push_cell(cell);
        }
    }

    fn finish(mut self) -> Vec<StyledLine> {
        let spans = std::mem::take(&mut self.current);
        self.lines.push(StyledLine::new(spans));
        self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_lines(text: &str, width: usize) -> Vec<String> {
        wrap(&[StyledSpan::new(text, SpanKind::Text)], width)
            .iter()
            .map(StyledLine::plain)
            .collect()
    }

    #[test]
    fn breaks_at_spaces_and_drops_leading_space_of_soft_break() {
        assert_eq!(
            plain_lines("Istio 설치 후 확인", 10),
            vec!["Istio 설치", "후 확인"]
        );
    }

    #[test]
    fn long_korean_word_breaks_between_syllables() {
        let lines = plain_lines("가나다라마바사", 6);
        assert_eq!(lines, vec!["가나다", "라마바", "사"]);
    }

    #[test]
    fn odd_width_never_splits_a_syllable() {
        let lines = plain_lines("가나다", 3);
        assert_eq!(lines, vec!["가", "나", "다"]);
        for line in &lines {
            assert!(super::super::text::display_width(line) <= 3);
        }
    }

    #[test]
    fn syllable_wider_than_the_line_becomes_placeholder() {
        assert_eq!(plain_lines("가a", 1), vec![PLACEHOLDER, "a"]);
    }

    #[test]
    fn decomposed_jamo_are_normalised_to_one_syllable() {
        let decomposed = "\u{1112}\u{1161}\u{11AB}"; // 한 as conjoining jamo
        assert_eq!(plain_lines(decomposed, 10), vec!["한"]);
    }

    #[test]
    fn emoji_with_modifier_stays_whole() {
        let thumbs = "👍🏽";
        let lines = plain_lines(&format!("{thumbs}{thumbs}{thumbs}"), 3);
        assert_eq!(lines, vec![thumbs, thumbs, thumbs]);
    }

    #[test]
    fn zero_width_jamo_keep_their_separating_space() {
        // Lone vowel jamo have no width; dropping the space between them would fuse them
        // into a cluster that is not in the source.
        assert_eq!(
            plain_lines("\u{1112} \u{1161} \u{11AB}", 1),
            vec![PLACEHOLDER, "\u{1161} \u{11AB}"]
        );
    }

    #[test]
    fn width_zero_gives_no_lines() {
        assert!(wrap(&[StyledSpan::new("가", SpanKind::Text)], 0).is_empty());
    }

    #[test]
    fn url_breaks_anywhere_when_too_long() {
        let lines = plain_lines("see https://istio.io/latest", 10);
        assert_eq!(lines, vec!["see https:", "//istio.io", "/latest"]);
    }

    #[test]
    fn kinds_survive_breaks() {
        let spans = [
            StyledSpan::new("abc ", SpanKind::Text),
            StyledSpan::new("bold words", SpanKind::Strong),
        ];
        let lines = wrap(&spans, 9);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].spans[1], StyledSpan::new("bold", SpanKind::Strong));
        assert_eq!(
            lines[1].spans,
            vec![StyledSpan::new("words", SpanKind::Strong)]
        );
    }

    #[test]
    fn hanging_prefix_and_hard_break() {
        let marker = [StyledSpan::new("1. ", SpanKind::ListMarker)];
        let indent = [StyledSpan::new("   ", SpanKind::Text)];
        let spans = [StyledSpan::new("one two three\n  kept", SpanKind::Text)];
        let lines: Vec<String> = wrap_with_prefix(&spans, 10, &marker, &indent)
            .iter()
            .map(StyledLine::plain)
            .collect();
        assert_eq!(lines, vec!["1. one two", "   three", "   kept"]);
    }

    #[test]
    fn prefix_wider_than_width_is_dropped() {
        let marker = [StyledSpan::new("10. ", SpanKind::ListMarker)];
        let lines = wrap_with_prefix(&[StyledSpan::new("ab", SpanKind::Text)], 3, &marker, &[]);
        assert_eq!(lines[0].plain(), "ab");
    }
}
