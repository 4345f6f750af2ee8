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

/// Splits `text` into spans of `kind`, with each shortcode replaced by its expansion.
pub(crate) fn expand_in_spans(text: &str, kind: SpanKind, out: &mut Vec<StyledSpan>) {
    let mut rest = text;
    while let Some((before, inner, after)) = next_shortcode(rest) {
        push_span(out, before, kind);
        match expand(inner) {
            Expansion::Url(url) => push_span(out, &url, SpanKind::Url),
            Expansion::Name(name) => push_span(out, &name, SpanKind::Shortcode),
            Expansion::Nothing => {}
        }
        rest = after;
    }
    push_span(out, rest, kind);
}

/// Replaces every shortcode in `text` by plain text (used for URLs and code).
pub(crate) fn expand_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, inner, after)) = next_shortcode(rest) {
        out.push_str(before);
        match expand(inner) {
            Expansion::Url(url) => out.push_str(&url),
            Expansion::Name(name) => out.push_str(&name),
            Expansion::Nothing => {}
        }
        rest = after;
    }
    out.push_str(rest);
    out
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
        expand_in_spans("버전 {{< istio_version >}} 사용", SpanKind::Text, &mut spans);
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
