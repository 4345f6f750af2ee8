//! The YAML parser's reasons (English, from serde-saphyr and its scanner) said in Korean, for
//! the editor and the guide's front matter. Unknown reasons keep the parser's words after a
//! Korean sentence, so nothing is lost.

/// Known parser reasons, matched as they begin or contain, with what they mean in Korean.
const REASONS: &[(&str, &str)] = &[
    ("unclosed bracket", "괄호가 닫히지 않았습니다"),
    ("mismatched bracket", "괄호의 짝이 맞지 않습니다"),
    (
        "unexpected character",
        "그 자리에 올 수 없는 문자가 있습니다",
    ),
    (
        "mapping values are not allowed",
        "이 자리에는 `키: 값`을 쓸 수 없습니다 (들여쓰기와 콜론을 확인하세요)",
    ),
    (
        "did not find expected key",
        "키가 와야 할 자리에 다른 것이 있습니다 (들여쓰기를 확인하세요)",
    ),
    (
        "did not find expected '-'",
        "목록 항목(`- `)이 와야 할 자리에 다른 것이 있습니다",
    ),
    ("expected ',' or ']'", "목록에 `,`나 `]`가 빠졌습니다"),
    ("expected ',' or '}'", "매핑에 `,`나 `}`가 빠졌습니다"),
    ("tab", "탭 문자로는 들여쓸 수 없습니다 (스페이스를 쓰세요)"),
    (
        "cannot start any token",
        "토큰을 시작할 수 없는 문자가 있습니다 (탭이나 특수 문자를 확인하세요)",
    ),
    ("unterminated", "따옴표나 블록이 닫히지 않았습니다"),
    ("quoted scalar", "따옴표가 닫히지 않았습니다"),
    ("unexpected eof", "문서가 도중에 끝났습니다"),
    ("unexpected end", "문서가 도중에 끝났습니다"),
    ("duplicate", "같은 키가 두 번 나옵니다"),
    ("invalid type", "값의 형식이 맞지 않습니다"),
    ("expected mapping", "매핑(`키: 값`)이어야 합니다"),
    ("missing field", "필요한 필드가 없습니다"),
    ("unknown field", "알 수 없는 필드입니다"),
];

/// The Korean reason for a parser message.
pub fn korean(detail: &str) -> String {
    let lower = detail.to_lowercase();
    match REASONS.iter().find(|(english, _)| lower.contains(english)) {
        Some((_, korean)) => format!("{korean} ({detail})"),
        None => format!("YAML을 읽을 수 없습니다 ({detail})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_reasons_read_in_korean_and_keep_the_parsers_words() {
        let said = korean("unclosed bracket '['");
        assert!(said.starts_with("괄호가 닫히지 않았습니다"), "{said}");
        assert!(said.contains("'['"), "{said}");
        assert!(
            korean("mapping values are not allowed in this context").starts_with("이 자리에는")
        );
        assert!(korean("something new").starts_with("YAML을 읽을 수 없습니다"));
    }

    #[test]
    fn the_editor_s_parse_errors_are_korean() {
        let parsed: Result<serde_json::Value, _> = serde_saphyr::from_str("spec: [v1, v2\n");
        let error = parsed.expect_err("an unclosed bracket");
        use serde_saphyr::MessageFormatter;
        let detail = serde_saphyr::UserMessageFormatter
            .format_message(error.without_snippet())
            .to_string();
        let said = korean(&detail);
        assert!(
            !said.starts_with("YAML을 읽을 수 없습니다"),
            "a known reason: {said}"
        );
    }
}
