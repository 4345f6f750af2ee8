//! Object names: the DNS rules each kind's names follow on create, and the path-segment
//! rule every name read from a URL follows, worded as apimachinery words them.

use super::resources::RESOURCES;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";

/// `k8s.io/apimachinery/pkg/util/validation.MaxLenError`.
fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// `k8s.io/apimachinery/pkg/util/validation.RegexError` (two spaces before "or", as Go
/// builds it).
fn regex_error(message: &str, format: &str, examples: &[&str]) -> String {
    let examples: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{message} (e.g. {}regex used for validation is '{format}')",
        examples.join(" or ")
    )
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, or with `first` deciding the first character.
fn is_label(text: &str, first: fn(u8) -> bool) -> bool {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&head), Some(&tail)) => {
            first(head)
                && is_lower_alnum(tail)
                && bytes.iter().all(|&b| is_lower_alnum(b) || b == b'-')
        }
        _ => false,
    }
}

fn is_subdomain(text: &str) -> bool {
    text.split('.').all(|label| is_label(label, is_lower_alnum))
}

fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if name.len() > 253 {
        errors.push(max_len_error(253));
    }
    if !is_subdomain(name) {
        errors.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errors
}

fn dns1123_label(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if name.len() > 63 {
        errors.push(max_len_error(63));
    }
    if !is_label(name, is_lower_alnum) {
        if is_subdomain(name) {
            errors.push("must not contain dots".to_string());
        } else {
            errors.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errors
}

fn dns1035_label(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if name.len() > 63 {
        errors.push(max_len_error(63));
    }
    if !is_label(name, |b| b.is_ascii_lowercase()) {
        errors.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errors
}

/// What is wrong with `name` for an object of `resource` being created: Services are
/// DNS-1035 labels, Namespaces DNS-1123 labels, everything else served here DNS-1123
/// subdomains. Empty when the name is fine.
pub fn name_errors(resource: usize, name: &str) -> Vec<String> {
    match RESOURCES[resource].plural {
        "services" => dns1035_label(name),
        "namespaces" => dns1123_label(name),
        _ => dns1123_subdomain(name),
    }
}

/// `content.IsPathSegmentName`: names that cannot be a segment of a URL or a storage key.
pub fn path_segment_errors(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|part| name.contains(**part))
        .map(|part| format!("may not contain '{part}'"))
        .collect()
}

/// Go's `%q` of a string, as the apiserver puts names into messages.
pub fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for ch in text.chars() {
        match ch {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                quoted.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::{NAMESPACES, PODS, SERVICES, VIRTUALSERVICES};

    #[test]
    fn subdomain_names_follow_rfc_1123() {
        assert!(name_errors(VIRTUALSERVICES, "reviews").is_empty());
        assert!(name_errors(PODS, "reviews-v1-6bdf74cc7d.b8czw").is_empty());
        assert_eq!(
            name_errors(VIRTUALSERVICES, "UPPER"),
            vec![
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', \
                 and must start and end with an alphanumeric character (e.g. 'example.com', regex used for \
                 validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ]
        );
        assert_eq!(
            name_errors(PODS, &"a".repeat(300)),
            vec!["must be no more than 253 characters"]
        );
        assert_eq!(name_errors(PODS, "..").len(), 1);
        assert_eq!(name_errors(PODS, "-a").len(), 1);
    }

    #[test]
    fn services_and_namespaces_are_labels() {
        assert!(name_errors(SERVICES, "reviews").is_empty());
        assert!(name_errors(SERVICES, "9lives")[0].starts_with("a DNS-1035 label must consist"));
        assert!(
            name_errors(SERVICES, "9lives")[0].contains("(e.g. 'my-name',  or 'abc-123', regex")
        );
        assert_eq!(
            name_errors(NAMESPACES, "a.b"),
            vec!["must not contain dots"]
        );
        assert!(name_errors(NAMESPACES, "9lives").is_empty());
    }

    #[test]
    fn path_segments_and_quoting() {
        assert_eq!(path_segment_errors(".."), vec!["may not be '..'"]);
        assert_eq!(
            path_segment_errors("a/b%c"),
            vec!["may not contain '/'", "may not contain '%'"]
        );
        assert!(path_segment_errors("a.b").is_empty());
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
