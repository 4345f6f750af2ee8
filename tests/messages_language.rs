//! Every message the app shows is in the lessons' language (Korean). The test reads the app's
//! source (not the demo cluster's, which answers as kube-apiserver does, in English) and fails
//! on a string literal that reads as English prose, unless the allowlist below names it with
//! the reason it is not a message.

use std::path::Path;

/// Literals that look like English prose but are not messages to the learner.
const ALLOWED: &[(&str, &str)] = &[
    // Text the probe looks for in Bookinfo's pages and in Envoy's replies.
    ("Reviews served by:", "Bookinfo page marker"),
    ("Error fetching product reviews", "Bookinfo page marker"),
    (
        "Ratings service is currently unavailable",
        "Bookinfo page marker",
    ),
    ("no healthy upstream", "Envoy reply marker"),
    (
        "upstream connect error or disconnect/reset before headers",
        "Envoy reply marker",
    ),
    ("RBAC: access denied", "Envoy reply marker"),
    ("fault filter abort", "Envoy reply marker"),
    ("upstream request timeout", "Envoy reply marker"),
    ("flex gap-x-1 text-", "Bookinfo page markup"),
    // Read from kube-apiserver's refusals, never shown as such.
    ("in the namespace ", "kube-apiserver message parsing"),
    // The YAML parser's reasons, matched to say them in Korean (traffic/yaml_reason.rs).
    ("unclosed bracket", "parser text matched"),
    ("mismatched bracket", "parser text matched"),
    ("unexpected character", "parser text matched"),
    ("mapping values are not allowed", "parser text matched"),
    ("did not find expected key", "parser text matched"),
    ("did not find expected '-'", "parser text matched"),
    ("cannot start any token", "parser text matched"),
    ("quoted scalar", "parser text matched"),
    ("unexpected eof", "parser text matched"),
    ("unexpected end", "parser text matched"),
    ("invalid type", "parser text matched"),
    ("expected mapping", "parser text matched"),
    ("missing field", "parser text matched"),
    ("unknown field", "parser text matched"),
    // Library error texts a failure's cause is read from (cluster/explain.rs).
    ("connection refused", "error text matched"),
    ("dns error", "error text matched"),
    ("failed to lookup address", "error text matched"),
    ("name or service", "error text matched"),
    ("no route to host", "error text matched"),
    ("network is unreachable", "error text matched"),
    ("timed out", "error text matched"),
    ("deadline has elapsed", "error text matched"),
    ("connection reset", "error text matched"),
    ("connection closed", "error text matched"),
    ("broken pipe", "error text matched"),
];

/// Folders whose text is not the app's own voice: the demo cluster answers in kube-apiserver's
/// words, and the istioctl stand-in in istioctl's (the guide shows istioctl's output, and
/// scripts match it), apart from the one line that says it is a stand-in.
const SKIPPED: &[&str] = &["src/sim", "src/istioctl"];

fn is_hangul(c: char) -> bool {
    ('\u{ac00}'..='\u{d7a3}').contains(&c)
}

/// Two lowercase English words in a row ("cannot read", "not closed"): prose, not a name.
fn reads_as_english(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let is_word = |w: &&str| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase());
    // Words must be neighbours in the text, separated by one space.
    text.split(' ')
        .collect::<Vec<_>>()
        .windows(2)
        .any(|pair| is_word(&pair[0]) && is_word(&pair[1]))
        && words.len() >= 2
}

/// The string literals of the non-test part of a file, with their line numbers. Comments,
/// attributes, log lines and panics on broken invariants are not messages.
fn literals(source: &str) -> Vec<(usize, String)> {
    // Tests (`#[cfg(test)]`, `#[cfg(all(test, unix))]`…) close a file by convention.
    let end = source
        .lines()
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, line)| line.trim_start().starts_with("#[cfg(") && line.contains("test"))
        .map_or(source.len(), |(start, _)| start);
    let code = &source[..end];
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//")
            || trimmed.starts_with("#[")
            || line.contains("tracing::")
            || line.contains(".expect(")
        {
            continue;
        }
        let mut chars = line.chars().peekable();
        let mut current: Option<String> = None;
        while let Some(c) = chars.next() {
            match (&mut current, c) {
                (None, '"') => current = Some(String::new()),
                (Some(text), '\\') => {
                    if let Some(next) = chars.next() {
                        text.push(next);
                    }
                }
                (Some(_), '"') => {
                    if let Some(text) = current.take() {
                        found.push((index + 1, text));
                    }
                }
                (Some(text), c) => text.push(c),
                (None, '/') if chars.peek() == Some(&'/') => break,
                (None, '\'') => {
                    // A char literal such as '"' must not open a string.
                    let rest: String = chars.clone().take(3).collect();
                    if rest.starts_with("\"'") || rest.starts_with("\\\"'") {
                        chars.nth(rest.find('\'').unwrap_or(0));
                    }
                }
                (None, _) => {}
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&path);
        if SKIPPED.iter().any(|s| relative.starts_with(s)) {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.to_string_lossy().ends_with("tests.rs")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_detector_tells_prose_from_names() {
    assert!(reads_as_english("cannot read guide: {error}"));
    assert!(reads_as_english("front matter is not closed"));
    assert!(!reads_as_english("kubeconfig 파일이 없습니다"));
    assert!(!reads_as_english("GATEWAY_URL"));
    assert!(!reads_as_english("Enter"));
    let found = literals("let a = \"one two\"; // \"not this\"\nlet c = '\"'; let b = \"x\";\n");
    assert_eq!(found, [(1, "one two".to_string()), (2, "x".to_string())]);
}

#[test]
fn every_message_in_the_app_is_in_korean_or_allowed_with_a_reason() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 50, "the source was found: {}", files.len());
    let mut english = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("source is readable");
        for (line, text) in literals(&source) {
            if text.chars().any(is_hangul) || ALLOWED.iter().any(|(a, _)| *a == text) {
                continue;
            }
            if reads_as_english(&text) {
                english.push(format!("{}:{line}: {text}", file.display()));
            }
        }
    }
    assert!(
        english.is_empty(),
        "English messages (say them in Korean, or add them to ALLOWED with why):\n{}",
        english.join("\n")
    );
}
