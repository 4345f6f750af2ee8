//! The shell pane in update: focus (F4, Tab, the escape key), keys and pastes becoming bytes
//! for the pty, and the sizes the pty is told.

mod common;

use common::shell::{spec, with_shell, writes};
use common::{ctrl, key, send};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use istio_lab::app::{Effect, Msg};
use istio_lab::features::shell::{ShellEffect, ShellMsg, ShellState};
use istio_lab::ui::layout::Pane;

#[test]
fn the_shell_starts_at_its_pane_size_and_follows_resizes() {
    let (mut m, effects) = with_shell(120, 40);
    let pane = m.layout.shell.expect("all four panes show at 120x40");
    let (rows, cols) = (pane.height - 2, pane.width - 2);
    assert_eq!(
        effects,
        vec![Effect::Shell(ShellEffect::Spawn {
            session: 1,
            spec: spec(),
            rows,
            cols
        })]
    );
    let effects = send(
        &mut m,
        Msg::Resize {
            width: 200,
            height: 50,
        },
    );
    let pane = m.layout.shell.expect("shown at 200x50");
    let resized = ShellEffect::Resize {
        rows: pane.height - 2,
        cols: pane.width - 2,
    };
    assert_eq!(effects, vec![Effect::Shell(resized)]);
    assert_eq!(m.shell.screen().size(), (pane.height - 2, pane.width - 2));
    // z is typed into the shell while it has the keys; zoom is kept across F-keys, so z in
    // another pane and then F4 shows the shell alone, and the pty hears the new size once.
    key(&mut m, KeyCode::F(4));
    let effects = key(&mut m, KeyCode::Char('z'));
    assert_eq!(writes(&effects), vec![b"z".to_vec()]);
    assert!(!m.zoomed);
    key(&mut m, KeyCode::F(1));
    // A hidden shell already takes the size it has alone on screen.
    let mut effects = key(&mut m, KeyCode::Char('z'));
    effects.extend(key(&mut m, KeyCode::F(4)));
    assert_eq!(
        m.layout.shell,
        Some(ratatui::layout::Rect::new(0, 1, 200, 48))
    );
    assert_eq!(
        effects,
        vec![Effect::Shell(ShellEffect::Resize {
            rows: 46,
            cols: 198
        })]
    );
    assert!(
        send(
            &mut m,
            Msg::Resize {
                width: 200,
                height: 50
            }
        )
        .is_empty()
    );
}

#[test]
fn tab_cycles_through_four_panes_and_the_shell_keeps_tab() {
    let (mut m, _) = with_shell(120, 40);
    assert_eq!(m.focus, Pane::Lesson);
    for expected in [Pane::Cluster, Pane::Traffic, Pane::Shell] {
        key(&mut m, KeyCode::Tab);
        assert_eq!(m.focus, expected);
    }
    // Completion needs Tab: in the shell it is a key for the shell, not for the app.
    let effects = key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Shell);
    assert_eq!(writes(&effects), vec![b"\t".to_vec()]);
    key(&mut m, KeyCode::F(1));
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Shell);
}

#[test]
fn keys_go_to_the_shell_and_the_escape_key_returns_focus() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(2));
    key(&mut m, KeyCode::F(4));
    assert_eq!(m.focus, Pane::Shell);
    let mut typed = Vec::new();
    for c in "q한".chars() {
        typed.extend(writes(&key(&mut m, KeyCode::Char(c))));
    }
    typed.extend(writes(&key(&mut m, KeyCode::Enter)));
    typed.extend(writes(&ctrl(&mut m, 'c')));
    typed.extend(writes(&ctrl(&mut m, 'z')));
    assert_eq!(typed.concat(), "q한\r\x03\x1a".as_bytes());
    assert!(!m.quit, "q and Ctrl-C belong to the shell");
    // Ctrl-] goes back to the pane the learner came from.
    let effects = ctrl(&mut m, ']');
    assert!(writes(&effects).is_empty());
    assert_eq!(m.focus, Pane::Cluster);
    // Legacy terminals report Ctrl-] as Ctrl-5.
    key(&mut m, KeyCode::F(4));
    ctrl(&mut m, '5');
    assert_eq!(m.focus, Pane::Cluster);
}

