//! The OSC 52 escape sequence that asks the terminal to set the clipboard.

use base64::Engine;

/// `ESC ] 52 ; c ; <base64> BEL`. Inside tmux the sequence must be wrapped in a
/// DCS passthrough (with ESC doubled) or tmux swallows it.
pub fn sequence(text: &str, inside_tmux: bool) -> String {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let osc = format!("\x1b]52;c;{payload}\x07");
    if inside_tmux {
        format!("\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b"))
    } else {
        osc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_utf8_text_as_base64_between_osc_and_bel() {
        let seq = sequence("kubectl get pods # 파드", false);
        assert!(seq.starts_with("\x1b]52;c;"));
        assert!(seq.ends_with('\x07'));
        let payload = &seq["\x1b]52;c;".len()..seq.len() - 1];
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .expect("valid base64");
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "kubectl get pods # 파드"
        );
    }

    #[test]
    fn tmux_wraps_in_passthrough_with_doubled_escapes() {
        let seq = sequence("ls", true);
        assert!(seq.starts_with("\x1bPtmux;\x1b\x1b]52;c;"));
        assert!(seq.ends_with("\x07\x1b\\"));
        // ESC P, the doubled ESC of the OSC, and the closing ESC \.
        assert_eq!(seq.matches('\x1b').count(), 4);
    }
}
