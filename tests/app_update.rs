//! The pure update function, driven with key and mouse messages, without a runtime or terminal.

mod common;

use common::{key, model, model_with_progress, send};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use istio_lab::app::msg::Signal;
use istio_lab::app::{Effect, Msg};
use istio_lab::features::lesson::msg::LessonEffect;
use istio_lab::features::lesson::progress::Progress;
use istio_lab::ui::layout::Arrangement;
use istio_lab::ui::layout::Pane;

fn saved(effects: &[Effect]) -> Option<&Progress> {
    effects.iter().find_map(|e| match e {
        Effect::Lesson(LessonEffect::SaveProgress(p)) => Some(p),
        _ => None,
    })
}

#[test]
fn arrows_and_n_p_move_between_lessons_and_save_progress() {
    let mut m = model(120, 40);
    assert_eq!(m.lesson.index, 0);
    let effects = key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 1);
    assert_eq!(
        saved(&effects).map(|p| p.lesson.as_str()),
        Some(m.lessons[1].id.as_str())
    );
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(m.lesson.index, 2);
    key(&mut m, KeyCode::Char('p'));
    key(&mut m, KeyCode::Left);
    assert_eq!(m.lesson.index, 0);
    // Bounds hold at both ends.
    let effects = key(&mut m, KeyCode::Left);
    assert_eq!(m.lesson.index, 0);
    assert!(saved(&effects).is_none());
    for _ in 0..20 {
        key(&mut m, KeyCode::Right);
    }
    assert_eq!(m.lesson.index, m.lessons.len() - 1);
}

#[test]
fn a_status_message_does_not_outlive_its_lesson() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('y'));
    assert!(
        m.toast.is_some(),
        "y without a highlighted block explains itself"
    );
    key(&mut m, KeyCode::Right);
    assert!(m.toast.is_none());
}

#[test]
fn scrolling_is_bounded_by_the_rendered_length() {
    let mut m = model(80, 24);
    let max = m.lesson.max_scroll();
    assert!(max > 0, "lesson 1 is longer than one screen at 80x24");
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Char('j'));
    assert_eq!(m.lesson.scroll, 2);
    key(&mut m, KeyCode::Char('k'));
    assert_eq!(m.lesson.scroll, 1);
    key(&mut m, KeyCode::PageDown);
    assert_eq!(
        m.lesson.scroll,
        (1 + usize::from(m.lesson.height) - 1).min(max)
    );
    let effects = key(&mut m, KeyCode::End);
    assert_eq!(m.lesson.scroll, max);
    assert_eq!(saved(&effects).map(|p| p.scroll), Some(max));
    key(&mut m, KeyCode::Down);
    assert_eq!(m.lesson.scroll, max);
    key(&mut m, KeyCode::Home);
    assert_eq!(m.lesson.scroll, 0);
    key(&mut m, KeyCode::Up);
    assert_eq!(m.lesson.scroll, 0);
}

#[test]
fn mouse_wheel_scrolls_the_lesson_and_a_click_focuses_a_pane() {
    let mut m = model(120, 40);
    let lesson = m.layout.lesson.unwrap();
    let wheel = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(
        &mut m,
        wheel(MouseEventKind::ScrollDown, lesson.x + 3, lesson.y + 3),
    );
    assert_eq!(m.lesson.scroll, 3);
    send(
        &mut m,
        wheel(MouseEventKind::ScrollUp, lesson.x + 3, lesson.y + 3),
    );
    assert_eq!(m.lesson.scroll, 0);
    let traffic = m.layout.traffic.unwrap();
    send(
        &mut m,
        wheel(
            MouseEventKind::Down(MouseButton::Left),
            traffic.x + 2,
            traffic.y + 2,
        ),
    );
    assert_eq!(m.focus, Pane::Traffic);
    // The wheel over another pane does not scroll the lesson.
    send(
        &mut m,
        wheel(MouseEventKind::ScrollDown, traffic.x + 2, traffic.y + 2),
    );
    assert_eq!(m.lesson.scroll, 0);
}

#[test]
fn focus_cycles_with_tab_and_jumps_with_function_keys() {
    let mut m = model(80, 24);
    assert_eq!(m.layout.arrangement(), Arrangement::Single);
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Cluster);
    assert!(m.layout.lesson.is_none() && m.layout.cluster.is_some());
    key(&mut m, KeyCode::BackTab);
    key(&mut m, KeyCode::BackTab);
    // No shell runs in this model, so the shell pane passes Tab on like the others.
    assert_eq!(m.focus, Pane::Shell);
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Traffic);
    key(&mut m, KeyCode::F(1));
    assert_eq!(m.focus, Pane::Lesson);
    assert!(m.layout.lesson.is_some());
    // Clicking a header tab switches panes in single-pane mode.
    let tab = m.layout.tabs[1];
    send(
        &mut m,
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: tab.x + 1,
            row: tab.y,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(m.focus, Pane::Cluster);
    // Lesson keys do nothing while another pane has the focus.
    key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 0);
}

