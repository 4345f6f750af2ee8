//! A lesson title drawn big for a projector: tui-big-text's 8×8 font where it has the glyphs,
//! and for Hangul (which it has not) the big lesson number beside the title bold, letter-spaced
//! and boxed, so a mixed title reads as one designed banner rather than missing glyphs.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};
use tui_big_text::{BigText, PixelSize};

use super::text::{truncate, width};
use super::theme::Theme;

/// Rows the banner takes: one line of the 8×8 font at half height (or in quadrants).
pub const HEIGHT: u16 = 4;
/// Narrower than this, the banner is not drawn (the pane's own title still names the lesson).
pub const MIN_WIDTH: u16 = 24;

/// Columns one glyph takes at a pixel size whose glyphs are `HEIGHT` rows tall.
fn glyph_width(size: PixelSize) -> usize {
    match size {
        PixelSize::Quadrant => 4,
        _ => 8,
    }
}

/// Whether the 8×8 font draws all of `text`: its basic set is printable ASCII, and anything
/// else (Hangul above all) would come out as blank cells.
fn font_has(text: &str) -> bool {
    text.chars().all(|c| c == ' ' || c.is_ascii_graphic())
}

/// The pixel size that fits `text` in `columns` columns, if the font can draw it at all.
fn big_size(text: &str, columns: u16) -> Option<PixelSize> {
    if !font_has(text) {
        return None;
    }
    let glyphs = text.chars().count();
    [PixelSize::HalfHeight, PixelSize::Quadrant]
        .into_iter()
        .find(|&size| glyphs * glyph_width(size) <= usize::from(columns))
}

/// `동적 트래픽` → `동 적  트 래 픽`: a space between two wide letters and two between words
/// next to them, which a projector's blur cannot run together; ASCII runs (`80/20 → 0/100`)
/// stay as they are.
pub fn letter_spaced(text: &str) -> String {
    let wide = |c: char| width(c.encode_utf8(&mut [0; 4])) > 1;
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        if c == ' ' {
            let word_gap = before.is_some_and(wide) || after.is_some_and(wide);
            out.push_str(if word_gap { "  " } else { " " });
            continue;
        }
        if before.is_some_and(wide) && wide(c) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The widest of letter-spaced, plain, or truncated that fits `max` columns.
fn fitted(title: &str, max: usize) -> String {
    let spaced = letter_spaced(title);
    if width(&spaced) <= max {
        spaced
    } else if width(title) <= max {
        title.to_string()
    } else {
        truncate(title, max)
    }
}

/// Draws lesson `number`'s `title` in `area` (which should be `HEIGHT` rows), with `detail`
/// (the lesson and step position) under the title when the title is boxed.
pub fn draw(buf: &mut Buffer, area: Rect, number: usize, title: &str, detail: &str, theme: Theme) {
    let area = area.intersection(buf.area);
    if area.width < MIN_WIDTH || area.height < HEIGHT {
        return;
    }
    let area = Rect {
        height: HEIGHT,
        ..area
    };
    let whole = format!("{number}. {title}");
    if let Some(size) = big_size(&whole, area.width) {
        big(buf, area, &whole, size, theme);
        return;
    }
    // The number big at the left (in a third of the width at most, smaller or not at all when
    // it would not fit whole), the title boxed beside it.
    let digits = number.to_string();
    let number_width = match big_size(&digits, area.width / 3) {
        Some(size) => {
            let used = u16::try_from(digits.len() * glyph_width(size)).unwrap_or(u16::MAX);
            let number = Rect {
                width: used,
                ..area
            };
            big(buf, number, &digits, size, theme);
            used + 1
        }
        None => 0,
    };
    let boxed = Rect {
        x: area.x + number_width,
        width: area.width.saturating_sub(number_width),
        ..area
    };
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true));
    let inner = block.inner(boxed);
    block.render(boxed, buf);
    let max = usize::from(inner.width.saturating_sub(2));
    let lines = [
        Line::from(Span::styled(fitted(title, max), theme.title(false))),
        Line::from(Span::styled(truncate(detail, max), theme.muted())),
    ];
    for (row, line) in (0u16..).zip(lines) {
        if row < inner.height {
            let rect = Rect::new(inner.x + 1, inner.y + row, inner.width.saturating_sub(2), 1);
            line.render(rect, buf);
        }
    }
}

