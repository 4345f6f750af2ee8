//! The shell pane's update: output into the screen, keys and pastes into bytes for the pty,
//! scrolling back, starting a shell again, and typing a lesson's commands. Pure.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_term::vt100;

use super::keys::{key_bytes, paste_bytes};
use super::model::{SCROLLBACK_LINES, ShellSpec, ShellState, ShellView};
use super::msg::{ShellEffect, ShellMsg};
use crate::app::msg::Effect;

/// Rows Shift-PgUp/PgDn move the view by, and the mouse wheel.
pub const WHEEL_ROWS: isize = 3;

/// Configures the shell and starts it.
pub fn start(shell: &mut ShellView, spec: ShellSpec, effects: &mut Vec<Effect>) {
    shell.spec = Some(spec);
    spawn(shell, effects);
}

/// Starts the configured shell on a fresh screen; the one before, if any, is ended.
pub fn spawn(shell: &mut ShellView, effects: &mut Vec<Effect>) {
    let Some(spec) = shell.spec.clone() else {
        return;
    };
    shell.session += 1;
    shell.state = ShellState::Running;
    let (rows, cols) = shell.screen().size();
    shell.parser = vt100::Parser::new(rows, cols, SCROLLBACK_LINES);
    shell.pty_size = (rows, cols);
    effects.push(Effect::Shell(ShellEffect::Spawn {
        session: shell.session,
        spec,
        rows,
        cols,
    }));
}

pub fn on_msg(shell: &mut ShellView, msg: ShellMsg) {
    match msg {
        ShellMsg::Output { session, bytes } if session == shell.session => {
            // Output keeps a scrolled-back view where it is; vt100 moves it with new lines.
            shell.parser.process(&bytes);
        }
        ShellMsg::Exited {
            session,
            code,
            signal,
        } if session == shell.session => shell.state = ShellState::Exited { code, signal },
        ShellMsg::SpawnFailed { session, reason } if session == shell.session => {
            shell.state = ShellState::Failed(reason);
        }
        // From a shell that was replaced.
        _ => {}
    }
}

/// A key while the shell pane has focus (the app has taken the escape key and F1–F4).
pub fn on_key(shell: &mut ShellView, key: &KeyEvent, effects: &mut Vec<Effect>) {
    if key.modifiers.contains(KeyModifiers::SHIFT) {
        match key.code {
            KeyCode::PageUp => return scroll(shell, page(shell)),
            KeyCode::PageDown => return scroll(shell, -page(shell)),
            _ => {}
        }
    }
    if !shell.running() {
        if key.code == KeyCode::Enter {
            spawn(shell, effects);
        }
        return;
    }
    let app_cursor = shell.screen().application_cursor();
    if let Some(bytes) = key_bytes(key, app_cursor) {
        // Typing brings the view back to the prompt, as terminals do.
        shell.parser.screen_mut().set_scrollback(0);
        effects.push(Effect::Shell(ShellEffect::Write(bytes)));
    }
}

pub fn on_paste(shell: &mut ShellView, text: &str, effects: &mut Vec<Effect>) {
    if shell.running() {
        let bytes = paste_bytes(text, shell.screen().bracketed_paste());
        shell.parser.screen_mut().set_scrollback(0);
        effects.push(Effect::Shell(ShellEffect::Write(bytes)));
    }
}

/// Moves the view `rows` into the scrollback (negative: back towards the prompt).
pub fn scroll(shell: &mut ShellView, rows: isize) {
    let screen = shell.parser.screen_mut();
    let target = screen.scrollback().saturating_add_signed(rows);
    // vt100 clamps to the lines it holds.
    screen.set_scrollback(target);
}

fn page(shell: &ShellView) -> isize {
    // A screen has at most u16::MAX rows, which isize holds on every target Rust supports.
    shell.screen().size().0.saturating_sub(1).max(1) as isize
}

/// The pane's text area is now `rows` × `cols`: the screen follows at once; the pty is told
/// at the end of the update (see [`sync_pty_size`]).
pub fn resize(shell: &mut ShellView, rows: u16, cols: u16) {
    let (rows, cols) = (rows.max(1), cols.max(1));
    if shell.screen().size() != (rows, cols) {
        shell.parser.screen_mut().set_size(rows, cols);
    }
}

/// Tells the pty the screen's size when it changed since it was last told.
pub fn sync_pty_size(shell: &mut ShellView, effects: &mut Vec<Effect>) {
    let size = shell.screen().size();
    if shell.running() && size != shell.pty_size {
        shell.pty_size = size;
        effects.push(Effect::Shell(ShellEffect::Resize {
            rows: size.0,
            cols: size.1,
        }));
    }
}

/// The bytes that type `commands` into the shell, each followed by Enter, so the shell runs
/// them one after another. A command spanning lines (a heredoc) is typed line by line.
pub fn command_bytes(commands: &[String]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for command in commands {
        for line in command.lines() {
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\r');
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ShellSpec {
        ShellSpec {
            program: "/bin/sh".into(),
            args: Vec::new(),
            env: Vec::new(),
            path_prepend: Vec::new(),
            cwd: None,
        }
    }

    #[test]
    fn output_of_a_replaced_shell_is_dropped() {
        let mut shell = ShellView::default();
        let mut effects = Vec::new();
        start(&mut shell, spec(), &mut effects);
        on_msg(
            &mut shell,
            ShellMsg::Output {
                session: 1,
                bytes: b"first".to_vec(),
            },
        );
        spawn(&mut shell, &mut effects);
        on_msg(
            &mut shell,
            ShellMsg::Output {
                session: 1,
                bytes: b"stale".to_vec(),
            },
        );
        assert!(!shell.text().contains("stale"));
        assert!(
            !shell.text().contains("first"),
            "a new shell gets a new screen"
        );
    }

    #[test]
    fn the_view_scrolls_back_and_typing_returns_to_the_prompt() {
        let mut shell = ShellView::default();
        let mut effects = Vec::new();
        start(&mut shell, spec(), &mut effects);
        resize(&mut shell, 5, 20);
        let lines: String = (0..30).map(|i| format!("line {i}\r\n")).collect();
        on_msg(
            &mut shell,
            ShellMsg::Output {
                session: 1,
                bytes: lines.into_bytes(),
            },
        );
        let shift = KeyModifiers::SHIFT;
        on_key(
            &mut shell,
            &KeyEvent::new(KeyCode::PageUp, shift),
            &mut effects,
        );
        assert_eq!(shell.screen().scrollback(), 4);
        assert!(shell.text().starts_with("line 22"), "{}", shell.text());
        effects.clear();
        let key = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        on_key(&mut shell, &key, &mut effects);
        assert_eq!(shell.screen().scrollback(), 0);
        assert_eq!(
            effects,
            vec![Effect::Shell(ShellEffect::Write(b"x".to_vec()))]
        );
    }

    #[test]
    fn commands_are_typed_each_with_enter() {
        let commands = vec!["kubectl get pods".to_string(), "echo 한글".to_string()];
        assert_eq!(
            command_bytes(&commands),
            "kubectl get pods\recho 한글\r".as_bytes().to_vec()
        );
    }
}