#[test]
fn function_keys_work_from_the_shell() {
    let (mut m, _) = with_shell(80, 24);
    key(&mut m, KeyCode::F(4));
    assert_eq!(m.focus, Pane::Shell);
    assert!(m.layout.shell.is_some(), "alone on a small screen");
    for (n, pane) in [(1, Pane::Lesson), (4, Pane::Shell), (3, Pane::Traffic)] {
        let effects = key(&mut m, KeyCode::F(n));
        assert_eq!(m.focus, pane);
        assert!(writes(&effects).is_empty());
    }
}

#[test]
fn paste_is_bracketed_when_the_shell_asked_for_it() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(4));
    let plain = send(&mut m, Msg::Paste("ls\nid".into()));
    assert_eq!(writes(&plain), vec![b"ls\rid".to_vec()]);
    let output = ShellMsg::Output {
        session: 1,
        bytes: b"\x1b[?2004h$ ".to_vec(),
    };
    send(&mut m, Msg::Shell(output));
    let bracketed = send(&mut m, Msg::Paste("ls\nid".into()));
    assert_eq!(
        writes(&bracketed),
        vec![b"\x1b[200~ls\rid\x1b[201~".to_vec()]
    );
}

#[test]
fn the_mouse_wheel_scrolls_the_shell_back() {
    let (mut m, _) = with_shell(120, 40);
    let lines: String = (0..100).map(|i| format!("line {i}\r\n")).collect();
    let output = ShellMsg::Output {
        session: 1,
        bytes: lines.into_bytes(),
    };
    send(&mut m, Msg::Shell(output));
    let pane = m.layout.shell.expect("shown");
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: pane.x + 3,
            row: pane.y + 3,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut m, wheel(MouseEventKind::ScrollUp));
    send(&mut m, wheel(MouseEventKind::ScrollUp));
    assert_eq!(m.shell.screen().scrollback(), 6);
    send(&mut m, wheel(MouseEventKind::ScrollDown));
    assert_eq!(m.shell.screen().scrollback(), 3);
}

#[test]
fn an_ended_shell_is_reported_and_enter_starts_a_new_one() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(4));
    let exited = ShellMsg::Exited {
        session: 1,
        code: 3,
        signal: None,
    };
    send(&mut m, Msg::Shell(exited));
    assert_eq!(
        m.shell.state,
        ShellState::Exited {
            code: 3,
            signal: None
        }
    );
    let rows = common::screen_rows(&m);
    assert!(
        rows.iter()
            .any(|r| r.contains("셸이 끝났습니다 (종료 코드 3). Enter: 새 셸 시작")),
        "{rows:#?}"
    );
    assert!(
        key(&mut m, KeyCode::Char('x')).is_empty(),
        "no shell to type into"
    );
    // Without a shell the pane takes the app's keys: Tab moves on, F4 comes back.
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Lesson);
    key(&mut m, KeyCode::F(4));
    let effects = key(&mut m, KeyCode::Enter);
    assert!(matches!(
        effects.as_slice(),
        [Effect::Shell(ShellEffect::Spawn { session: 2, .. })]
    ));
    assert!(m.shell.running());
    // The escape key works whether a shell runs or not.
    send(
        &mut m,
        Msg::Shell(ShellMsg::Exited {
            session: 2,
            code: 0,
            signal: None,
        }),
    );
    ctrl(&mut m, ']');
    assert_eq!(m.focus, Pane::Lesson);
}

#[test]
fn shift_page_keys_scroll_and_are_not_typed() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(4));
    let lines: String = (0..100).map(|i| format!("{i}\r\n")).collect();
    send(
        &mut m,
        Msg::Shell(ShellMsg::Output {
            session: 1,
            bytes: lines.into_bytes(),
        }),
    );
    let shift_up = Msg::Key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::SHIFT));
    assert!(send(&mut m, shift_up).is_empty());
    assert!(m.shell.screen().scrollback() > 0);
    let page_up = key(&mut m, KeyCode::PageUp);
    assert_eq!(writes(&page_up), vec![b"\x1b[5~".to_vec()]);
    assert_eq!(
        m.shell.screen().scrollback(),
        0,
        "typing returns to the prompt"
    );
}
