//! Display-width helpers for short UI strings (labels, titles, status lines).

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns at a grapheme boundary, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let w = width(grapheme);
        if used + w + 1 > max {
            break;
        }
        out.push_str(grapheme);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_wide_characters() {
        assert_eq!(truncate("Bookinfo 배포", 20), "Bookinfo 배포");
        assert_eq!(truncate("가나다라", 5), "가나…");
        assert_eq!(truncate("가나다라", 1), "…");
        assert_eq!(truncate("가나다라", 0), "");
        for max in 0..12 {
            assert!(width(&truncate("설치 Install 가이드", max)) <= max);
        }
    }
}
