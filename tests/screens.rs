//! Whole-screen snapshots of the TUI at 80×24 and 120×40.

mod common;

use common::{key, lab, lesson_index, model, screen, send};
use crossterm::event::KeyCode;
use istio_lab::app::Model;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn open(width: u16, height: u16, id: &str) -> Model {
    let mut m = model(width, height);
    for _ in 0..lesson_index(&m, id) {
        key(&mut m, KeyCode::Right);
    }
    m
}

#[test]
fn download_lesson() {
    insta::assert_snapshot!("download_80x24", screen(&open(80, 24, "download")));
    insta::assert_snapshot!("download_120x40", screen(&open(120, 40, "download")));
}

#[test]
fn traffic_shifting_with_a_selected_code_block() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut m = open(w, h, "traffic-shifting");
        key(&mut m, KeyCode::Char('c'));
        assert!(m.lesson.selected_code.is_some());
        insta::assert_snapshot!(format!("traffic_shifting_code_{w}x{h}"), screen(&m));
    }
}

#[test]
fn ingress_address_with_the_table_of_contents_open() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut m = open(w, h, "ingress-address");
        key(&mut m, KeyCode::Char('t'));
        insta::assert_snapshot!(format!("toc_{w}x{h}"), screen(&m));
    }
}

#[test]
fn help_overlay_and_too_small_notice() {
    let mut m = open(80, 24, "bookinfo");
    key(&mut m, KeyCode::Char('?'));
    insta::assert_snapshot!("help_80x24", screen(&m));
    let mut m = model(120, 40);
    send(
        &mut m,
        istio_lab::app::Msg::Resize {
            width: 59,
            height: 19,
        },
    );
    insta::assert_snapshot!("too_small_59x19", screen(&m));
}

#[test]
fn no_color_uses_no_colours_at_all() {
    use ratatui::style::Color;
    let colours = |m: &Model| {
        let area = m.area();
        let mut terminal = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
        terminal
            .draw(|frame| istio_lab::app::view::draw(frame, m))
            .unwrap();
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .filter(|cell| cell.fg != Color::Reset || cell.bg != Color::Reset)
            .count()
    };
    let mut m = open(120, 40, "bookinfo");
    key(&mut m, KeyCode::Char('c'));
    assert!(colours(&m) > 0);
    m.color = false;
    assert_eq!(colours(&m), 0);
}

#[test]
fn the_live_lab_with_bookinfo_pods_and_the_80_20_split() {
    let mut m = lab();
    // Ages are relative to a fixed clock so the snapshot does not change from run to run.
    m.cluster.now = jiff::Timestamp::UNIX_EPOCH + std::time::Duration::from_secs(161);
    insta::assert_snapshot!("live_lab_120x40", screen(&m));
    key(&mut m, KeyCode::Char('2'));
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Right);
    insta::assert_snapshot!("live_lab_after_keys_120x40", screen(&m));
}
