//! Tests of the productpage classifier against the Bookinfo fixtures.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/bookinfo/", $name))
    };
}

fn no_pods(_: &str) -> Option<String> {
    None
}

fn version(v: &str) -> Served {
    Served::Version(v.to_string())
}

/// The page as it looked before productpage printed the serving pod.
fn without_served_by(html: &str) -> String {
    html.replace(SERVED_BY, "")
}

#[test]
fn current_markup_names_the_serving_pod() {
    assert_eq!(
        classify(fixture!("productpage-v1-current.html"), &no_pods),
        version("v1")
    );
    assert_eq!(
        classify(fixture!("productpage-v2-current.html"), &no_pods),
        version("v2")
    );
    assert_eq!(
        classify(fixture!("productpage-v3-current.html"), &no_pods),
        version("v3")
    );
}

#[test]
fn the_pods_version_label_wins_over_the_pod_name() {
    let lookup = |pod: &str| (pod == "reviews-v2-7d79d5bd5d-8zzqd").then(|| "canary".to_string());
    assert_eq!(
        classify(fixture!("productpage-v2-current.html"), &lookup),
        version("canary")
    );
}

#[test]
fn current_star_colours_give_the_version() {
    for (file, expected) in [
        (fixture!("productpage-v1-current.html"), "v1"),
        (fixture!("productpage-v2-current.html"), "v2"),
        (fixture!("productpage-v3-current.html"), "v3"),
    ] {
        assert_eq!(
            classify(&without_served_by(file), &no_pods),
            version(expected)
        );
    }
}

#[test]
fn legacy_star_colours_give_the_version() {
    assert_eq!(
        classify(fixture!("productpage-v1-legacy.html"), &no_pods),
        version("v1")
    );
    assert_eq!(
        classify(fixture!("productpage-v2-legacy.html"), &no_pods),
        version("v2")
    );
    assert_eq!(
        classify(fixture!("productpage-v3-legacy.html"), &no_pods),
        version("v3")
    );
}

#[test]
fn star_style_attributes_give_the_version() {
    let page = |style: &str| {
        format!(
            "<h4>Book Reviews</h4><blockquote><p>Fun</p><div>\
             <span class=\"star\" style={style}>&#9733;</span></div></blockquote>"
        )
    };
    assert_eq!(classify(&page("\"color: red\""), &no_pods), version("v3"));
    assert_eq!(classify(&page("color:black"), &no_pods), version("v2"));
    assert_eq!(classify(&page("color:gold"), &no_pods), Served::Unknown);
}

#[test]
fn reviews_unavailable_in_both_markups() {
    assert_eq!(
        classify(fixture!("productpage-reviews-unavailable.html"), &no_pods),
        Served::Error(ErrorKind::ReviewsUnavailable)
    );
    let legacy = "<h4 class=\"text-center text-primary\">Error fetching product reviews!</h4>\
                  <p>Sorry, product reviews are currently unavailable for this book.</p>";
    assert_eq!(
        classify(legacy, &no_pods),
        Served::Error(ErrorKind::ReviewsUnavailable)
    );
}

#[test]
fn mesh_error_bodies_are_errors() {
    assert_eq!(
        classify("no healthy upstream", &no_pods),
        Served::Error(ErrorKind::Http503)
    );
    assert_eq!(
        classify(
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
            &no_pods
        ),
        Served::Error(ErrorKind::Http503)
    );
    assert_eq!(
        classify("RBAC: access denied", &no_pods),
        Served::Error(ErrorKind::Other)
    );
}

#[test]
fn status_codes_come_before_the_body() {
    let page = fixture!("productpage-v2-current.html");
    assert_eq!(
        classify_response(503, "", &no_pods),
        Served::Error(ErrorKind::Http503)
    );
    assert_eq!(
        classify_response(500, page, &no_pods),
        Served::Error(ErrorKind::Other)
    );
    assert_eq!(classify_response(200, page, &no_pods), version("v2"));
}

#[test]
fn ratings_outage_without_pod_name_is_unknown() {
    let page = "<h4>Book Reviews</h4><blockquote><p>Fun</p>\
                <p class=\"text-red-500\">Ratings service is currently unavailable</p></blockquote>";
    assert_eq!(classify(page, &no_pods), Served::Unknown);
}

#[test]
fn unrelated_pages_are_unknown() {
    assert_eq!(classify("", &no_pods), Served::Unknown);
    assert_eq!(
        classify("<html><body>hello</body></html>", &no_pods),
        Served::Unknown
    );
}

#[test]
fn pod_names_yield_their_version() {
    assert_eq!(
        version_in_pod_name("reviews-v2-7d79d5bd5d-8zzqd").as_deref(),
        Some("v2")
    );
    assert_eq!(
        version_in_pod_name("reviews-v10-abc-xyz").as_deref(),
        Some("v10")
    );
    assert_eq!(version_in_pod_name("reviews-7d79d5bd5d-8zzqd"), None);
    assert_eq!(version_in_pod_name("v1"), None);
}

#[test]
fn the_pod_name_may_follow_tags_or_whitespace() {
    assert_eq!(
        serving_pod("<dt>Reviews served by:</dt>\n  <u>reviews-v3-x-y</u>"),
        Some("reviews-v3-x-y")
    );
    assert_eq!(
        serving_pod("<dt>Reviews served by:</dt><dd><u>reviews-v1-a-b</u></dd>"),
        Some("reviews-v1-a-b")
    );
    assert_eq!(serving_pod("Reviews served by: </div>"), None);
}

#[test]
fn colour_search_never_splits_a_character() {
    let mut page = String::from("<h4>Book Reviews</h4>");
    page.push_str(&"한".repeat(300));
    page.push_str("<font color=\"red\"><span class=\"glyphicon glyphicon-star\"></span></font>");
    page.push_str(&"글".repeat(300));
    assert_eq!(classify(&page, &no_pods), version("v3"));
}
