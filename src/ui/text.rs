//! Display-width helpers for short UI strings (labels, titles, status lines).

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::Widget;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns at a grapheme boundary, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let w = width(grapheme);
        if used + w + 1 > max {
            break;
        }
        out.push_str(grapheme);
        used += w;
    }
    out.push('…');
    out
}

/// Wraps plain text at spaces into at most `lines` rows of `max` columns; the last row ends
/// with `…` when text is left over, and a word longer than a row is cut.
pub fn wrap_plain(text: &str, max: usize, lines: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if width(&candidate) <= max || current.is_empty() {
            current = candidate;
            continue;
        }
        rows.push(std::mem::replace(&mut current, word.to_string()));
    }
    rows.push(current);
    let overflow = rows.len() > lines;
    rows.truncate(lines.max(1));
    if let Some(last) = rows.last_mut() {
        *last = if overflow {
            truncate(&format!("{last} …"), max)
        } else {
            truncate(last, max)
        };
    }
    rows
}

/// Keeps the last `max` columns of `text`, starting with `…` when cut (for input that grows at
/// its end, such as a prompt).
pub fn tail(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for grapheme in text.graphemes(true).rev() {
        let w = width(grapheme);
        if used + w + 1 > max {
            break;
        }
        kept.push(grapheme);
        used += w;
    }
    kept.reverse();
    format!("…{}", kept.concat())
}

/// Draws a one-row `line` into `area` exactly as `Line`'s own `Widget` impl does, but writes
/// spans made only of printable ASCII and precomposed Hangul syllables a cell per character.
/// In such text every character is a grapheme of its own (no joining marks, and syllables never
/// join each other), so ratatui's grapheme segmentation, the larger part of a frame's cost,
/// is not needed. Anything else goes through ratatui.
pub fn render_line(line: &Line, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if !matches!(line.alignment, None | Some(Alignment::Left)) {
        line.render(area, buf);
        return;
    }
    if line.width() == 0 {
        return;
    }
    let area = Rect { height: 1, ..area };
    buf.set_style(area, line.style);
    let mut x = area.x;
    for span in &line.spans {
        if x >= area.right() {
            break;
        }
        let text = span.content.as_ref();
        let width = if text.chars().all(|c| simple_width(c).is_some()) {
            put_simple(text, x, area, span.style, buf)
        } else {
            span.render(Rect::new(x, area.y, area.right() - x, 1), buf);
            span.width()
        };
        x = x.saturating_add(u16::try_from(width).unwrap_or(u16::MAX));
    }
}

/// The width of a character that is a grapheme of its own in text made only of such
/// characters, as ratatui measures it. None of these ranges holds a joining character
/// (combining marks, ZWJ, variation selectors, Hangul jamo, controls, prepended marks), and
/// precomposed syllables never join each other, so every such character stands alone.
fn simple_width(c: char) -> Option<u16> {
    let simple = matches!(c,
        ' '..='~'
        | '\u{00B7}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{2500}'..='\u{27BF}');
    if !simple {
        return None;
    }
    let mut utf8 = [0; 4];
    u16::try_from(width(c.encode_utf8(&mut utf8)))
        .ok()
        .filter(|w| *w > 0)
}

/// Writes `text` from column `x` as ratatui would, stopping at the first character that does
/// not fit; returns the text's full width, as ratatui advances by it either way.
fn put_simple(
    text: &str,
    mut x: u16,
    area: Rect,
    style: ratatui::style::Style,
    buf: &mut Buffer,
) -> usize {
    let mut full = 0;
    let mut fits = true;
    for c in text.chars() {
        let width = simple_width(c).unwrap_or(1);
        full += usize::from(width);
        let next = x.saturating_add(width);
        fits = fits && next <= area.right();
        if !fits {
            continue;
        }
        buf[(x, area.y)].set_char(c).set_style(style);
        for hidden in x + 1..next {
            buf[(hidden, area.y)].reset();
        }
        x = next;
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_plain_breaks_at_spaces_and_marks_what_is_left_over() {
        assert_eq!(
            wrap_plain("연결 거부: 그 주소와 포트에서", 12, 3),
            ["연결 거부:", "그 주소와", "포트에서"]
        );
        let rows = wrap_plain("one two three four five", 9, 2);
        assert_eq!(rows, ["one two", "three …"]);
        assert!(rows.iter().all(|r| width(r) <= 9));
        assert_eq!(wrap_plain("", 10, 2), [""]);
    }

    #[test]
    fn tail_keeps_the_end_within_the_width() {
        assert_eq!(tail("kubectl", 10), "kubectl");
        assert_eq!(tail("네임스페이스", 7), "…페이스");
        assert!(width(&tail("네임스페이스", 7)) <= 7);
        assert_eq!(tail("abc", 0), "");
    }
    use ratatui::style::{Color, Style};
    use ratatui::text::Span;

    /// Every character the fast path takes, between others and doubled, at the edge of the area.
    #[test]
    fn every_simple_character_renders_as_ratatui_renders_it() {
        let canvas = Rect::new(0, 0, 8, 1);
        for c in (' '..='\u{D7A3}').filter(|c| simple_width(*c).is_some()) {
            for text in [format!("a{c}b"), format!("{c}{c}{c}")] {
                let line = Line::from(Span::styled(text.clone(), Style::new().fg(Color::Red)));
                for area in [canvas, Rect::new(2, 0, 4, 1)] {
                    let mut expected = Buffer::empty(canvas);
                    let mut actual = Buffer::empty(canvas);
                    (&line).render(area, &mut expected);
                    render_line(&line, area, &mut actual);
                    assert_eq!(actual, expected, "{text:?} in {area:?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// The fast path leaves the buffer cell for cell as ratatui's own rendering does.
        #[test]
        fn render_line_matches_ratatui(
            spans in proptest::collection::vec(("[ -~]{0,12}|[가-힣a-z ·—…│─●○◌✖✔→⚠✅]{0,6}|e\u{301}x|\t|a\u{200d}b", 0u8..4), 0..6),
            x in 0u16..6,
            width in 0u16..30,
            line_style in 0u8..3,
            centered in proptest::bool::weighted(0.2),
        ) {
            let colors = [Color::Red, Color::Green, Color::Blue, Color::Yellow];
            let mut line = Line::from(
                spans
                    .iter()
                    .map(|(text, color)| Span::styled(text.clone(), Style::new().fg(colors[usize::from(*color)])))
                    .collect::<Vec<_>>(),
            );
            if line_style > 0 {
                line = line.style(Style::new().bg(colors[usize::from(line_style)]));
            }
            if centered {
                line = line.centered();
            }
            let area = Rect::new(x, 1, width, 1);
            let canvas = Rect::new(0, 0, 32, 3);
            let mut expected = Buffer::filled(canvas, ratatui::buffer::Cell::new("·"));
            let mut actual = expected.clone();
            (&line).render(area, &mut expected);
            render_line(&line, area, &mut actual);
            proptest::prop_assert_eq!(actual, expected);
        }
    }

    #[test]
    fn truncate_respects_wide_characters() {
        assert_eq!(truncate("Bookinfo 배포", 20), "Bookinfo 배포");
        assert_eq!(truncate("가나다라", 5), "가나…");
        assert_eq!(truncate("가나다라", 1), "…");
        assert_eq!(truncate("가나다라", 0), "");
        for max in 0..12 {
            assert!(width(&truncate("설치 Install 가이드", max)) <= max);
        }
    }
}
