//! Tidying a guide section written for another renderer before it becomes a lesson body: a
//! list indented like code under a paragraph becomes a list, and lines of a blockquote keep
//! their breaks (the customer's guide writes one statement or command per quoted line).

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// Returns the section with both fixes applied; text inside fenced code is left alone.
pub fn tidy(body: &str) -> String {
    keep_quote_breaks(&lists_out_of_code(body))
}

/// An indented code block outside any list whose first line is a list item was meant as a
/// list: CommonMark reads it as code because it is indented four spaces under a paragraph.
fn lists_out_of_code(body: &str) -> String {
    let mut ranges = Vec::new();
    let mut items = 0usize;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Item) => items += 1,
            Event::End(TagEnd::Item) => items = items.saturating_sub(1),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) if items == 0 => {
                ranges.push(range);
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for range in ranges {
        // The range starts after the first line's indent; take the whole lines.
        let start = body[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let block = &body[start..range.end];
        let first = block.trim_start();
        if !is_list_item(first) {
            continue;
        }
        let indent = block.len() - first.len();
        out.push_str(&body[at..start]);
        for line in block.split_inclusive('\n') {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            out.push_str(&line[spaces.min(indent)..]);
        }
        at = range.end;
    }
    out.push_str(&body[at..]);
    out
}

/// A hard break (two trailing spaces) keeps each quoted line on a line of its own.
fn keep_quote_breaks(body: &str) -> String {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut in_fence = false;
    let mut out = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        if is_fence(line.trim_start()) {
            in_fence = !in_fence;
        }
        let quoted_next = lines
            .get(index + 1)
            .is_some_and(|next| quote_text(next).is_some_and(|t| !t.is_empty()));
        match quote_text(line) {
            Some(text) if !in_fence && !text.is_empty() && quoted_next && !line.ends_with("  ") => {
                out.push(format!("{}  ", line.trim_end()));
            }
            _ => out.push((*line).to_string()),
        }
    }
    out.join("\n")
}

fn is_fence(trimmed: &str) -> bool {
    trimmed.starts_with("```") || trimmed.starts_with("~~~")
}

fn is_list_item(trimmed: &str) -> bool {
    if trimmed.starts_with("- ") || trimmed.starts_with("* ") || trimmed.starts_with("+ ") {
        return true;
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (trimmed[digits..].starts_with(". ") || trimmed[digits..].starts_with(") "))
}

/// The text of a blockquote line, without its `>`.
fn quote_text(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    (line.len() - trimmed.len() < 4)
        .then_some(trimmed)?
        .strip_prefix('>')
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_indented_like_code_under_a_paragraph_becomes_a_list() {
        let body = "   해당 디렉토리에는:\n\n    - 샘플: `samples/`\n    - `istioctl` 클라이언트는\n      `bin/` 에 있다.\n\n다음 문단\n";
        assert_eq!(
            tidy(body),
            "   해당 디렉토리에는:\n\n- 샘플: `samples/`\n- `istioctl` 클라이언트는\n  `bin/` 에 있다.\n\n다음 문단\n"
        );
    }

    #[test]
    fn code_and_lists_nested_under_an_item_keep_their_indent() {
        let body = "1.  다운로드\n\n    ```\n    $ curl -L x | sh -\n    ```\n\n    - 안쪽 목록\n";
        assert_eq!(tidy(body), body);
        let code = "문단\n\n    $ kubectl get pods\n";
        assert_eq!(
            tidy(code),
            code,
            "an indented block that is not a list stays code"
        );
    }

    #[test]
    fn quoted_lines_keep_their_breaks() {
        let body = "> iptables 설치:\n> apt-get update\n> apt-get install iptables\n\n끝\n";
        assert_eq!(
            tidy(body),
            "> iptables 설치:  \n> apt-get update  \n> apt-get install iptables\n\n끝\n"
        );
    }

    #[test]
    fn fenced_text_is_untouched() {
        let body = "```\n> not a quote\n> really\n\n    - not a list\n```\n";
        assert_eq!(tidy(body), body);
    }
}
