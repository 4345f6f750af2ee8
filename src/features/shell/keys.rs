//! Keys to bytes: what a terminal sends to the program in it for each crossterm key event
//! (xterm's encoding, which `TERM=xterm-256color` announces). Hand-written because the kept
//! terminal crates (vt100, tui-term, portable-pty) only parse output; this is the input half.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The key that leaves the shell pane: Ctrl-] (telnet's escape), which shells and readline
/// leave unbound. Legacy terminals report it as Ctrl-5 (0x1d), the kitty protocol as Ctrl-].
pub fn is_escape_key(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char(']' | '5'))
}

pub const ESCAPE_KEY_LABEL: &str = "Ctrl-]";

/// The bytes for `key`; `app_cursor` is the screen's application cursor mode (DECCKM), in which
/// unmodified arrows and Home/End are sent as SS3 sequences. `None`: the key sends nothing.
pub fn key_bytes(key: &KeyEvent, app_cursor: bool) -> Option<Vec<u8>> {
    let mods = key.modifiers;
    let ctrl = mods.contains(KeyModifiers::CONTROL);
    let alt = mods.contains(KeyModifiers::ALT);
    let shift = mods.contains(KeyModifiers::SHIFT);
    // xterm's modifier parameter: 1 + shift + 2·alt + 4·ctrl.
    let param = 1 + u8::from(shift) + 2 * u8::from(alt) + 4 * u8::from(ctrl);
    let mut bytes = match key.code {
        KeyCode::Char(c) if ctrl => vec![control_byte(c)?],
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Backspace if ctrl => vec![0x08],
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => cursor(b'A', param, app_cursor),
        KeyCode::Down => cursor(b'B', param, app_cursor),
        KeyCode::Right => cursor(b'C', param, app_cursor),
        KeyCode::Left => cursor(b'D', param, app_cursor),
        KeyCode::Home => cursor(b'H', param, app_cursor),
        KeyCode::End => cursor(b'F', param, app_cursor),
        KeyCode::Insert => tilde(2, param),
        KeyCode::Delete => tilde(3, param),
        KeyCode::PageUp => tilde(5, param),
        KeyCode::PageDown => tilde(6, param),
        KeyCode::F(n @ 5..=12) => {
            const CODES: [u8; 8] = [15, 17, 18, 19, 20, 21, 23, 24];
            tilde(CODES[usize::from(n - 5)], param)
        }
        _ => return None,
    };
    // Alt is sent as ESC before the key ("meta sends escape"), as readline expects.
    let simple = matches!(
        key.code,
        KeyCode::Char(_) | KeyCode::Enter | KeyCode::Backspace | KeyCode::Tab | KeyCode::Esc
    );
    if alt && simple {
        bytes.insert(0, 0x1b);
    }
    Some(bytes)
}

/// Ctrl with a character: letters and @[\]^_ map to C0 controls; legacy terminals report
/// Ctrl-\ ] ^ _ as Ctrl-4 5 6 7 and Ctrl-Space as Ctrl-2 (or Space).
fn control_byte(c: char) -> Option<u8> {
    let c = c.to_ascii_lowercase();
    match c {
        'a'..='z' => Some(c as u8 - b'a' + 1),
        '@' | ' ' | '2' => Some(0),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '7' | '/' => Some(0x1f),
        '8' | '?' => Some(0x7f),
        _ => None,
    }
}

fn cursor(letter: u8, param: u8, app_cursor: bool) -> Vec<u8> {
    if param > 1 {
        format!("\x1b[1;{param}{}", letter as char).into_bytes()
    } else if app_cursor {
        vec![0x1b, b'O', letter]
    } else {
        vec![0x1b, b'[', letter]
    }
}

fn tilde(code: u8, param: u8) -> Vec<u8> {
    if param > 1 {
        format!("\x1b[{code};{param}~").into_bytes()
    } else {
        format!("\x1b[{code}~").into_bytes()
    }
}

