//! Tests of the typed reading: recorded objects, lenient fields, weights, host resolution.

use super::*;
use serde_json::json;

fn first_item(json: &str) -> DynamicObject {
    let list: Value = serde_json::from_str(json).unwrap();
    serde_json::from_value(list["items"][0].clone()).unwrap()
}

fn virtual_service(spec: Value) -> VirtualServiceView {
    let object = MeshObject::from_value(MeshKind::VirtualService, json!({ "spec": spec }));
    object.virtual_service().cloned().unwrap()
}

#[test]
fn reads_the_recorded_reviews_virtual_service() {
    let event = first_item(include_str!(
        "../../../tests/fixtures/rows/recorded-virtualservices.json"
    ));
    let object = MeshObject::read(MeshKind::VirtualService, &event);
    assert_eq!(object.name, "reviews");
    assert_eq!(object.namespace, "default");
    assert_eq!(object.resource_version.as_deref(), Some("300"));
    assert_eq!(
        object.types.as_ref().map(|t| t.kind.as_str()),
        Some("VirtualService")
    );
    assert_eq!(object.raw["spec"]["http"][0]["name"], "reviews-route");
    assert_eq!(object.kind(), MeshKind::VirtualService);
    assert!(object.destination_rule().is_none());
    let view = object.virtual_service().unwrap();
    assert_eq!(view, &VirtualServiceView::from_object(&event));
    assert_eq!(view.hosts, ["reviews"]);
    let route = view.route_to("reviews.default.svc.cluster.local").unwrap();
    assert_eq!(route.name.as_deref(), Some("reviews-route"));
    let subsets: Vec<Option<&str>> = route
        .destinations
        .iter()
        .map(|d| d.subset.as_deref())
        .collect();
    assert_eq!(subsets, [Some("v1"), Some("v2")]);
    assert_eq!(route.effective_weights(), [90, 10]);
    assert!(view.route_to("reviews.other").is_none());
}

#[test]
fn reads_the_recorded_destination_rule_and_gateway() {
    let object = MeshObject::read(
        MeshKind::DestinationRule,
        &first_item(include_str!(
            "../../../tests/fixtures/rows/recorded-destinationrules.json"
        )),
    );
    let rule = object.destination_rule().unwrap();
    assert_eq!(rule.host, "reviews");
    assert_eq!(rule.service, ServiceRef::resolve("reviews", "default"));
    let names: Vec<&str> = rule.subsets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["v1", "v2", "v3"]);
    assert_eq!(
        rule.subsets[2].labels.get("version").map(String::as_str),
        Some("v3")
    );

    let object = MeshObject::read(
        MeshKind::Gateway,
        &first_item(include_str!(
            "../../../tests/fixtures/rows/recorded-gateways.json"
        )),
    );
    let MeshSpec::Gateway(gateway) = &object.spec else {
        panic!("a Gateway reads as one: {object:?}");
    };
    assert_eq!(
        gateway.selector.get("istio").map(String::as_str),
        Some("ingressgateway")
    );
    assert_eq!(
        gateway.servers,
        [GatewayServerView {
            port_number: Some(8080),
            port_name: Some("http".into()),
            protocol: Some("HTTP".into()),
            hosts: vec!["*".into()],
        }]
    );
}

#[test]
fn lone_destination_defaults_to_full_weight() {
    let view = virtual_service(
        json!({"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}}]}]}),
    );
    assert_eq!(view.http[0].effective_weights(), [100]);
    let split = virtual_service(json!({"http": [{"route": [
        {"destination": {"host": "reviews", "subset": "v1"}, "weight": "70"},
        {"destination": {"host": "reviews", "subset": "v3"}}
    ]}]}));
    assert_eq!(split.http[0].effective_weights(), [70, 0]);
}

#[test]
fn weights_out_of_range_read_as_the_nearest_end() {
    let view = virtual_service(json!({"http": [{"route": [
        {"destination": {"host": "reviews", "subset": "v1"}, "weight": 500},
        {"destination": {"host": "reviews", "subset": "v2"}, "weight": 1e12}
    ]}]}));
    assert_eq!(view.http[0].effective_weights(), [100, 100]);
    assert_eq!(weight_from(-5), 0);
    assert_eq!(weight_from(42), 42);
    assert_eq!(weight_from(i64::MAX), FULL);
}

#[test]
fn malformed_specs_give_empty_views() {
    for spec in [
        json!(null),
        json!("text"),
        json!({"hosts": "reviews", "http": {"route": 3}}),
        json!({"http": [{"route": [{"destination": 5, "weight": -3}]}]}),
        json!({"subsets": [{"labels": {"version": "v1"}}]}),
    ] {
        let view = virtual_service(spec.clone());
        assert!(view.hosts.is_empty());
        for route in &view.http {
            for destination in &route.destinations {
                assert_eq!(destination.host, "");
                assert_eq!(destination.weight, None);
            }
        }
        let object = json!({ "spec": spec });
        let rule = MeshObject::from_value(MeshKind::DestinationRule, object.clone());
        assert!(rule.destination_rule().unwrap().subsets.is_empty());
        let gateway = MeshObject::from_value(MeshKind::Gateway, object);
        assert!(matches!(&gateway.spec, MeshSpec::Gateway(g) if g.servers.is_empty()));
        assert_eq!(gateway.name, "");
        assert_eq!(gateway.types, None);
    }
}

#[test]
fn short_and_qualified_names_resolve_to_the_same_service() {
    let reviews = ServiceRef::resolve("reviews", "default");
    assert_eq!(
        reviews,
        ServiceRef {
            name: "reviews".into(),
            namespace: "default".into()
        }
    );
    for form in [
        "reviews.default",
        "reviews.default.svc",
        "reviews.default.svc.cluster.local",
        "reviews.default.svc.corp.example",
    ] {
        assert_eq!(ServiceRef::resolve(form, "default"), reviews, "{form}");
    }
}

#[test]
fn other_services_and_namespaces_do_not_match() {
    let reviews = ServiceRef::resolve("reviews", "default");
    for other in [
        "ratings",
        "reviews.other",
        "reviews.other.svc.cluster.local",
        "reviews-v2",
    ] {
        assert_ne!(ServiceRef::resolve(other, "default"), reviews, "{other}");
    }
    assert_eq!(
        ServiceRef::resolve("reviews.other", "default"),
        ServiceRef::resolve("reviews", "other")
    );
}
