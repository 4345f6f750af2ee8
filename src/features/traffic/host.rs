//! Natural ordering of subset names (`v2` before `v10`). Host names are resolved by
//! `cluster::mesh::ServiceRef`.

use std::cmp::Ordering;

/// Compares names so that embedded numbers order by value: `v2 < v10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut left = chunks(a);
    let mut right = chunks(b);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(l), Some(r)) => {
                let order = match (l.parse::<u128>(), r.parse::<u128>()) {
                    (Ok(ln), Ok(rn)) => ln.cmp(&rn).then(l.len().cmp(&r.len())),
                    _ => l.cmp(r),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Splits a string into maximal runs of ASCII digits and of everything else.
fn chunks(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digits = first.is_ascii_digit();
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() != digits)
            .map_or(rest.len(), |(i, _)| i);
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_sort_by_value() {
        let mut names = vec!["v10", "v2", "v1", "v3", "canary", "v1a"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, ["canary", "v1", "v1a", "v2", "v3", "v10"]);
    }

    #[test]
    fn leading_zeros_keep_a_total_order() {
        assert_eq!(natural_cmp("v01", "v1"), Ordering::Greater);
        assert_eq!(natural_cmp("v1", "v1"), Ordering::Equal);
    }
}
