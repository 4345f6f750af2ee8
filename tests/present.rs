//! Presenter mode on screen: the big title, dimmed steps not yet revealed, no key hints, in
//! each theme at 100×30 and 80×24, with colours in the snapshots.

mod common;

use common::styled::styled_screen;
use common::{key, lesson_index, model};
use crossterm::event::KeyCode;
use istio_lab::app::Model;
use istio_lab::ui::theme::ThemeName;

const LESSONS: [&str; 3] = ["download", "traffic-shifting", "uninstall"];
const SIZES: [(u16, u16); 2] = [(100, 30), (80, 24)];

/// Lesson `id` in presenter mode with the first step revealed, drawn in `theme`.
fn presenting(width: u16, height: u16, id: &str, theme: ThemeName) -> Model {
    let mut m = model(width, height);
    for _ in 0..lesson_index(&m, id) {
        key(&mut m, KeyCode::Right);
    }
    key(&mut m, KeyCode::Char('P'));
    assert_eq!(
        m.theme,
        ThemeName::Contrast,
        "presenting starts in contrast"
    );
    while m.theme != theme {
        key(&mut m, KeyCode::Char('T'));
    }
    key(&mut m, KeyCode::Char(' '));
    // The theme key's toast is not for the audience; take it away so the snapshot shows
    // the status row as the audience sees it between messages.
    m.toast = None;
    m
}

#[test]
fn presenter_screens_in_every_theme() {
    for theme in ThemeName::ALL {
        for (w, h) in SIZES {
            for id in LESSONS {
                let m = presenting(w, h, id, theme);
                insta::assert_snapshot!(
                    format!("present_{id}_{}_{w}x{h}", theme.id()),
                    styled_screen(&m)
                );
            }
        }
    }
}
