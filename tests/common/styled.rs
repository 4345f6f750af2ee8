//! The screen with its colours, for snapshots where the theme matters: each row's text, then
//! the row's styles as runs (`a12 b3`: twelve cells of style a, three of b), with a legend of
//! what each letter is (foreground, background, attributes) at the top.
#![allow(dead_code)]

use istio_lab::app::Model;
use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

/// The buffer the runtime would draw for `model`.
pub fn buffer(model: &Model) -> Buffer {
    let area = model.area();
    let backend = ratatui::backend::TestBackend::new(area.width, area.height);
    let mut terminal = ratatui::Terminal::new(backend).expect("a test backend always opens");
    terminal
        .draw(|frame| istio_lab::app::view::draw(frame, model))
        .expect("drawing into a test backend never fails");
    terminal.backend().buffer().clone()
}

fn color(c: Option<Color>) -> String {
    match c {
        None | Some(Color::Reset) => "-".into(),
        Some(Color::Rgb(r, g, b)) => format!("#{r:02x}{g:02x}{b:02x}"),
        Some(other) => format!("{other:?}").to_lowercase(),
    }
}

/// A cell's look: foreground, background and the attributes that change how it reads.
pub fn look(cell: &Cell) -> String {
    let mut text = format!("fg {} bg {}", color(Some(cell.fg)), color(Some(cell.bg)));
    for (flag, name) in [
        (Modifier::BOLD, "bold"),
        (Modifier::DIM, "dim"),
        (Modifier::ITALIC, "italic"),
        (Modifier::UNDERLINED, "underline"),
        (Modifier::REVERSED, "reversed"),
    ] {
        if cell.modifier.contains(flag) {
            text.push(' ');
            text.push_str(name);
        }
    }
    text
}

/// One row as a terminal shows it: a wide character once, its hidden second cell dropped.
pub fn row_text(buffer: &Buffer, y: u16) -> String {
    let mut row = String::new();
    let mut skip = 0;
    for x in buffer.area.left()..buffer.area.right() {
        let symbol = buffer[(x, y)].symbol();
        if skip > 0 {
            skip -= 1;
            continue;
        }
        skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        row.push_str(symbol);
    }
    row
}

/// The cell whose look a terminal shows at `(x, y)`: the one before when a wide character
/// there covers this one.
pub fn shown_cell(buffer: &Buffer, x: u16, y: u16) -> (u16, u16) {
    let mut start = buffer.area.left();
    let mut covering = (x, y);
    while start <= x {
        let w = unicode_width::UnicodeWidthStr::width(buffer[(start, y)].symbol()).max(1);
        if usize::from(start) + w > usize::from(x) {
            covering = (start, y);
            break;
        }
        start += u16::try_from(w).unwrap_or(1);
    }
    covering
}

/// The text and colour notation of a whole buffer.
pub fn styled(buffer: &Buffer) -> String {
    const KEYS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut legend: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for y in buffer.area.top()..buffer.area.bottom() {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for x in buffer.area.left()..buffer.area.right() {
            // The hidden second half of a wide character shows in the first half's colours.
            let look = look(&buffer[shown_cell(buffer, x, y)]);
            let key = match legend.iter().position(|l| *l == look) {
                Some(key) => key,
                None => {
                    legend.push(look);
                    legend.len() - 1
                }
            };
            match runs.last_mut() {
                Some((k, n)) if *k == key => *n += 1,
                _ => runs.push((key, 1)),
            }
        }
        let key = |k: usize| KEYS.chars().nth(k).map_or(format!("[{k}]"), String::from);
        let runs: Vec<String> = runs
            .iter()
            .map(|(k, n)| format!("{}{n}", key(*k)))
            .collect();
        rows.push(format!("{:?}\n    {}", row_text(buffer, y), runs.join(" ")));
    }
    let legend: Vec<String> = legend
        .iter()
        .enumerate()
        .map(|(k, look)| {
            let key = KEYS.chars().nth(k).map_or(format!("[{k}]"), String::from);
            format!("{key} = {look}")
        })
        .collect();
    format!("{}\n\n{}\n", legend.join("\n"), rows.join("\n"))
}

/// The screen of `model` with its colours.
pub fn styled_screen(model: &Model) -> String {
    styled(&buffer(model))
}
