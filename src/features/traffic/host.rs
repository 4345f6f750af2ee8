//! Host-name matching between Istio resources and a Kubernetes service, plus natural ordering of subset names.

use std::cmp::Ordering;

/// Whether `candidate` (as written in a VirtualService or DestinationRule) names the same
/// service as `host`, the way Istio resolves short names: relative to `namespace`.
///
/// `reviews`, `reviews.default`, `reviews.default.svc` and
/// `reviews.default.svc.cluster.local` all name the same service for a resource in `default`.
pub fn same_service(candidate: &str, host: &str, namespace: &str) -> bool {
    let (cand_name, cand_ns) = split_host(candidate, namespace);
    let (host_name, host_ns) = split_host(host, namespace);
    cand_name == host_name && cand_ns == host_ns
}

/// The service name and namespace a host refers to. Any cluster domain after `svc` is
/// accepted because clusters may be configured with a domain other than `cluster.local`.
fn split_host<'a>(host: &'a str, namespace: &'a str) -> (&'a str, &'a str) {
    let mut labels = host.split('.');
    let name = labels.next().unwrap_or_default();
    let ns = labels.next().unwrap_or(namespace);
    (name, ns)
}

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
    fn short_and_qualified_names_match_in_the_same_namespace() {
        for form in [
            "reviews",
            "reviews.default",
            "reviews.default.svc",
            "reviews.default.svc.cluster.local",
        ] {
            assert!(same_service(form, "reviews", "default"), "{form}");
        }
    }

    #[test]
    fn other_services_and_namespaces_do_not_match() {
        assert!(!same_service("ratings", "reviews", "default"));
        assert!(!same_service(
            "reviews.other.svc.cluster.local",
            "reviews",
            "default"
        ));
        assert!(!same_service("reviews-v2", "reviews", "default"));
        assert!(same_service("reviews.other", "reviews", "other"));
    }

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