fn big(buf: &mut Buffer, area: Rect, text: &str, size: PixelSize, theme: Theme) {
    BigText::builder()
        .pixel_size(size)
        .style(theme.big_title())
        .lines(vec![Line::from(text.to_string())])
        .build()
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(buf: &Buffer) -> Vec<String> {
        let area = buf.area;
        (area.top()..area.bottom())
            .map(|y| {
                let mut row = String::new();
                let mut skip = 0;
                for x in area.left()..area.right() {
                    let symbol = buf[(x, y)].symbol();
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    skip = width(symbol).saturating_sub(1);
                    row.push_str(symbol);
                }
                row
            })
            .collect()
    }

    #[test]
    fn letter_spacing_separates_hangul_and_keeps_ascii_runs() {
        assert_eq!(letter_spaced("트래픽 전환"), "트 래 픽  전 환");
        assert_eq!(
            letter_spaced("제어 (80/20 → 0/100)"),
            "제 어  (80/20 → 0/100)"
        );
        assert_eq!(letter_spaced("Istio 설치"), "Istio  설 치");
        assert_eq!(letter_spaced("(Bookinfo와 제거)"), "(Bookinfo와  제 거)");
    }

    #[test]
    fn ascii_titles_are_drawn_in_the_big_font() {
        let area = Rect::new(0, 0, 60, HEIGHT);
        let mut buf = Buffer::empty(area);
        draw(&mut buf, area, 7, "Canary", "", Theme::new(false));
        let text = rows(&buf).concat();
        assert!(text.contains('█') || text.contains('▀') || text.contains('▄'));
        assert!(!text.contains("Canary"), "drawn as glyphs, not letters");
    }

    #[test]
    fn hangul_titles_get_the_big_number_and_a_whole_box() {
        let area = Rect::new(0, 0, 50, HEIGHT);
        let mut buf = Buffer::empty(area);
        draw(
            &mut buf,
            area,
            7,
            "트래픽 전환",
            "레슨 7/9",
            Theme::new(false),
        );
        let rows = rows(&buf);
        assert!(rows[1].contains("트 래 픽  전 환"), "{rows:#?}");
        assert!(rows[2].contains("레슨 7/9"), "{rows:#?}");
        assert!(rows[0].contains('┏') && rows[0].ends_with('┓'), "{rows:#?}");
        assert!(rows[3].contains('┗') && rows[3].ends_with('┛'), "{rows:#?}");
        // The number's glyph is drawn in the first eight columns.
        assert!(rows.iter().any(|r| r.chars().take(8).any(|c| c != ' ')));
    }

    #[test]
    fn a_long_hangul_title_loses_spacing_then_letters_but_keeps_its_box() {
        let title = "정리하기 (Bookinfo와 Istio 제거)";
        for columns in [MIN_WIDTH, 30, 40, 60] {
            let area = Rect::new(0, 0, columns, HEIGHT);
            let mut buf = Buffer::empty(area);
            draw(&mut buf, area, 9, title, "", Theme::new(false));
            let rows = rows(&buf);
            assert!(rows[1].ends_with('┃'), "{columns}: {rows:#?}");
            assert!(rows[0].ends_with('┓'), "{columns}: {rows:#?}");
        }
    }

    #[test]
    fn a_number_is_drawn_whole_or_not_at_all() {
        let narrow = Rect::new(0, 0, 30, HEIGHT);
        let mut buf = Buffer::empty(narrow);
        draw(&mut buf, narrow, 100, "제목", "", Theme::new(false));
        assert!(rows(&buf)[0].starts_with('┏'), "{:#?}", rows(&buf));
        let wide = Rect::new(0, 0, 80, HEIGHT);
        let mut buf = Buffer::empty(wide);
        draw(&mut buf, wide, 100, "제목", "", Theme::new(false));
        let rows = rows(&buf);
        assert_eq!(
            rows[0].chars().position(|c| c == '┏'),
            Some(25),
            "{rows:#?}"
        );
    }

    #[test]
    fn too_small_an_area_draws_nothing() {
        let area = Rect::new(0, 0, MIN_WIDTH - 1, HEIGHT);
        let mut buf = Buffer::empty(area);
        draw(&mut buf, area, 1, "제목", "", Theme::new(false));
        assert!(rows(&buf).iter().all(|r| r.trim().is_empty()));
    }

    proptest::proptest! {
        /// Whatever the title and width, the banner has no cut wide character and, when
        /// boxed, a whole box: the right border shows on every row.
        #[test]
        fn any_title_gives_a_whole_banner(
            title in "[가-힣A-Za-z0-9 ().→/]{0,40}",
            columns in MIN_WIDTH..120,
            number in 1usize..120,
        ) {
            let area = Rect::new(0, 0, columns, HEIGHT);
            let mut buf = Buffer::empty(area);
            draw(&mut buf, area, number, &title, "레슨 1/9 · 단계 0/3", Theme::new(true));
            let rows = rows(&buf);
            for row in &rows {
                proptest::prop_assert!(width(row) <= usize::from(columns), "{:?}", rows);
            }
            if big_size(&format!("{number}. {title}"), columns).is_none() {
                proptest::prop_assert!(rows[0].ends_with('┓'), "{:?}", rows);
                proptest::prop_assert!(rows[1].ends_with('┃'), "{:?}", rows);
                proptest::prop_assert!(rows[2].ends_with('┃'), "{:?}", rows);
                proptest::prop_assert!(rows[3].ends_with('┛'), "{:?}", rows);
            }
        }
    }
}
