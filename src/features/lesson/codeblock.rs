//! Fenced code blocks: a frame naming the language, a gutter, highlighted and wrapped lines.

use super::highlight::{extract_commands, guess_language, highlight_block, syntax_of};
use super::shortcode::expand_in_text;
use super::text::{SpanKind, StyledLine, StyledSpan, display_width, push_span};
use super::wrap::wrap_with_prefix;

/// The code block as the reader sees it on screen; the UI copies `commands` and runs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    pub lang: String,
    /// The block's text without markup (shortcodes expanded, tabs as spaces).
    pub text: String,
    /// Lines starting with `$ ` without the prompt, continuations joined; if there are no
    /// prompts, the non-empty lines.
    pub commands: Vec<String>,
    /// First and last index into `Rendered::lines` (the frame lines included).
    pub first_line: usize,
    pub last_line: usize,
}

const TAB: &str = "    ";

/// Prepares the block's text and language from the fence's info string.
pub(crate) fn prepare(info: &str, raw: &str) -> (String, String) {
    let text = expand_in_text(raw).replace('\t', TAB).replace("\r\n", "\n");
    let text = dedent(text.strip_suffix('\n').unwrap_or(&text));
    let label = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
        .trim();
    let lang = if label.is_empty() {
        guess_language(&text).to_string()
    } else {
        label.to_string()
    };
    (lang, text)
}

/// Removes the indentation shared by all non-empty lines (guides often indent whole blocks).
fn dedent(text: &str) -> String {
    let common = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|line| line.get(common..).unwrap_or("").trim_end_matches(' '))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lays out the block. `first_prefix`/`rest_prefix` come from the enclosing containers.
pub(crate) fn render_code(
    lang: &str,
    text: &str,
    width: usize,
    first_prefix: &[StyledSpan],
    rest_prefix: &[StyledSpan],
) -> (Vec<StyledLine>, Vec<String>) {
    let commands = extract_commands(text);
    let prefix_width = |prefix: &[StyledSpan]| -> usize {
        prefix.iter().map(|span| display_width(&span.text)).sum()
    };
    let (first_prefix, rest_prefix) =
        if prefix_width(first_prefix).max(prefix_width(rest_prefix)) + 4 <= width {
            (first_prefix, rest_prefix)
        } else {
            (&[][..], &[][..])
        };
    let inner = width - prefix_width(rest_prefix);
    let framed = inner >= 4;
    let highlighted = highlight_block(text, syntax_of(lang));
    let mut lines = Vec::new();
    if framed {
        lines.push(top_frame(
            lang,
            width - prefix_width(first_prefix),
            first_prefix,
        ));
    }
    let with = |prefix: &[StyledSpan], gutter: &str| -> Vec<StyledSpan> {
        let mut spans = prefix.to_vec();
        if framed {
            push_span(&mut spans, gutter, SpanKind::CodeFrame);
        }
        spans
    };
    let gutter = with(rest_prefix, "│ ");
    let continuation = with(rest_prefix, "↪ ");
    // Continuations hang under the line's own indentation (YAML nesting stays readable), up
    // to half the room so long lines still make progress.
    let max_hang = inner.saturating_sub(2) / 2;
    for (index, (spans, source)) in highlighted.iter().zip(text.lines()).enumerate() {
        let first = if index == 0 && !framed {
            first_prefix.to_vec()
        } else {
            gutter.clone()
        };
        let indent = source.len() - source.trim_start_matches(' ').len();
        let mut hanging = continuation.clone();
        push_span(
            &mut hanging,
            &" ".repeat(indent.min(max_hang)),
            SpanKind::CodeText,
        );
        lines.extend(wrap_with_prefix(spans, width, &first, &hanging));
    }
    if framed {
        let mut spans = rest_prefix.to_vec();
        push_span(
            &mut spans,
            &format!("└{}", "─".repeat(inner - 1)),
            SpanKind::CodeFrame,
        );
        lines.push(StyledLine::new(spans));
    }
    (lines, commands)
}

fn top_frame(lang: &str, inner: usize, prefix: &[StyledSpan]) -> StyledLine {
    let mut top = String::from("┌─");
    let label = format!(" {lang} ");
    if !lang.is_empty() && display_width(&top) + display_width(&label) < inner {
        top.push_str(&label);
    }
    let fill = inner.saturating_sub(display_width(&top));
    top.push_str(&"─".repeat(fill));
    let mut spans = prefix.to_vec();
    push_span(&mut spans, &top, SpanKind::CodeFrame);
    StyledLine::new(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_names_the_language_and_fits_the_width() {
        let (lang, text) = prepare("", "$ kubectl get pods\nNAME READY\n");
        assert_eq!(lang, "sh");
        let (lines, commands) = render_code(&lang, &text, 20, &[], &[]);
        let plain: Vec<String> = lines.iter().map(StyledLine::plain).collect();
        assert_eq!(
            plain,
            vec![
                "┌─ sh ──────────────",
                "│ $ kubectl get pods",
                "│ NAME READY",
                "└───────────────────",
            ]
        );
        assert_eq!(commands, vec!["kubectl get pods".to_string()]);
    }

    #[test]
    fn long_lines_continue_with_a_marker() {
        let (lines, _) = render_code("sh", "$ echo aaaa bbbb cccc", 12, &[], &[]);
        let plain: Vec<String> = lines.iter().map(StyledLine::plain).collect();
        assert_eq!(plain[1], "│ $ echo");
        assert_eq!(plain[2], "↪ aaaa bbbb");
        assert_eq!(plain[3], "↪ cccc");
        assert!(lines.iter().all(|line| line.width() <= 12));
    }

    #[test]
    fn shared_indentation_is_removed() {
        let (_, text) = prepare("", "   $ istioctl install\n    ✔ done\n\n");
        assert_eq!(text, "$ istioctl install\n ✔ done");
    }

    #[test]
    fn continuation_hangs_under_the_indentation() {
        let (lines, _) = render_code("yaml", "    - name: reviews-v1", 16, &[], &[]);
        let plain: Vec<String> = lines.iter().map(StyledLine::plain).collect();
        assert_eq!(plain[1], "│     - name:");
        assert_eq!(plain[2], "↪     reviews-v1");
    }

    #[test]
    fn info_string_attributes_are_ignored_and_shortcodes_expanded() {
        let (lang, text) = prepare("yaml {linenos=true}", "url: {{< github_tree >}}\n");
        assert_eq!(lang, "yaml");
        assert_eq!(text, "url: https://github.com/istio/istio/tree/master");
    }
}
