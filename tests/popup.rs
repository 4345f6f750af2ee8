//! A popup drawn over Korean text keeps its whole border: a double-width character straddling
//! either edge loses its orphaned half, so no border cell is hidden on the terminal.

mod common;

use crossterm::event::KeyCode;
use istio_lab::ui::popup::draw_box;
use istio_lab::ui::theme::{Theme, ThemeName};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

const WIDTH: u16 = 40;
const HEIGHT: u16 = 12;

/// What a terminal shows for each cell when ratatui draws `buffer` on it: a wide character
/// covers the cell after it, which is then not drawn at all.
fn visible(buffer: &Buffer, y: u16) -> Vec<Option<String>> {
    let mut shown = vec![None; usize::from(buffer.area.width)];
    let mut x = 0usize;
    while x < shown.len() {
        let symbol = buffer[(x as u16, y)].symbol();
        shown[x] = Some(symbol.to_string());
        x += symbol.width().max(1);
    }
    shown
}

fn background(rows: &[(u16, String)]) -> Buffer {
    let mut buffer = Buffer::empty(Rect::new(0, 0, WIDTH, HEIGHT));
    for (y, (indent, text)) in (0..HEIGHT).zip(rows) {
        buffer.set_stringn(
            *indent,
            y,
            text,
            usize::from(WIDTH),
            ratatui::style::Style::new(),
        );
    }
    buffer
}

/// Every border cell of `rect` holds a border symbol and shows on the terminal as itself.
fn check_border(buffer: &Buffer, rect: Rect) -> Result<(), String> {
    let (left, right) = (rect.left(), rect.right() - 1);
    let (top, bottom) = (rect.top(), rect.bottom() - 1);
    for y in top..=bottom {
        let shown = visible(buffer, y);
        let mut edge = vec![left, right];
        if y == bottom {
            edge.extend(left..=right);
        }
        if y == top {
            edge.extend([left, right]);
        }
        for x in edge {
            let symbol = buffer[(x, y)].symbol();
            let expected: &[&str] = match (x == left, x == right, y == top, y == bottom) {
                (true, _, true, _) => &["╭"],
                (_, true, true, _) => &["╮"],
                (true, _, _, true) => &["╰"],
                (_, true, _, true) => &["╯"],
                (true, _, _, _) | (_, true, _, _) => &["│"],
                _ => &["─"],
            };
            if !expected.contains(&symbol) {
                return Err(format!("({x}, {y}) holds {symbol:?}, not {expected:?}"));
            }
            if shown[usize::from(x)].as_deref() != Some(symbol) {
                return Err(format!(
                    "({x}, {y}) {symbol:?} is hidden by a wide character"
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_border_is_whole_over_any_korean_background(
        rows in proptest::collection::vec((0u16..3, "[가-힣a-z ·]{0,40}"), HEIGHT as usize),
        x in 0u16..WIDTH - 2,
        y in 0u16..HEIGHT - 2,
        w in 2u16..WIDTH,
        h in 2u16..HEIGHT,
        title in "[가-힣a-z ]{0,10}",
        theme in 0usize..3,
    ) {
        let mut buffer = background(&rows);
        let rect = Rect::new(x, y, w.min(WIDTH - x), h.min(HEIGHT - y));
        let theme = Theme::named(ThemeName::ALL[theme], true);
        let inner = draw_box(&mut buffer, rect, &title, theme);
        prop_assert_eq!(inner, Rect::new(rect.x + 1, rect.y + 1, rect.width - 2, rect.height - 2));
        if let Err(problem) = check_border(&buffer, rect) {
            let rows: Vec<String> = (0..HEIGHT)
                .map(|y| visible(&buffer, y).into_iter().flatten().collect())
                .collect();
            prop_assert!(false, "{} in {:?}\n{}", problem, rect, rows.join("\n"));
        }
        // Nothing outside the popup and away from its edges changed.
        let before = background(&rows);
        for yy in 0..HEIGHT {
            for xx in 0..WIDTH {
                let near = xx + 1 >= rect.left() && xx <= rect.right() && yy >= rect.top() && yy < rect.bottom();
                if !near {
                    prop_assert_eq!(buffer[(xx, yy)].symbol(), before[(xx, yy)].symbol());
                }
            }
        }
    }
}

#[test]
fn the_table_of_contents_corner_over_a_korean_title_is_whole() {
    // The case that was seen: "5. 인그레스…" under a box whose corner falls on the second
    // half of 그.
    let mut buffer = Buffer::empty(Rect::new(0, 0, 20, 4));
    for y in 0..4 {
        buffer.set_stringn(0, y, "╭ 5. 인그레스 IP와", 20, ratatui::style::Style::new());
    }
    let rect = Rect::new(8, 0, 10, 4);
    draw_box(&mut buffer, rect, "목차", Theme::new(false));
    assert_eq!(check_border(&buffer, rect), Ok(()));
    let top: String = visible(&buffer, 0).into_iter().flatten().collect();
    assert!(top.starts_with("╭ 5. 인 ╭"), "{top}");
}

#[test]
fn the_editor_and_the_table_of_contents_over_the_app_keep_their_borders() {
    // The editor at 60×20 over the traffic pane, and the table of contents at 80×24 over
    // lesson 5, where the edges fall on Korean text.
    let mut editor = common::lab();
    common::send(
        &mut editor,
        istio_lab::app::Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    common::key(&mut editor, KeyCode::Char('e'));
    assert!(editor.editor.is_some());
    let mut toc = common::model(80, 24);
    for _ in 0..common::lesson_index(&toc, "ingress-address") {
        common::key(&mut toc, KeyCode::Right);
    }
    common::key(&mut toc, KeyCode::Char('t'));
    for (name, m, rect) in [
        ("editor", &editor, Rect::new(3, 1, 54, 18)),
        ("toc", &toc, Rect::new(8, 1, 64, 22)),
    ] {
        let buffer = common::styled::buffer(m);
        assert_eq!(
            buffer[(rect.x, rect.y)].symbol(),
            "╭",
            "{name}: the box is where expected"
        );
        if let Err(problem) = check_border(&buffer, rect) {
            panic!("{name}: {problem}");
        }
    }
}
