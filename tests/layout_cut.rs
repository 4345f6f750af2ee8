//! Nothing on screen is cut without an ellipsis, at 100×30, 120×40 and 200×50, for every
//! lesson over a lab with Bookinfo's reviews pods and the 80/20 route.
//!
//! "Cut" here: every word on screen (text between blanks, borders, bars and scrollbars) must
//! be a word of the same screen drawn at 400×80, where nothing needs cutting, unless it ends
//! (or starts) with `…`, or runs into a `↪` continuation row. A line clipped at a pane's edge
//! leaves a word that is only a prefix of a real one ("VirtualServ"), and fails.

mod common;

use std::collections::BTreeSet;

use common::{key, lab, lesson_index, send};
use crossterm::event::KeyCode;
use istio_lab::app::{Model, Msg};
use istio_lab::features::traffic::model::SendState;
use istio_lab::features::traffic::probe::Served;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 4] = [(80, 24), (100, 30), (120, 40), (200, 50)];
const REFERENCE: (u16, u16) = (400, 80);

/// Borders, bars, scrollbars and blanks separate words; they are never part of one.
fn separates(c: char) -> bool {
    c.is_whitespace() || ('\u{2500}'..='\u{259F}').contains(&c)
}

fn draw(m: &Model) -> Buffer {
    let area = m.area();
    let mut terminal = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    terminal
        .draw(|frame| istio_lab::app::view::draw(frame, m))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The rows of `rect` as text, a wide character once.
fn rows(buffer: &Buffer, rect: Rect) -> Vec<String> {
    (rect.y..rect.bottom())
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in rect.x..rect.right() {
                let symbol = buffer[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

fn words(row: &str) -> Vec<&str> {
    row.split(separates).filter(|w| !w.is_empty()).collect()
}

/// The screen's regions: header, status bar and each pane on screen, borders included.
fn regions(m: &Model) -> Vec<(String, Rect)> {
    let layout = &m.layout;
    let mut out = vec![
        ("header".to_string(), layout.header),
        ("status".to_string(), layout.status),
    ];
    for pane in istio_lab::ui::layout::Pane::ALL {
        if let Some(rect) = layout.pane(pane) {
            out.push((format!("{pane:?}"), rect));
        }
    }
    if let Some(title) = m.presenter.title_area {
        out.push(("presenter title".to_string(), title));
    }
    out
}

/// The words of `rows` not found whole in `reference`, with their region and row.
fn cut_words(region: &str, rows: &[String], reference: &BTreeSet<String>) -> Vec<String> {
    let known = |word: &str| {
        // A narrow table is drawn as "name: value" rows; the label's colon is not a cut.
        reference.contains(word) || reference.contains(word.trim_end_matches(':'))
    };
    let listed: Vec<Vec<&str>> = rows.iter().map(|row| words(row)).collect();
    let mut cut = Vec::new();
    for (index, list) in listed.iter().enumerate() {
        let next = listed.get(index + 1).and_then(|l| l.first());
        let previous = index.checked_sub(1).and_then(|i| listed[i].last());
        let continued = next == Some(&"↪");
        let continues = list.first() == Some(&"↪");
        for (position, word) in list.iter().enumerate() {
            let (first, last) = (position == 0, position + 1 == list.len());
            // Markers and bullets ("▸", "↪", "·") carry no text that could be lost.
            let text = word.chars().any(char::is_alphanumeric);
            let whole = !text || known(word) || word.ends_with('…') || word.starts_with('…');
            // A word longer than a row goes on whole on the next one ("https://…" hard-wrapped),
            // and a code line wrapped with a visible `↪` goes on below.
            let wrapped = (continued && last)
                || (continues && position == 1)
                || (last && next.is_some_and(|n| known(&format!("{word}{n}"))))
                || (first && previous.is_some_and(|p| known(&format!("{p}{word}"))));
            if !whole && !wrapped {
                cut.push(format!(
                    "{region} row {index}: {word:?} in {:?}",
                    rows[index]
                ));
            }
        }
    }
    cut
}

/// The lab at `width`×`height`, on lesson `id` with the lesson focused, then `setup`.
fn lab_at(width: u16, height: u16, id: &str, setup: &dyn Fn(&mut Model)) -> Model {
    let mut m = lab();
    m.cluster.now = jiff::Timestamp::UNIX_EPOCH + std::time::Duration::from_secs(161);
    send(&mut m, Msg::Resize { width, height });
    key(&mut m, KeyCode::F(1));
    let target = lesson_index(&m, id);
    while m.lesson.index < target {
        key(&mut m, KeyCode::Right);
    }
    setup(&mut m);
    m
}

fn problems(id: &str, sizes: &[(u16, u16)], setup: &dyn Fn(&mut Model)) -> Vec<String> {
    let reference = draw(&lab_at(REFERENCE.0, REFERENCE.1, id, setup));
    let known: BTreeSet<String> = rows(&reference, reference.area)
        .iter()
        .flat_map(|row| {
            words(row)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = Vec::new();
    for &(w, h) in sizes {
        let m = lab_at(w, h, id, setup);
        let buffer = draw(&m);
        for (name, rect) in regions(&m) {
            let region = format!("{id} {w}x{h} {name}");
            out.extend(cut_words(&region, &rows(&buffer, rect), &known));
        }
    }
    out
}

#[test]
fn the_check_finds_a_line_clipped_at_a_pane_edge() {
    let known: BTreeSet<String> = ["VirtualService", "reviews", "마지막"]
        .map(String::from)
        .into();
    let clipped = vec!["│ VirtualService reviews · 마지│".to_string()];
    let found = cut_words("pane", &clipped, &known);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("\"마지\""), "{found:?}");
    let fine = vec![
        "│ VirtualService revi… │".to_string(),
        "│ $ echo VirtualServ   │".to_string(),
        "│ ↪ ice reviews        │".to_string(),
    ];
    let found = cut_words("pane", &fine, &known);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("\"echo\""), "{found:?}");
}

#[test]
fn every_lesson_shows_every_word_whole_or_with_an_ellipsis() {
    let m = lab();
    let ids: Vec<String> = m.lessons.iter().map(|l| l.id.clone()).collect();
    assert_eq!(ids.len(), 9);
    let mut found = Vec::new();
    for id in &ids {
        found.extend(problems(id, &SIZES, &|_| {}));
    }
    assert!(
        found.is_empty(),
        "{} cut:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_pane_focused_with_a_running_shell_and_presenting_shows_every_word_whole() {
    let ids: Vec<String> = lab().lessons.iter().map(|l| l.id.clone()).collect();
    let focus = |code: KeyCode| {
        move |m: &mut Model| {
            let mut effects = Vec::new();
            istio_lab::features::shell::update::start(
                &mut m.shell,
                common::shell::spec(),
                &mut effects,
            );
            key(m, code);
        }
    };
    let mut found = Vec::new();
    for id in &ids {
        for code in [
            KeyCode::F(2),
            KeyCode::F(3),
            KeyCode::F(4),
            KeyCode::Char('P'),
        ] {
            found.extend(problems(id, &SIZES, &focus(code)));
        }
    }
    assert!(
        found.is_empty(),
        "{} cut:\n{}",
        found.len(),
        found.join("\n")
    );
}

const REFUSAL: &str = "VirtualService.networking.istio.io \"reviews\" is invalid: spec.http[0].route: weights must add up to 100";

#[test]
fn traffic_results_and_failures_are_whole_at_80_100_and_120_columns() {
    let setup = |m: &mut Model| {
        // On a narrow screen the traffic pane is shown when focused.
        key(m, KeyCode::F(3));
        m.traffic.send = SendState::Failed(istio_lab::features::traffic::model::SendError {
            code: Some(422),
            message: REFUSAL.into(),
        });
        m.traffic.probe.on = true;
        m.traffic.probe.rate = 5;
        m.traffic.probe.via = Some("http://127.0.0.1:8080/productpage".into());
        for second in 0..40 {
            m.traffic
                .observed
                .record(second, Served::Version("v1".into()));
        }
    };
    let sizes = [(80, 24), (100, 30), (120, 40)];
    for (w, h) in sizes {
        let m = lab_at(w, h, "traffic-shifting", &setup);
        let pane = m
            .layout
            .traffic
            .expect("the focused traffic pane is on screen");
        let shown: Vec<String> = rows(&draw(&m), pane)
            .iter()
            .flat_map(|row| {
                words(row)
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        for word in words(REFUSAL) {
            assert!(
                shown.iter().any(|s| s == word),
                "{w}x{h}: {word:?} not in {shown:?}"
            );
        }
    }
    let found = problems("traffic-shifting", &sizes, &setup);
    assert!(
        found.is_empty(),
        "{} cut:\n{}",
        found.len(),
        found.join("\n")
    );
}
