//! Syntax colour for shell and YAML code blocks, language guessing, command extraction.

use super::text::{SpanKind, StyledSpan, push_span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    Shell,
    Yaml,
    Plain,
}

pub(crate) fn syntax_of(lang: &str) -> Syntax {
    match lang.to_ascii_lowercase().as_str() {
        "sh" | "bash" | "shell" | "console" | "zsh" | "shell-session" => Syntax::Shell,
        "yaml" | "yml" => Syntax::Yaml,
        _ => Syntax::Plain,
    }
}

/// Guesses the language of an unlabelled block: prompts mean shell, `key: value` lines YAML.
pub fn guess_language(code: &str) -> &'static str {
    let lines: Vec<&str> = code
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    if lines.iter().any(|line| is_prompt_line(line)) {
        return "sh";
    }
    let Some(first) = lines.first() else {
        return "";
    };
    if first.trim_start().starts_with("apiVersion:") {
        return "yaml";
    }
    let yaml_like = lines
        .iter()
        .filter(|line| looks_like_yaml_line(line))
        .count();
    if yaml_like * 2 > lines.len() && yaml_like >= 1 && looks_like_yaml_line(first) {
        "yaml"
    } else if lines.iter().all(|line| starts_with_known_command(line)) {
        "sh"
    } else {
        ""
    }
}

/// Commands a lesson block may show without a `$ ` prompt.
const KNOWN_COMMANDS: &[&str] = &[
    "kubectl", "istioctl", "curl", "helm", "export", "cd", "echo", "kind", "minikube", "for",
    "while", "watch", "sudo", "apt-get", "iptables", "git", "wget", "tar", "cat", "sleep",
];

fn starts_with_known_command(line: &str) -> bool {
    let trimmed = line.trim_start();
    let word = trimmed.split_whitespace().next().unwrap_or("");
    trimmed.starts_with('#') || KNOWN_COMMANDS.contains(&word)
}

fn looks_like_yaml_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') || trimmed == "---" {
        return true;
    }
    let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
    match split_key(item) {
        Some((key, _)) => !key.is_empty() && !key.contains(' '),
        None => false,
    }
}

/// Splits `key: value` or `key:` at the first colon that ends a key.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let colon = text.find(':')?;
    let after = &text[colon + 1..];
    if after.is_empty() || after.starts_with(' ') {
        Some((&text[..colon], after))
    } else {
        None
    }
}

fn is_prompt_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed == "$" || trimmed.starts_with("$ ")
}

/// The commands a reader would run: `$ ` lines without the prompt, with `\` continuations
/// joined; a block without prompts yields its non-empty lines.
pub fn extract_commands(code: &str) -> Vec<String> {
    let has_prompt = code.lines().any(is_prompt_line);
    if !has_prompt {
        return code
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| line.trim_end().to_string())
            .collect();
    }
    let mut commands = Vec::new();
    let mut continuing: Option<String> = None;
    for line in code.lines() {
        let piece = if let Some(command) = continuing.as_mut() {
            command.push(' ');
            command
        } else if is_prompt_line(line) {
            continuing.insert(String::new())
        } else {
            continue;
        };
        let text = if piece.is_empty() {
            line.trim_start().trim_start_matches('$').trim()
        } else {
            line.trim()
        };
        match text.strip_suffix('\\') {
            Some(head) => piece.push_str(head.trim_end()),
            None => {
                piece.push_str(text);
                if let Some(done) = continuing.take() {
                    commands.push(done);
                }
            }
        }
    }
    commands.extend(continuing);
    commands.retain(|command| !command.is_empty());
    commands
}

/// Highlights every line of a block; returns one span list per source line.
pub(crate) fn highlight_block(code: &str, syntax: Syntax) -> Vec<Vec<StyledSpan>> {
    let has_prompt = code.lines().any(is_prompt_line);
    let mut continuation = false;
    code.lines()
        .map(|line| match syntax {
            Syntax::Shell => {
                let spans = if is_prompt_line(line) || continuation || !has_prompt {
                    shell_command(line)
                } else {
                    vec![StyledSpan::new(line, SpanKind::CodeOutput)]
                };
                let is_command = is_prompt_line(line) || continuation || !has_prompt;
                continuation = is_command && line.trim_end().ends_with('\\');
                spans
            }
            Syntax::Yaml => yaml_line(line),
            Syntax::Plain => vec![StyledSpan::new(line, SpanKind::CodeText)],
        })
        .collect()
}

