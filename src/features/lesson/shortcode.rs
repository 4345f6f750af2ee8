//! Hugo shortcodes (`{{< name >}}`, `{{% name %}}`) as they appear in the customer's guide.

use super::text::{SpanKind, StyledSpan, push_span};

const ISTIO_REPO: &str = "https://github.com/istio/istio";

/// What a shortcode stands for: a known link target or just its name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Expansion {
    Url(String),
    Name(String),
    Nothing,
}

pub(crate) fn expand(inner: &str) -> Expansion {
    let name = inner.split_whitespace().next().unwrap_or("");
    match name {
        "" => Expansion::Nothing,
        // Closing tags of paired shortcodes carry no content of their own.
        closing if closing.starts_with('/') => Expansion::Nothing,
        "github_tree" => Expansion::Url(format!("{ISTIO_REPO}/tree/master")),
        "github_blob" => Expansion::Url(format!("{ISTIO_REPO}/blob/master")),
        "github_file" => Expansion::Url(format!("{ISTIO_REPO}/raw/master")),
        other => Expansion::Name(other.to_string()),
    }
}

// Unknown shortcodes are kept as their name between these private-use marks, so the name
// survives Markdown parsing and can still be styled as a shortcode afterwards.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// Rewrites every shortcode before Markdown parsing: known ones become their URL (so a link
/// such as `[x]({{< github_tree >}}/a)` parses as a link), unknown ones a marked name.
pub(crate) fn protect(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, inner, after)) = next_shortcode(rest) {
        out.push_str(before);
        match expand(inner) {
            Expansion::Url(url) => out.push_str(&url),
            Expansion::Name(name) => {
                out.push(MARK_OPEN);
                out.push_str(&name);
                out.push(MARK_CLOSE);
            }
            Expansion::Nothing => {}
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Splits protected text into spans of `kind`, marked names becoming `Shortcode` spans.
pub(crate) fn expand_in_spans(text: &str, kind: SpanKind, out: &mut Vec<StyledSpan>) {
    let mut rest = text;
    while let Some(open) = rest.find(MARK_OPEN) {
        push_span(out, &rest[..open], kind);
        let name_start = open + MARK_OPEN.len_utf8();
        let name_end = rest[name_start..]
            .find(MARK_CLOSE)
            .map_or(rest.len(), |offset| name_start + offset);
        push_span(out, &rest[name_start..name_end], SpanKind::Shortcode);
        rest = rest.get(name_end + MARK_CLOSE.len_utf8()..).unwrap_or("");
    }
    push_span(out, &rest.replace(MARK_CLOSE, ""), kind);
}

/// Plain text with every shortcode expanded (for URLs, code and commands).
pub(crate) fn expand_in_text(text: &str) -> String {
    protect(text).replace([MARK_OPEN, MARK_CLOSE], "")
}

/// Finds the next shortcode: (text before, inner text, text after). An unclosed opener
/// swallows the rest of the text so raw `{{<` never reaches the screen.
fn next_shortcode(text: &str) -> Option<(&str, &str, &str)> {
    let start = [text.find("{{<"), text.find("{{%")]
        .into_iter()
        .flatten()
        .min()?;
    let closer = if text[start..].starts_with("{{<") {
        ">}}"
    } else {
        "%}}"
    };
    let body_start = start + 3;
    match text[body_start..].find(closer) {
        Some(offset) => Some((
            &text[..start],
            &text[body_start..body_start + offset],
            &text[body_start + offset + closer.len()..],
        )),
        None => Some((&text[..start], &text[body_start..], "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shortcodes_become_urls() {
        assert_eq!(
            expand_in_text("{{< github_tree >}}/samples/addons"),
            "https://github.com/istio/istio/tree/master/samples/addons"
        );
        assert_eq!(
            expand_in_text("x {{< github_blob >}}/a"),
            "x https://github.com/istio/istio/blob/master/a"
        );
    }

    #[test]
    fn unknown_shortcode_keeps_its_name_without_braces() {
        let mut spans = Vec::new();
        let protected = protect("버전 {{< istio_version >}} 사용");
        expand_in_spans(&protected, SpanKind::Text, &mut spans);
        assert_eq!(
            spans,
            vec![
                StyledSpan::new("버전 ", SpanKind::Text),
                StyledSpan::new("istio_version", SpanKind::Shortcode),
                StyledSpan::new(" 사용", SpanKind::Text),
            ]
        );
    }

    #[test]
    fn closing_and_unclosed_shortcodes_leave_no_braces() {
        assert_eq!(expand_in_text("a{{< /text >}}b"), "ab");
        assert_eq!(expand_in_text("a {{% tip"), "a tip");
        assert!(!expand_in_text("{{< x").contains("{{"));
    }
}
