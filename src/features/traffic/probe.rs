//! Classifying a Bookinfo productpage response by the `reviews` version that served it.
//!
//! The page names the serving pod after "Reviews served by:"; the pod's `version` label (or the
//! `-vN-` part of its name) gives the version. Pages without that line are classified by the
//! rating stars: none for v1, black for v2, red for v3. Both the current Tailwind markup
//! (`<div class="flex gap-x-1 text-red-500">` around SVG stars) and the older Bootstrap markup
//! (`<font color="red">` around glyphicon stars, or `style="color: red"` on the stars) are read.

/// What one probe request observed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Served {
    Version(String),
    Error(ErrorKind),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// The mesh answered 503 (no healthy upstream, or an undefined subset).
    Http503,
    /// productpage rendered "Error fetching product reviews".
    ReviewsUnavailable,
    /// Any other failure: another HTTP error, an access denial, an injected fault.
    Other,
}

const SERVED_BY: &str = "Reviews served by:";
const REVIEWS_ERROR: &str = "Error fetching product reviews";
const RATINGS_DOWN: &str = "Ratings service is currently unavailable";
/// Bodies Envoy sends itself with a 503.
const ENVOY_503: [&str; 2] = [
    "no healthy upstream",
    "upstream connect error or disconnect/reset before headers",
];
/// Bodies of other mesh-generated failures.
const MESH_FAILURES: [&str; 3] = [
    "RBAC: access denied",
    "fault filter abort",
    "upstream request timeout",
];
/// Markers of a rating star in any of the known markups.
const STAR_MARKERS: [&str; 5] = [
    "glyphicon-star",
    "class=\"star\"",
    "&#9733;",
    "\u{2605}",
    "flex gap-x-1 text-",
];
const RED: [&str; 5] = [
    "color=\"red\"",
    "color:red",
    "color: red",
    "gap-x-1 text-red-",
    "color=red",
];
const BLACK: [&str; 5] = [
    "color=\"black\"",
    "color:black",
    "color: black",
    "gap-x-1 text-black",
    "color=black",
];
/// How far around a star marker its colour is looked for: the `<font>` tag opens a few lines
/// before the first glyphicon.
const COLOUR_WINDOW: usize = 400;

/// Classifies a response by HTTP status first, then by body (see [`classify`]).
pub fn classify_response(
    status: u16,
    body: &str,
    pods_version: &dyn Fn(&str) -> Option<String>,
) -> Served {
    match status {
        503 => Served::Error(ErrorKind::Http503),
        400.. => Served::Error(ErrorKind::Other),
        _ => classify(body, pods_version),
    }
}

/// Classifies a productpage body. `pods_version` maps a pod name to its `version` label.
pub fn classify(html: &str, pods_version: &dyn Fn(&str) -> Option<String>) -> Served {
    if html.contains(REVIEWS_ERROR) {
        return Served::Error(ErrorKind::ReviewsUnavailable);
    }
    if ENVOY_503.iter().any(|marker| html.contains(marker)) {
        return Served::Error(ErrorKind::Http503);
    }
    if MESH_FAILURES.iter().any(|marker| html.contains(marker)) {
        return Served::Error(ErrorKind::Other);
    }
    if let Some(pod) = serving_pod(html)
        && let Some(version) = pods_version(pod).or_else(|| version_in_pod_name(pod))
    {
        return Served::Version(version);
    }
    match html.find("Book Reviews") {
        Some(section) => version_from_stars(html, section),
        None => Served::Unknown,
    }
}

/// The pod name following "Reviews served by:", past any tags and whitespace.
fn serving_pod(html: &str) -> Option<&str> {
    let mut rest = &html[html.find(SERVED_BY)? + SERVED_BY.len()..];
    loop {
        rest = rest.trim_start();
        match rest.strip_prefix('<') {
            Some(tag) => rest = &tag[tag.find('>')? + 1..],
            None => break,
        }
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or(rest.len());
    let pod = &rest[..end];
    (!pod.is_empty()).then_some(pod)
}

/// `reviews-v2-7d79d5bd5d-8zzqd` → `v2`: the first dash-separated part after the app name
/// that is `v` followed by digits.
pub fn version_in_pod_name(pod: &str) -> Option<String> {
    pod.split('-')
        .skip(1)
        .find(|part| {
            part.strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string)
}

fn version_from_stars(html: &str, section: usize) -> Served {
    let reviews = &html[section..];
    let Some(star) = STAR_MARKERS.iter().filter_map(|m| reviews.find(m)).min() else {
        // v2 and v3 both lose their stars when ratings is down; only v1 never has any.
        return if reviews.contains(RATINGS_DOWN) {
            Served::Unknown
        } else {
            Served::Version("v1".to_string())
        };
    };
    let start = char_floor(reviews, star.saturating_sub(COLOUR_WINDOW));
    let end = char_floor(reviews, (star + COLOUR_WINDOW).min(reviews.len()));
    let window = &reviews[start..end];
    let nearest = |markers: &[&str]| {
        markers
            .iter()
            .filter_map(|m| window.find(m))
            .map(|at| (start + at).abs_diff(star))
            .min()
    };
    match (nearest(&RED), nearest(&BLACK)) {
        (Some(red), Some(black)) if black < red => Served::Version("v2".to_string()),
        (Some(_), _) => Served::Version("v3".to_string()),
        (None, Some(_)) => Served::Version("v2".to_string()),
        (None, None) => Served::Unknown,
    }
}

/// The largest char boundary not after `index`.
fn char_floor(s: &str, mut index: usize) -> usize {
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