fn shell_command(line: &str) -> Vec<StyledSpan> {
    let mut spans = Vec::new();
    let indent_len = line.len() - line.trim_start().len();
    push_span(&mut spans, &line[..indent_len], SpanKind::CodeText);
    let mut rest = &line[indent_len..];
    if is_prompt_line(rest) {
        push_span(&mut spans, "$", SpanKind::CodePrompt);
        rest = &rest[1..];
    }
    let mut expect_command = true;
    while !rest.is_empty() {
        let first = rest.chars().next().unwrap_or(' ');
        let (len, kind) = if first.is_whitespace() {
            (whitespace_len(rest), SpanKind::CodeText)
        } else if first == '#' {
            (rest.len(), SpanKind::CodeComment)
        } else if first == '\'' || first == '"' {
            (quoted_len(rest, first), SpanKind::CodeString)
        } else if first == '$' {
            (variable_len(rest), SpanKind::CodeVariable)
        } else if "|&;()<>".contains(first) {
            expect_command = true;
            (operator_len(rest), SpanKind::CodeText)
        } else {
            let len = word_len(rest);
            let word = &rest[..len];
            let kind = if word.starts_with('-') {
                SpanKind::CodeFlag
            } else if expect_command && is_assignment(word) {
                SpanKind::CodeVariable
            } else if expect_command {
                expect_command = false;
                SpanKind::CodeCommand
            } else {
                SpanKind::CodeText
            };
            (len, kind)
        };
        let len = len.max(first.len_utf8()).min(rest.len());
        push_span(&mut spans, &rest[..len], kind);
        rest = &rest[len..];
    }
    spans
}

fn whitespace_len(text: &str) -> usize {
    text.find(|c: char| !c.is_whitespace())
        .unwrap_or(text.len())
}

fn quoted_len(text: &str, quote: char) -> usize {
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' && quote == '"' {
            escaped = true;
        } else if c == quote {
            return index + c.len_utf8();
        }
    }
    text.len()
}

fn variable_len(text: &str) -> usize {
    let body = &text[1..];
    let (open, close) = match body.chars().next() {
        Some('{') => ('{', '}'),
        Some('(') => ('(', ')'),
        _ => {
            let name_len = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            return 1 + name_len;
        }
    };
    let mut depth = 0usize;
    for (index, c) in body.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return 1 + index + 1;
            }
        }
    }
    text.len()
}

fn operator_len(text: &str) -> usize {
    text.find(|c: char| !"|&;()<>".contains(c))
        .unwrap_or(text.len())
}

fn word_len(text: &str) -> usize {
    text.find(|c: char| c.is_whitespace() || "|&;()<>'\"$#".contains(c))
        .map_or(text.len(), |len| len.max(1))
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

fn yaml_line(line: &str) -> Vec<StyledSpan> {
    let mut spans = Vec::new();
    let indent_len = line.len() - line.trim_start().len();
    push_span(&mut spans, &line[..indent_len], SpanKind::CodeText);
    let mut rest = &line[indent_len..];
    if rest.starts_with('#') {
        push_span(&mut spans, rest, SpanKind::CodeComment);
        return spans;
    }
    if rest == "---" || rest == "..." {
        push_span(&mut spans, rest, SpanKind::CodePunct);
        return spans;
    }
    while let Some(after) = rest
        .strip_prefix("- ")
        .or(if rest == "-" { Some("") } else { None })
    {
        push_span(&mut spans, "-", SpanKind::CodePunct);
        push_span(
            &mut spans,
            &rest[1..rest.len() - after.len()],
            SpanKind::CodeText,
        );
        rest = after;
    }
    let value = match split_key(rest) {
        Some((key, value)) if !key.starts_with(['"', '\'', '{', '[']) => {
            push_span(&mut spans, key, SpanKind::CodeKey);
            push_span(&mut spans, ":", SpanKind::CodePunct);
            value
        }
        _ => rest,
    };
    yaml_value(value, &mut spans);
    spans
}

fn yaml_value(value: &str, spans: &mut Vec<StyledSpan>) {
    let (body, comment) = match value.find(" #") {
        Some(index) => value.split_at(index),
        None => (value, ""),
    };
    let indent_len = body.len() - body.trim_start().len();
    push_span(spans, &body[..indent_len], SpanKind::CodeText);
    let scalar = &body[indent_len..];
    let kind = if scalar.starts_with(['"', '\'']) {
        SpanKind::CodeString
    } else if matches!(scalar.trim_end(), "|" | ">" | "|-" | ">-" | "{}" | "[]") {
        SpanKind::CodePunct
    } else {
        SpanKind::CodeValue
    };
    push_span(spans, scalar, kind);
    push_span(spans, comment, SpanKind::CodeComment);
}

#[cfg(test)]
#[path = "highlight_tests.rs"]
mod tests;