#[test]
fn z_zooms_the_focused_pane_and_tabs_switch_what_fills_the_screen() {
    let mut m = model(200, 60);
    assert_eq!(m.layout.arrangement(), Arrangement::SideBySide);
    key(&mut m, KeyCode::F(2));
    key(&mut m, KeyCode::Char('z'));
    assert_eq!(m.layout.arrangement(), Arrangement::Single);
    assert_eq!(
        m.layout.cluster.map(|r| (r.width, r.height)),
        Some((200, 58))
    );
    assert!(m.layout.lesson.is_none() && m.layout.traffic.is_none());
    // Zoomed, the focus keys choose which pane fills the screen.
    key(&mut m, KeyCode::F(1));
    assert!(m.layout.lesson.is_some() && m.layout.cluster.is_none());
    key(&mut m, KeyCode::Char('z'));
    assert_eq!(m.layout.arrangement(), Arrangement::SideBySide);
    assert!(m.layout.cluster.is_some() && m.layout.traffic.is_some());
    // The lesson re-wraps to the pane it has now.
    assert_eq!(m.focus, Pane::Lesson);
}

#[test]
fn small_terminals_show_a_notice_and_only_quit_works() {
    let mut m = model(120, 40);
    send(
        &mut m,
        Msg::Resize {
            width: 59,
            height: 20,
        },
    );
    assert_eq!(m.layout.arrangement(), Arrangement::TooSmall);
    key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 0);
    send(
        &mut m,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 1);
    send(
        &mut m,
        Msg::Resize {
            width: 30,
            height: 5,
        },
    );
    key(&mut m, KeyCode::Char('q'));
    assert!(m.quit);
}

#[test]
fn resizing_reflows_the_lesson_for_the_new_width() {
    let mut m = model(200, 60);
    let wide = m.lesson.rendered.lines.len();
    send(
        &mut m,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    let narrow = m.lesson.rendered.lines.len();
    assert!(
        narrow > wide,
        "{narrow} lines at 60 columns vs {wide} at 200"
    );
    let text_width = usize::from(m.lesson.width);
    for line in &m.lesson.rendered.lines {
        assert!(unicode_width::UnicodeWidthStr::width(line.plain().as_str()) <= text_width);
    }
}

#[test]
fn ctrl_c_and_terminate_quit() {
    let mut m = model(80, 24);
    send(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(m.quit);
    assert_eq!(m.exit_code, 0);
    // Signals end the app with the status a shell expects: 128 + the signal's number.
    for (signal, code) in [
        (Signal::Terminate, 143),
        (Signal::Hangup, 129),
        (Signal::Interrupt, 130),
        (Signal::Quit, 131),
    ] {
        let mut m = model(80, 24);
        send(&mut m, Msg::Signal(signal));
        assert!(m.quit);
        assert_eq!(m.exit_code, code, "{signal:?}");
    }
}

#[test]
fn ctrl_z_and_sigtstp_suspend_instead_of_quitting() {
    let mut m = model(80, 24);
    let effects = send(&mut m, Msg::Signal(Signal::Suspend));
    assert_eq!(effects, [Effect::Suspend]);
    assert!(!m.quit);
    let ctrl_z = Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
    assert_eq!(send(&mut m, ctrl_z), [Effect::Suspend]);
    assert!(!m.quit);
}

#[test]
fn remembered_progress_reopens_the_same_lesson_and_scroll() {
    let progress = Progress {
        source: "builtin:ko".into(),
        lesson: "bookinfo".into(),
        scroll: 5,
        ticks: Default::default(),
    };
    let m = model_with_progress(80, 24, Some(progress.clone()));
    assert_eq!(m.lessons[m.lesson.index].id, "bookinfo");
    assert_eq!(m.lesson.scroll, 5);
    // Progress of another lesson source, or of a lesson that no longer exists, is ignored.
    let other = Progress {
        source: "guide:/x.md".into(),
        ..progress.clone()
    };
    assert_eq!(model_with_progress(80, 24, Some(other)).lesson.index, 0);
    let gone = Progress {
        lesson: "removed".into(),
        ..progress
    };
    assert_eq!(model_with_progress(80, 24, Some(gone)).lesson.index, 0);
}

#[test]
fn toasts_expire_only_by_their_own_timer() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('y'));
    let first = m.toast.as_ref().unwrap().id;
    key(&mut m, KeyCode::Char('y'));
    let second = m.toast.as_ref().unwrap().id;
    send(&mut m, Msg::ToastExpired(first));
    assert!(m.toast.is_some());
    send(&mut m, Msg::ToastExpired(second));
    assert!(m.toast.is_none());
}
