//! Tests of what the traffic lab reads from the watched objects: subsets, routes and checks.

use jiff::Timestamp;
use kube::api::DynamicObject;
use serde_json::{Value, json};

use super::*;
use crate::features::cluster::{Change, ClusterEvent, Health, PodRow};

fn pod(version: &str) -> PodRow {
    PodRow {
        namespace: "default".into(),
        name: format!("reviews-{version}-abc"),
        ready: (2, 2),
        status: "Running".into(),
        restarts: 0,
        last_restart: None,
        created: None,
        health: Health::Good,
        labels: [("app", "reviews"), ("version", version)]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into(),
        deleting: false,
    }
}

/// A DestinationRule `name` in `default` for `host`, one subset per version label.
fn rule(name: &str, host: &str, versions: &[&str]) -> ClusterEvent {
    let subsets: Vec<Value> = versions
        .iter()
        .map(|v| json!({"name": v, "labels": {"version": v}}))
        .collect();
    mesh(
        MeshKind::DestinationRule,
        json!({
            "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"host": host, "subsets": subsets}
        }),
    )
}

/// The `reviews` VirtualService in `default` sending 80/20 to v1 and v2.
fn virtual_service() -> ClusterEvent {
    let route = |subset: &str, weight: Weight| json!({"destination": {"host": "reviews", "subset": subset}, "weight": weight});
    mesh(
        MeshKind::VirtualService,
        json!({
            "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "reviews", "namespace": "default"},
            "spec": {"hosts": ["reviews"], "http": [{"route": [route("v1", 80), route("v2", 20)]}]}
        }),
    )
}

fn mesh(kind: MeshKind, object: Value) -> ClusterEvent {
    let object: DynamicObject = serde_json::from_value(object).unwrap();
    ClusterEvent::Mesh {
        kind,
        change: Change::Applied(object),
    }
}

/// Pods v1 and v2 of `reviews` in `default`, then `events`, then one sync.
fn synced(events: Vec<ClusterEvent>) -> (TrafficView, ClusterView) {
    let mut cluster = ClusterView::new(Timestamp::UNIX_EPOCH);
    cluster.apply(ClusterEvent::Pods {
        namespace: "default".into(),
        change: Change::Reset(vec![pod("v1"), pod("v2")]),
    });
    for event in events {
        cluster.apply(event);
    }
    let mut traffic = TrafficView::default();
    traffic.sync(&cluster, "default");
    (traffic, cluster)
}

fn sliders(traffic: &TrafficView) -> Vec<(&str, Weight)> {
    let subsets = &traffic.sliders.subsets;
    subsets
        .iter()
        .map(|s| (s.name.as_str(), s.weight))
        .collect()
}

fn findings(traffic: &TrafficView) -> Vec<(Option<&str>, Vec<&str>)> {
    let found = &traffic.findings;
    found
        .iter()
        .map(|f| (f.code, f.subsets.iter().map(String::as_str).collect()))
        .collect()
}

#[test]
fn a_rule_for_reviews_in_another_namespace_adds_no_subsets_and_is_not_the_rule() {
    let other = rule("reviews-other", "reviews.other", &["v1", "v2", "v3", "v4"]);
    let (traffic, cluster) = synced(vec![other, virtual_service()]);
    assert_eq!(
        sliders(&traffic),
        [("v1", 80), ("v2", 20)],
        "subsets from the pods, none from the other namespace's rule"
    );
    let rules = destination_rules(&cluster);
    assert_eq!(rules.len(), 1, "the rule is watched all the same");
    assert_eq!(
        known_subsets(&cluster, "default", &rules),
        ["v1", "v2"],
        "v3 and v4 are reviews.other's"
    );
    assert_eq!(
        findings(&traffic),
        [(Some("IST0101"), vec!["v1", "v2"])],
        "no DestinationRule defines reviews' subsets: one finding names both"
    );
    assert!(
        traffic.findings[0]
            .message_ko
            .contains("DestinationRule이 아직 없습니다")
    );
    assert_eq!(
        traffic.route.as_ref().map(|r| r.weights.len()),
        Some(2),
        "the VirtualService's route to reviews is still the lab's"
    );
}

#[test]
fn a_rule_for_reviews_written_in_full_is_the_labs() {
    let here = rule(
        "reviews-other",
        "reviews.default.svc.cluster.local",
        &["v1", "v2", "v3", "v4"],
    );
    let (traffic, _) = synced(vec![here, virtual_service()]);
    assert_eq!(
        sliders(&traffic),
        [("v1", 80), ("v2", 20), ("v3", 0), ("v4", 0)]
    );
    assert_eq!(
        findings(&traffic),
        [(Some("IST0173"), vec!["v3"]), (Some("IST0173"), vec!["v4"])],
        "v3 and v4 are defined, only without pods"
    );
}

#[test]
fn the_lab_service_is_reviews_in_the_lab_namespace() {
    let service = lab_service("bookinfo");
    assert_eq!(
        service,
        ServiceRef::resolve("reviews.bookinfo.svc", "default")
    );
    assert_ne!(service, ServiceRef::resolve("reviews", "default"));
}