/// Pasted text as the shell wants it: wrapped in bracketed-paste markers when the shell asked
/// for them (so a pasted newline does not run a half command), with line ends as Enter sends.
pub fn paste_bytes(text: &str, bracketed: bool) -> Vec<u8> {
    let text = text.replace("\r\n", "\r").replace('\n', "\r");
    // A pasted end marker would let the rest run as typed keys.
    let text = text.replace("\x1b[201~", "");
    if bracketed {
        format!("\x1b[200~{text}\x1b[201~").into_bytes()
    } else {
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_translate_to_the_bytes_xterm_sends() {
        let none = KeyModifiers::NONE;
        let ctrl = KeyModifiers::CONTROL;
        let alt = KeyModifiers::ALT;
        let shift = KeyModifiers::SHIFT;
        let table: &[(KeyCode, KeyModifiers, &[u8])] = &[
            (KeyCode::Char('a'), none, b"a"),
            (KeyCode::Char('A'), shift, b"A"),
            (KeyCode::Char('한'), none, "한".as_bytes()),
            (KeyCode::Char('$'), none, b"$"),
            (KeyCode::Enter, none, b"\r"),
            (KeyCode::Backspace, none, b"\x7f"),
            (KeyCode::Tab, none, b"\t"),
            (KeyCode::BackTab, shift, b"\x1b[Z"),
            (KeyCode::Esc, none, b"\x1b"),
            (KeyCode::Up, none, b"\x1b[A"),
            (KeyCode::Down, none, b"\x1b[B"),
            (KeyCode::Right, none, b"\x1b[C"),
            (KeyCode::Left, none, b"\x1b[D"),
            (KeyCode::Left, ctrl, b"\x1b[1;5D"),
            (KeyCode::Home, none, b"\x1b[H"),
            (KeyCode::End, none, b"\x1b[F"),
            (KeyCode::PageUp, none, b"\x1b[5~"),
            (KeyCode::PageDown, none, b"\x1b[6~"),
            (KeyCode::Delete, none, b"\x1b[3~"),
            (KeyCode::Insert, none, b"\x1b[2~"),
            (KeyCode::F(5), none, b"\x1b[15~"),
            (KeyCode::Char('c'), ctrl, b"\x03"),
            (KeyCode::Char('C'), ctrl, b"\x03"),
            (KeyCode::Char('d'), ctrl, b"\x04"),
            (KeyCode::Char('z'), ctrl, b"\x1a"),
            (KeyCode::Char('l'), ctrl, b"\x0c"),
            (KeyCode::Char('['), ctrl, b"\x1b"),
            (KeyCode::Char('b'), alt, b"\x1bb"),
            (KeyCode::Char('.'), alt, b"\x1b."),
            (KeyCode::Backspace, alt, b"\x1b\x7f"),
        ];
        for (code, modifiers, bytes) in table {
            assert_eq!(
                key_bytes(&key(*code, *modifiers), false).as_deref(),
                Some(*bytes),
                "{code:?} {modifiers:?}"
            );
        }
    }

    #[test]
    fn application_cursor_mode_sends_ss3_arrows() {
        let up = key(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(key_bytes(&up, true).as_deref(), Some(&b"\x1bOA"[..]));
        let home = key(KeyCode::Home, KeyModifiers::NONE);
        assert_eq!(key_bytes(&home, true).as_deref(), Some(&b"\x1bOH"[..]));
        // Modified arrows keep the CSI form in either mode.
        let shift_up = key(KeyCode::Up, KeyModifiers::SHIFT);
        assert_eq!(
            key_bytes(&shift_up, true).as_deref(),
            Some(&b"\x1b[1;2A"[..])
        );
    }

    #[test]
    fn the_escape_key_is_ctrl_bracket_in_either_report() {
        assert!(is_escape_key(&key(
            KeyCode::Char(']'),
            KeyModifiers::CONTROL
        )));
        assert!(is_escape_key(&key(
            KeyCode::Char('5'),
            KeyModifiers::CONTROL
        )));
        assert!(!is_escape_key(&key(KeyCode::Char(']'), KeyModifiers::NONE)));
        assert_eq!(
            key_bytes(&key(KeyCode::F(1), KeyModifiers::NONE), false),
            None
        );
    }

    #[test]
    fn paste_is_bracketed_when_the_shell_asks() {
        assert_eq!(
            paste_bytes("a\nb", true),
            b"\x1b[200~a\rb\x1b[201~".to_vec()
        );
        assert_eq!(paste_bytes("a\r\nb", false), b"a\rb".to_vec());
        assert_eq!(
            paste_bytes("x\x1b[201~rm", true),
            b"\x1b[200~xrm\x1b[201~".to_vec()
        );
    }
}
