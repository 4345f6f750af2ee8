//! A one-line text prompt with the usual line-editing keys (as readline has them): typed
//! characters go in at the cursor, control keys edit or move, any other control key is ignored
//! rather than typed as a letter.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The text and where the cursor is, in characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    cursor: usize,
}

/// What a key did to the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    /// The text or the cursor changed (or the key was ignored); the prompt stays open.
    Editing,
    Submit,
    Cancel,
}

impl From<&str> for LineEdit {
    fn from(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }
}

impl From<String> for LineEdit {
    fn from(text: String) -> LineEdit {
        LineEdit::from(text.as_str())
    }
}

impl LineEdit {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The text before and after the cursor, for drawing the cursor between them.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte_at(self.cursor))
    }

    /// Applies a key; `accept` decides which typed characters are allowed (a namespace takes
    /// only what a DNS label may hold).
    pub fn on_key(&mut self, key: KeyEvent, accept: impl Fn(char) -> bool) -> LineOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter => return LineOutcome::Submit,
            KeyCode::Esc => return LineOutcome::Cancel,
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('b') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('f') if ctrl => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Char('u') if ctrl => self.remove(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.remove(self.cursor, self.len()),
            KeyCode::Char('w') if ctrl => self.remove(self.word_start(), self.cursor),
            KeyCode::Char('h') if ctrl => self.backspace(),
            KeyCode::Char('d') if ctrl => self.remove(self.cursor, self.cursor + 1),
            KeyCode::Char('b') if alt => self.cursor = self.word_start(),
            KeyCode::Char('f') if alt => self.cursor = self.word_end(),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_start(),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_end(),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace if ctrl || alt => self.remove(self.word_start(), self.cursor),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.remove(self.cursor, self.cursor + 1),
            // Other control and Alt chords edit nothing: typing their letter would be a surprise.
            KeyCode::Char(_) if ctrl || alt => {}
            KeyCode::Char(c) if !c.is_control() && accept(c) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            _ => {}
        }
        LineOutcome::Editing
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            self.remove(self.cursor - 1, self.cursor);
        }
    }

    /// Removes the characters `from..to` (clamped) and leaves the cursor at `from`.
    fn remove(&mut self, from: usize, to: usize) {
        let to = to.min(self.len());
        if from >= to {
            return;
        }
        let (start, end) = (self.byte_at(from), self.byte_at(to));
        self.text.replace_range(start..end, "");
        self.cursor = from;
    }

    /// Where the word before the cursor starts (spaces before it are skipped first).
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at > 0 && !is_word(chars[at - 1]) {
            at -= 1;
        }
        while at > 0 && is_word(chars[at - 1]) {
            at -= 1;
        }
        at
    }

    /// Where the word after the cursor ends.
    fn word_end(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at < chars.len() && !is_word(chars[at]) {
            at += 1;
        }
        while at < chars.len() && is_word(chars[at]) {
            at += 1;
        }
        at
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(line: &mut LineEdit, code: KeyCode, modifiers: KeyModifiers) -> LineOutcome {
        line.on_key(KeyEvent::new(code, modifiers), |_| true)
    }

    fn typed(text: &str) -> LineEdit {
        let mut line = LineEdit::default();
        for c in text.chars() {
            press(&mut line, KeyCode::Char(c), KeyModifiers::NONE);
        }
        line
    }

    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const ALT: KeyModifiers = KeyModifiers::ALT;

    #[test]
    fn ctrl_u_clears_to_the_start_instead_of_typing_u() {
        let mut line = typed("book");
        press(&mut line, KeyCode::Char('u'), CTRL);
        assert_eq!(line, LineEdit::from(""));
    }

    #[test]
    fn ctrl_w_deletes_the_word_before_the_cursor_and_ctrl_a_e_move() {
        let mut line = typed("kubectl get pods");
        press(&mut line, KeyCode::Char('w'), CTRL);
        assert_eq!(line.text(), "kubectl get ");
        press(&mut line, KeyCode::Char('a'), CTRL);
        press(&mut line, KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(line.split(), ("x", "kubectl get "));
        press(&mut line, KeyCode::Char('e'), CTRL);
        assert_eq!(line.split(), ("xkubectl get ", ""));
    }

    #[test]
    fn word_moves_with_alt_and_ctrl_arrows() {
        let mut line = typed("리뷰 서비스 v2");
        press(&mut line, KeyCode::Char('b'), ALT);
        assert_eq!(line.split(), ("리뷰 서비스 ", "v2"));
        press(&mut line, KeyCode::Left, CTRL);
        assert_eq!(line.split(), ("리뷰 ", "서비스 v2"));
        press(&mut line, KeyCode::Char('f'), ALT);
        assert_eq!(line.split(), ("리뷰 서비스", " v2"));
        press(&mut line, KeyCode::Right, CTRL);
        assert_eq!(line.split(), ("리뷰 서비스 v2", ""));
    }

    #[test]
    fn other_control_keys_do_nothing_and_enter_esc_finish() {
        let mut line = typed("ns");
        for c in ['x', 'l', 'z', 'q'] {
            assert_eq!(
                press(&mut line, KeyCode::Char(c), CTRL),
                LineOutcome::Editing
            );
        }
        assert_eq!(line, LineEdit::from("ns"));
        assert_eq!(
            press(&mut line, KeyCode::Enter, KeyModifiers::NONE),
            LineOutcome::Submit
        );
        assert_eq!(
            press(&mut line, KeyCode::Esc, KeyModifiers::NONE),
            LineOutcome::Cancel
        );
    }

    #[test]
    fn editing_in_the_middle_keeps_multibyte_text_whole() {
        let mut line = typed("파드");
        press(&mut line, KeyCode::Left, KeyModifiers::NONE);
        press(&mut line, KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(line.text(), "파x드");
        press(&mut line, KeyCode::Backspace, KeyModifiers::NONE);
        press(&mut line, KeyCode::Delete, KeyModifiers::NONE);
        assert_eq!(line.text(), "파");
        press(&mut line, KeyCode::Char('k'), CTRL);
        assert_eq!(line.text(), "파");
    }

    #[test]
    fn the_filter_decides_which_characters_go_in() {
        let mut line = LineEdit::default();
        for c in "Book_NS-1".chars() {
            line.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), |c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
            });
        }
        assert_eq!(line.text(), "ook-1");
    }
}
