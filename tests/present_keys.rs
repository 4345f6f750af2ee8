//! Presenter mode's keys through `update`: `P` in and out, Space revealing steps one by one
//! (and then the next lesson), and what the status bar and header keep from the audience.

mod common;

use common::styled::{buffer, row_text};
use common::{key, lesson_index, model, screen_rows, send};
use crossterm::event::KeyCode;
use istio_lab::app::Model;
use istio_lab::app::msg::Msg;
use istio_lab::ui::theme::{ThemeName, contrast_ratio};

fn at_lesson(m: &mut Model, id: &str) {
    for _ in 0..lesson_index(m, id) {
        key(m, KeyCode::Right);
    }
}

#[test]
fn p_switches_to_contrast_and_back_to_the_theme_before() {
    let mut m = model(100, 30);
    key(&mut m, KeyCode::Char('T'));
    assert_eq!(m.theme, ThemeName::Light);
    key(&mut m, KeyCode::Char('P'));
    assert!(m.presenter.on);
    assert_eq!(m.theme, ThemeName::Contrast);
    assert!(m.presenter.title_area.is_some());
    key(&mut m, KeyCode::Char('P'));
    assert!(!m.presenter.on);
    assert_eq!(m.theme, ThemeName::Light);
    assert_eq!(m.presenter.title_area, None);
    assert!(
        m.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("발표 모드"))
    );
}

#[test]
fn the_big_title_takes_rows_from_the_lesson_pane_and_gives_them_back() {
    let mut m = model(100, 30);
    let pane = m.layout.lesson.expect("the lesson pane is shown");
    let height = m.lesson.text_height;
    key(&mut m, KeyCode::Char('P'));
    let title = m.presenter.title_area.expect("room for the title");
    let presenting = m.layout.lesson.expect("still shown");
    assert_eq!(title.y, pane.y);
    assert_eq!(presenting.y, title.bottom());
    assert_eq!(presenting.bottom(), pane.bottom());
    assert_eq!(
        m.lesson.text_height,
        height - title.height,
        "the viewport follows"
    );
    key(&mut m, KeyCode::Char('P'));
    assert_eq!(m.layout.lesson, Some(pane));
    assert_eq!(m.lesson.text_height, height);
}

#[test]
fn space_reveals_the_steps_one_by_one_then_moves_to_the_next_lesson() {
    let mut m = model(100, 30);
    at_lesson(&mut m, "traffic-shifting");
    let index = m.lesson.index;
    key(&mut m, KeyCode::Char('P'));
    assert_eq!(m.presenter.revealed_steps(index), Some(0));
    for shown in 1..=3 {
        key(&mut m, KeyCode::Char(' '));
        assert_eq!(m.lesson.index, index, "still lesson 7 at step {shown}");
        assert_eq!(m.presenter.revealed_steps(index), Some(shown));
    }
    key(&mut m, KeyCode::Char(' '));
    assert_eq!(
        m.lesson.index,
        index + 1,
        "after the last step comes the next lesson"
    );
    assert_eq!(m.presenter.revealed_steps(index + 1), Some(0));
}

#[test]
fn revealing_a_step_scrolls_its_section_into_view() {
    let mut m = model(100, 30);
    at_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char('P'));
    key(&mut m, KeyCode::Char(' '));
    key(&mut m, KeyCode::Char(' '));
    let rows = screen_rows(&m);
    let pane = m.layout.lesson.expect("shown");
    let body: Vec<&String> = rows[usize::from(pane.y)..].iter().take(8).collect();
    assert!(
        body.iter().any(|r| r.contains("2단계")),
        "{}",
        rows.join("\n")
    );
    assert!(rows[3].contains("단계 2/3"), "{}", rows.join("\n"));
}

