//! Bookinfo's product page as the demo cluster renders it, one snapshot per reviews version
//! (reviewed in a browser: navbar, the book and its summary, the details, two reviews with
//! no, black or red stars), plus the page when reviews or details cannot be reached.

use istio_lab::features::traffic::{Served, classify};
use istio_lab::sim::productpage::{Mesh, serve};
use serde_json::{Value, json};

fn pod(name: &str, app: &str, version: &str) -> Value {
    json!({"metadata": {"name": name, "labels": {"app": app, "version": version}},
           "status": {"podIP": "10.244.1.9", "conditions": [{"type": "Ready", "status": "True"}]}})
}

fn route(subset: &str) -> Value {
    json!({"spec": {"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": "reviews", "subset": subset}}]}]}})
}

fn rule() -> Value {
    let subsets: Vec<Value> = ["v1", "v2", "v3"]
        .iter()
        .map(|v| json!({"name": v, "labels": {"version": v}}))
        .collect();
    json!({"spec": {"host": "reviews", "subsets": subsets}})
}

fn bookinfo() -> Vec<Value> {
    vec![
        pod("productpage-v1-6c5866866c-tdrcc", "productpage", "v1"),
        pod("details-v1-77b775f46-kdwfz", "details", "v1"),
        pod("ratings-v1-d87c97c48-xnvwb", "ratings", "v1"),
        pod("reviews-v1-5c4d6d447c-lz7tm", "reviews", "v1"),
        pod("reviews-v2-7d79d5bd5d-8zzqd", "reviews", "v2"),
        pod("reviews-v3-7dbcdcbc56-8rkps", "reviews", "v3"),
    ]
}

fn page_for(subset: &str, pods: &[Value]) -> String {
    let (route, rule) = (route(subset), rule());
    let mesh = Mesh {
        virtual_services: vec![&route],
        destination_rules: vec![&rule],
        pods: pods.iter().collect(),
    };
    let page = serve(&mesh, 0);
    assert_eq!(page.status, 200);
    page.body
}

#[test]
fn each_reviews_version_renders_bookinfo_s_page() {
    let pods = bookinfo();
    for version in ["v1", "v2", "v3"] {
        let body = page_for(version, &pods);
        // The app's probe reads the version back from the page.
        assert_eq!(classify(&body, &|_| None), Served::Version(version.into()));
        for needed in [
            "<title>Simple Bookstore App</title>",
            "The Comedy of Errors",
            "ISBN-13:</dt><dd>123-1234567890",
            "Reviewer1",
            "Reviewer2",
        ] {
            assert!(body.contains(needed), "{version}: {needed}");
        }
        // Self-contained: nothing fetched from elsewhere.
        assert!(!body.contains("<link") && !body.contains("<script") && !body.contains("src="));
        insta::assert_snapshot!(format!("productpage_{version}"), body);
    }
}

#[test]
fn missing_services_show_productpage_s_own_errors() {
    let mut pods = bookinfo();
    pods.retain(|p| {
        p["metadata"]["labels"]["app"] != "ratings" && p["metadata"]["labels"]["app"] != "details"
    });
    let body = page_for("v3", &pods);
    assert!(
        body.contains("Ratings service is currently unavailable"),
        "{body}"
    );
    assert!(body.contains("Sorry, product details are currently unavailable for this book."));
    assert_eq!(classify(&body, &|_| None), Served::Version("v3".into()));
    pods.retain(|p| p["metadata"]["labels"]["app"] != "reviews");
    let body = page_for("v3", &pods);
    assert!(body.contains("Error fetching product reviews"), "{body}");
}
