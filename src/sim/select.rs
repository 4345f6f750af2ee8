//! Label and field selectors for lists and watches: which objects they match. Label
//! selectors are parsed by `labels`, as the apiserver parses them.

use serde_json::Value;

use super::labels::{self, Requirement};

/// A parsed `labelSelector` plus `fieldSelector`; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    labels: Vec<Requirement>,
    fields: Vec<Requirement>,
}

/// Splits on commas that are not inside `( … )`.
fn split_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for ch in text.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    terms.push(current);
    terms
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn parse_set(text: &str) -> Vec<String> {
    text.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(|v| v.trim().to_string())
        .collect()
}

fn parse_term(term: &str) -> Result<Requirement, String> {
    if let Some((key, value)) = term.split_once("!=") {
        return Ok(Requirement::NotEquals(
            key.trim().into(),
            value.trim().into(),
        ));
    }
    if let Some((key, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
        return Ok(Requirement::Equals(key.trim().into(), value.trim().into()));
    }
    if let Some((key, set)) = term.split_once(" notin ") {
        return Ok(Requirement::NotIn(key.trim().into(), parse_set(set)));
    }
    if let Some((key, set)) = term.split_once(" in ") {
        return Ok(Requirement::In(key.trim().into(), parse_set(set)));
    }
    if let Some(key) = term.strip_prefix('!') {
        return Ok(Requirement::NotExists(key.trim().into()));
    }
    if term.contains(' ') || term.contains('(') {
        return Err(format!("unable to parse requirement: {term}"));
    }
    Ok(Requirement::Exists(term.into()))
}

impl Selector {
    pub fn parse(
        label_selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<Selector, String> {
        let labels = labels::parse(label_selector.unwrap_or_default())?;
        let fields = split_terms(field_selector.unwrap_or_default())
            .iter()
            .map(|t| parse_term(t))
            .collect::<Result<_, _>>()?;
        Ok(Selector { labels, fields })
    }

    /// No requirement at all: every object matches, so callers can skip parsing.
    pub fn is_everything(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        let label = |key: &str| labels.get(key).and_then(Value::as_str).map(str::to_string);
        let field = |key: &str| field_value(obj, key);
        self.labels.iter().all(|r| satisfied(r, &label))
            && self.fields.iter().all(|r| satisfied(r, &field))
    }
}

fn field_value(obj: &Value, dotted: &str) -> Option<String> {
    let mut cursor = obj;
    for part in dotted.split('.') {
        cursor = cursor.get(part)?;
    }
    match cursor {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn satisfied(requirement: &Requirement, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
    match requirement {
        Requirement::Equals(key, value) => lookup(key).unwrap_or_default() == *value,
        Requirement::NotEquals(key, value) => lookup(key).unwrap_or_default() != *value,
        Requirement::In(key, set) => lookup(key).is_some_and(|v| set.contains(&v)),
        Requirement::NotIn(key, set) => lookup(key).is_none_or(|v| !set.contains(&v)),
        Requirement::Exists(key) => lookup(key).is_some(),
        Requirement::NotExists(key) => lookup(key).is_none(),
        Requirement::GreaterThan(key, bound) => number(lookup(key)).is_some_and(|n| n > *bound),
        Requirement::LessThan(key, bound) => number(lookup(key)).is_some_and(|n| n < *bound),
    }
}

fn number(value: Option<String>) -> Option<i64> {
    value.and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_and_field_selectors_match() {
        let pod = json!({"metadata": {"name": "p", "labels": {"app": "reviews", "version": "v2"}},
                         "status": {"phase": "Running"}});
        let yes = |l: &str, f: &str| Selector::parse(Some(l), Some(f)).unwrap().matches(&pod);
        assert!(yes("app=reviews", ""));
        assert!(yes("app==reviews,version in (v1, v2)", "metadata.name=p"));
        assert!(!yes("app=ratings", ""));
        assert!(!yes("version notin (v2)", ""));
        assert!(yes("!missing,app", "status.phase!=Pending"));
        assert!(!yes("", "metadata.name=q"));
        assert!(Selector::parse(Some("a b"), None).is_err());
        assert_eq!(
            Selector::parse(Some("==="), None),
            Err("found '==', expected: !, identifier, or 'end of string'".into())
        );
    }
}