#[test]
fn steps_not_yet_revealed_are_dimmed_and_revealed_ones_are_not() {
    let mut m = model(100, 30);
    at_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char('P'));
    key(&mut m, KeyCode::Char(' '));
    let buf = buffer(&m);
    let dim = m.theme.palette().dim;
    let text_fg = |needle: &str| {
        let y = (0..buf.area.height)
            .find(|&y| row_text(&buf, y).contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle}"));
        // The step's number, after the mark: "│ ○ 1. …".
        buf[(4, y)].fg
    };
    assert_ne!(text_fg("1. DestinationRule 먼저"), dim);
    assert_eq!(text_fg("2. 80/20 VirtualService"), dim);
    assert_eq!(text_fg("3. 가중치를"), dim);
    // Dimmed, yet readable on a projector.
    let base = m.theme.palette().base;
    assert!(contrast_ratio(dim, base).is_some_and(|r| r >= 7.0));
}

#[test]
fn without_presenter_mode_every_step_is_shown_and_space_reveals_nothing() {
    let mut m = model(100, 30);
    at_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char(' '));
    assert_eq!(m.presenter.revealed_steps(m.lesson.index), None);
    assert!(!m.presenter.on);
}

#[test]
fn space_in_another_pane_is_that_panes_key() {
    let mut m = model(100, 30);
    key(&mut m, KeyCode::Char('P'));
    key(&mut m, KeyCode::F(3));
    let index = m.lesson.index;
    key(&mut m, KeyCode::Char(' '));
    assert_eq!(m.presenter.revealed_steps(index), Some(0));
}

#[test]
fn key_hints_and_info_are_hidden_but_problems_are_shown() {
    let mut m = model(100, 30);
    let hints = |m: &Model| {
        let rows = screen_rows(m);
        (rows[0].contains('?'), rows[rows.len() - 1].clone())
    };
    let (help, status) = hints(&m);
    assert!(help && status.contains("도움말"), "{status}");
    key(&mut m, KeyCode::Char('P'));
    let (help, status) = hints(&m);
    assert!(!help, "the header's help hint is gone");
    assert_eq!(status.trim(), "", "no key hints");
    let effects = send(
        &mut m,
        Msg::ProgressSaved(Err("디스크가 가득 찼습니다".into())),
    );
    assert!(!effects.is_empty());
    let (_, status) = hints(&m);
    assert!(
        status.contains("디스크가 가득 찼습니다"),
        "a problem still shows: {status}"
    );
    // Typing a search still shows what is typed.
    m.toast = None;
    key(&mut m, KeyCode::Char('/'));
    let (_, status) = hints(&m);
    assert!(status.contains("검색"), "{status}");
}

#[test]
fn the_theme_key_cycles_and_says_which_theme() {
    let mut m = model(100, 30);
    assert_eq!(m.theme, ThemeName::Dark);
    for expected in [ThemeName::Light, ThemeName::Contrast, ThemeName::Dark] {
        key(&mut m, KeyCode::Char('T'));
        assert_eq!(m.theme, expected);
        let toast = m.toast.as_ref().expect("a toast names the theme");
        assert!(toast.text.contains(expected.id()), "{}", toast.text);
    }
}

#[test]
fn the_view_draws_with_the_models_theme() {
    let mut m = model(100, 30);
    let corner = |m: &Model| buffer(m)[(99, 29)].bg;
    assert_eq!(corner(&m), ratatui::style::Color::Reset);
    key(&mut m, KeyCode::Char('T'));
    assert_eq!(corner(&m), ThemeName::Light.palette().base);
    key(&mut m, KeyCode::Char('T'));
    assert_eq!(corner(&m), ThemeName::Contrast.palette().base);
}

#[test]
fn a_tiny_pane_gets_no_big_title_and_nothing_breaks() {
    let mut m = model(60, 20);
    key(&mut m, KeyCode::Char('P'));
    assert!(m.presenter.on);
    let rows = screen_rows(&m);
    assert_eq!(rows.len(), 20);
    send(
        &mut m,
        Msg::Resize {
            width: 60,
            height: 14,
        },
    );
    assert_eq!(m.presenter.title_area, None);
    key(&mut m, KeyCode::Char(' '));
    screen_rows(&m);
}
