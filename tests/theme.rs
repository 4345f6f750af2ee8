//! Themes on the real screens: every cell the app draws in the light and contrast themes meets
//! the theme's WCAG level, NO_COLOR draws no colour in any theme, and `--theme` /
//! `ISTIO_LAB_THEME` choose the theme or refuse a wrong name clearly.

mod common;

use std::process::Command;

use clap::Parser;
use common::styled::{buffer, shown_cell};
use common::{chars, key, lab, model};
use crossterm::event::KeyCode;
use istio_lab::app::Model;
use istio_lab::app::model::{Confirmation, Overlay};
use istio_lab::cli::Cli;
use istio_lab::ui::theme::{ThemeName, contrast_ratio};
use ratatui::style::{Color, Modifier};

/// Screens that between them use every part of the theme: each lesson with a code block
/// selected and a search, the table of contents, help, a confirmation, the live lab's
/// cluster and traffic panes, the YAML editor, presenter mode, and the too-small notice.
fn screens(theme: ThemeName) -> Vec<(String, Model)> {
    let mut all = Vec::new();
    let themed = |mut m: Model| {
        m.theme = theme;
        m
    };
    let count = model(120, 40).lessons.len();
    for lesson in 0..count {
        let mut m = themed(model(120, 40));
        for _ in 0..lesson {
            key(&mut m, KeyCode::Right);
        }
        key(&mut m, KeyCode::Char('c'));
        key(&mut m, KeyCode::Char('/'));
        chars(&mut m, "istio");
        key(&mut m, KeyCode::Enter);
        all.push((format!("lesson {lesson}"), m));
    }
    let mut m = themed(model(80, 24));
    key(&mut m, KeyCode::Char('t'));
    all.push(("table of contents".into(), m));
    let mut m = themed(model(80, 24));
    key(&mut m, KeyCode::Char('?'));
    all.push(("help".into(), m));
    let mut m = themed(model(80, 24));
    m.overlay = Some(Overlay::Confirm(Confirmation {
        title: "적용할까요?".into(),
        lines: vec!["Deployment reviews-v1 → 네임스페이스 default".into()],
        effects: Vec::new(),
    }));
    all.push(("confirmation".into(), m));
    let mut m = themed(lab());
    m.cluster.now = jiff::Timestamp::UNIX_EPOCH + std::time::Duration::from_secs(161);
    all.push(("live lab".into(), m));
    let mut m = themed(lab());
    key(&mut m, KeyCode::Char('e'));
    assert!(m.editor.is_some(), "the editor opens");
    all.push(("editor".into(), m));
    let mut m = themed(model(100, 30));
    key(&mut m, KeyCode::Char('P'));
    m.theme = theme;
    key(&mut m, KeyCode::Char(' '));
    all.push(("presenter".into(), m));
    let mut m = themed(model(120, 40));
    common::send(
        &mut m,
        istio_lab::app::Msg::Resize {
            width: 50,
            height: 10,
        },
    );
    all.push(("too small".into(), m));
    all
}

#[test]
fn every_cell_of_light_and_contrast_screens_meets_the_themes_contrast() {
    for (theme, minimum) in [(ThemeName::Light, 4.5), (ThemeName::Contrast, 7.0)] {
        let mut checked = 0;
        for (name, m) in screens(theme) {
            let buf = buffer(&m);
            for y in buf.area.top()..buf.area.bottom() {
                for x in buf.area.left()..buf.area.right() {
                    let cell = &buf[(x, y)];
                    // A hidden second half shows its first half; blanks show no text.
                    if shown_cell(&buf, x, y) != (x, y) || cell.symbol().trim().is_empty() {
                        continue;
                    }
                    // How faint DIM is depends on the terminal: no ratio can be promised.
                    assert!(
                        !cell.modifier.contains(Modifier::DIM),
                        "{theme:?} {name}: {:?} at ({x}, {y}) is dim",
                        cell.symbol()
                    );
                    let ratio = contrast_ratio(cell.fg, cell.bg);
                    assert!(
                        ratio.is_some_and(|r| r >= minimum),
                        "{theme:?} {name}: {:?} at ({x}, {y}) is {:?} on {:?}: {ratio:?}",
                        cell.symbol(),
                        cell.fg,
                        cell.bg
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{theme:?}: only {checked} cells");
    }
}

#[test]
fn no_color_draws_no_colour_in_any_theme_even_presenting() {
    for theme in ThemeName::ALL {
        for (name, mut m) in screens(theme) {
            m.color = false;
            let buf = buffer(&m);
            let coloured = buf
                .content()
                .iter()
                .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
                .count();
            assert_eq!(coloured, 0, "{theme:?} {name}");
        }
    }
}

#[test]
fn the_theme_and_presenter_flags_parse_and_a_wrong_theme_is_refused() {
    let cli = Cli::try_parse_from(["istio-lab", "--theme", "light", "--present"]).expect("valid");
    assert_eq!(cli.theme, Some(ThemeName::Light));
    assert!(cli.present);
    let error = Cli::try_parse_from(["istio-lab", "--theme", "neon"]).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("알 수 없는 테마 'neon'"), "{text}");
    assert!(text.contains("dark, light, contrast"), "{text}");
}

#[test]
fn presenting_chooses_contrast_unless_a_theme_was_named() {
    use istio_lab::app::presenter::configure;
    let cases = [
        (None, false, ThemeName::Dark, false),
        (None, true, ThemeName::Contrast, true),
        (Some(ThemeName::Light), true, ThemeName::Light, true),
        (Some(ThemeName::Contrast), false, ThemeName::Contrast, false),
    ];
    for (named, present, theme, on) in cases {
        let mut m = model(100, 30);
        configure(&mut m, named, present);
        assert_eq!(
            (m.theme, m.presenter.on),
            (theme, on),
            "{named:?} {present}"
        );
    }
}

fn run(env: Option<&str>, args: &[&str]) -> (bool, String) {
    let state = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_istio-lab"));
    command
        .args(args)
        .env("HOME", state.path())
        .env("XDG_STATE_HOME", state.path())
        .env_remove("ISTIO_LAB_THEME");
    if let Some(value) = env {
        command.env("ISTIO_LAB_THEME", value);
    }
    let output = command.output().expect("the binary runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn istio_lab_theme_in_the_environment_is_read_and_checked() {
    let (ok, text) = run(Some("contrast"), &["lessons"]);
    assert!(ok, "{text}");
    let (ok, text) = run(Some("neon"), &["lessons"]);
    assert!(!ok);
    assert!(text.contains("알 수 없는 테마 'neon'"), "{text}");
    // The flag wins over the environment.
    let (ok, text) = run(Some("neon"), &["--theme", "dark", "lessons"]);
    assert!(ok, "{text}");
}
