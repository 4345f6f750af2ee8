//! Setting the clipboard through the terminal: crossterm's OSC 52 command, written as is.
//! Inside tmux the plain sequence is right too: with `set -g set-clipboard on` tmux takes it
//! into its buffer and passes it on to the outer terminal, while a DCS passthrough wrapper is
//! blocked by default since tmux 3.3 (`allow-passthrough off`).

use crossterm::Command;
use crossterm::clipboard::CopyToClipboard;

/// `ESC ] 52 ; c ; <base64> ESC \` for `text`.
pub fn sequence(text: &str) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = CopyToClipboard::to_clipboard_from(text.as_bytes()).write_ansi(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn the_exact_bytes_are_osc_52_with_base64_text_and_a_string_terminator() {
        assert_eq!(sequence("ls"), "\x1b]52;c;bHM=\x1b\\");
        let seq = sequence("kubectl get pods # 파드");
        let payload = seq
            .strip_prefix("\x1b]52;c;")
            .and_then(|rest| rest.strip_suffix("\x1b\\"))
            .expect("OSC 52 framing");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .expect("valid base64");
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "kubectl get pods # 파드"
        );
    }

    #[test]
    fn no_tmux_passthrough_wrapper_that_tmux_3_3_would_swallow() {
        let seq = sequence("ls");
        assert!(!seq.contains("Ptmux;"));
        // ESC ] … and the closing ESC \ only.
        assert_eq!(seq.matches('\x1b').count(), 2);
    }
}
