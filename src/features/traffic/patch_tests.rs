//! Tests of route discovery and patch bodies; the bodies are reviewed as insta snapshots.

use super::*;
use crate::features::cluster::MeshKind;

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

fn weights(pairs: &[(&str, Weight)]) -> Vec<(String, Weight)> {
    pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

/// The watched object as the lab stores it.
fn read(vs: &Value) -> MeshObject {
    MeshObject::from_value(MeshKind::VirtualService, vs.clone())
}

/// The route to `host` in namespace `default`, where the fixtures live.
fn route_to(vs: &Value, host: &str) -> Option<WeightedRoute> {
    weighted_route(&read(vs), &ServiceRef::resolve(host, "default"))
}

/// The guide's `virtual-service-reviews-80-20.yaml` as the API server returns it.
fn guide_80_20() -> Value {
    json!({
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "VirtualService",
        "metadata": {
            "name": "reviews",
            "namespace": "default",
            "resourceVersion": "4711",
            "uid": "0b4a7f4e-2c55-4f0e-9a43-1f7d3e0c6a11",
            "generation": 1
        },
        "spec": {
            "hosts": ["reviews"],
            "http": [{
                "route": [
                    { "destination": { "host": "reviews", "subset": "v1" }, "weight": 80 },
                    { "destination": { "host": "reviews", "subset": "v2" }, "weight": 20 }
                ]
            }]
        }
    })
}

fn match_then_default() -> Value {
    json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": { "name": "reviews", "namespace": "default" },
        "spec": {
            "hosts": ["reviews"],
            "gateways": ["mesh"],
            "http": [
                {
                    "name": "jason",
                    "match": [{ "headers": { "end-user": { "exact": "jason" } } }],
                    "route": [{ "destination": { "host": "reviews", "subset": "v2" } }],
                    "timeout": "2s"
                },
                {
                    "name": "default",
                    "route": [
                        {
                            "destination": { "host": "reviews", "subset": "v1" },
                            "weight": 80,
                            "headers": { "response": { "set": { "x-served": "v1" } } }
                        },
                        {
                            "destination": { "host": "reviews", "subset": "v2", "port": { "number": 9080 } },
                            "weight": 20
                        }
                    ],
                    "timeout": "10s",
                    "retries": { "attempts": 3, "perTryTimeout": "2s", "retryOn": "5xx,connect-failure" },
                    "mirror": { "host": "reviews", "subset": "v3" },
                    "mirrorPercentage": { "value": 5.0 }
                }
            ]
        }
    })
}

fn fqdn() -> Value {
    json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": { "name": "reviews", "namespace": "default" },
        "spec": {
            "hosts": ["reviews.default.svc.cluster.local"],
            "http": [{
                "route": [
                    {
                        "destination": {
                            "host": "reviews.default.svc.cluster.local",
                            "subset": "v1",
                            "port": { "number": 9080 }
                        },
                        "weight": 50
                    },
                    {
                        "destination": {
                            "host": "reviews.default.svc.cluster.local",
                            "subset": "v2",
                            "port": { "number": 9080 }
                        },
                        "weight": 50
                    }
                ]
            }]
        }
    })
}

fn all_v1() -> Value {
    json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": { "name": "reviews", "namespace": "default" },
        "spec": {
            "hosts": ["reviews"],
            "http": [{ "route": [{ "destination": { "host": "reviews", "subset": "v1" } }] }]
        }
    })
}

/// Everything in `spec.http` except the weights of route `index` (and destinations appended to
/// it) must be identical to the original.
fn assert_only_weights_changed(original: &Value, patched_http: &Value, index: usize) {
    let before = original.pointer("/spec/http").unwrap().as_array().unwrap();
    let after = patched_http.as_array().unwrap();
    assert_eq!(before.len(), after.len());
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        if i != index {
            assert_eq!(b, a, "route {i} must be untouched");
            continue;
        }
        let (b, a) = (b.as_object().unwrap(), a.as_object().unwrap());
        assert_eq!(b.keys().collect::<Vec<_>>(), a.keys().collect::<Vec<_>>());
        for (key, value) in b {
            if key != "route" {
                assert_eq!(value, &a[key], "field {key} must be untouched");
            }
        }
        let (b_dest, a_dest) = (
            b["route"].as_array().unwrap(),
            a["route"].as_array().unwrap(),
        );
        for (bd, ad) in b_dest.iter().zip(a_dest) {
            let mut bd = bd.as_object().unwrap().clone();
            let mut ad = ad.as_object().unwrap().clone();
            bd.remove("weight");
            ad.remove("weight");
            assert_eq!(bd, ad);
        }
    }
}

#[test]
fn finds_the_guide_route() {
    let route = route_to(&guide_80_20(), "reviews").unwrap();
    assert_eq!(route.http_index, 0);
    assert_eq!(
        route.weights,
        [("v1".to_string(), 80), ("v2".to_string(), 20)]
    );
    assert!(!route.has_match);
}

#[test]
fn prefers_the_route_without_match() {
    let route = route_to(&match_then_default(), "reviews").unwrap();
    assert_eq!(route.http_index, 1);
    assert_eq!(
        route.weights,
        [("v1".to_string(), 80), ("v2".to_string(), 20)]
    );
}

#[test]
fn falls_back_to_a_match_route() {
    let mut vs = match_then_default();
    vs["spec"]["http"].as_array_mut().unwrap().remove(1);
    let route = route_to(&vs, "reviews").unwrap();
    assert_eq!(route.http_index, 0);
    assert!(route.has_match);
    assert_eq!(route.weights, [("v2".to_string(), 100)]);
}

#[test]
fn a_single_destination_without_weight_counts_as_100_and_several_as_0() {
    assert_eq!(
        route_to(&all_v1(), "reviews").unwrap().weights,
        [("v1".to_string(), 100)]
    );
    let mut vs = guide_80_20();
    for d in vs["spec"]["http"][0]["route"].as_array_mut().unwrap() {
        d.as_object_mut().unwrap().remove("weight");
    }
    let route = route_to(&vs, "reviews").unwrap();
    assert_eq!(
        route.weights,
        [("v1".to_string(), 0), ("v2".to_string(), 0)]
    );
}

#[test]
fn fqdn_destinations_match_the_short_host() {
    let route = route_to(&fqdn(), "reviews").unwrap();
    assert_eq!(route.weights.len(), 2);
}

#[test]
fn destinations_in_another_namespace_are_not_the_labs_route() {
    let mut vs = fqdn();
    for entry in vs["spec"]["http"][0]["route"].as_array_mut().unwrap() {
        entry["destination"]["host"] = json!("reviews.other.svc.cluster.local");
    }
    assert!(route_to(&vs, "reviews").is_none());
    let other = ServiceRef::resolve("reviews", "other");
    assert_eq!(weighted_route(&read(&vs), &other).unwrap().weights.len(), 2);
}

#[test]
fn routes_to_other_hosts_or_without_subsets_are_ignored() {
    let mut vs = guide_80_20();
    assert!(route_to(&vs, "ratings").is_none());
    vs["spec"]["http"][0]["route"][1]["destination"]
        .as_object_mut()
        .unwrap()
        .remove("subset");
    assert!(route_to(&vs, "reviews").is_none());
    assert!(route_to(&json!({}), "reviews").is_none());
}

#[test]
fn guide_switch_to_v2() {
    let vs = guide_80_20();
    let patch = merge_patch(
        &read(&vs),
        0,
        &weights(&[("v1", 0), ("v2", 100), ("v3", 0)]),
    );
    assert_eq!(patch.as_object().unwrap().len(), 1, "only spec is sent");
    assert!(patch.pointer("/metadata").is_none());
    insta::assert_snapshot!("merge_guide_0_100", pretty(&patch));
}

#[test]
fn match_route_and_extras_stay_untouched() {
    let vs = match_then_default();
    let patch = merge_patch(&read(&vs), 1, &weights(&[("v1", 50), ("v2", 50)]));
    assert_only_weights_changed(&vs, &patch["spec"]["http"], 1);
    assert_eq!(patch["spec"]["http"][1]["route"][0]["weight"], 50);
    insta::assert_snapshot!("merge_match_and_default", pretty(&patch));
}

#[test]
fn fqdn_host_form_and_port_are_kept_for_added_subsets() {
    let vs = fqdn();
    let patch = merge_patch(
        &read(&vs),
        0,
        &weights(&[("v1", 30), ("v2", 30), ("v3", 40)]),
    );
    assert_only_weights_changed(&vs, &patch["spec"]["http"], 0);
    let added = &patch["spec"]["http"][0]["route"][2]["destination"];
    assert_eq!(added["host"], "reviews.default.svc.cluster.local");
    assert_eq!(added["port"]["number"], 9080);
    insta::assert_snapshot!("merge_fqdn", pretty(&patch));
}

#[test]
fn route_with_only_v1_gains_v2_and_v3() {
    let vs = all_v1();
    let patch = merge_patch(
        &read(&vs),
        0,
        &weights(&[("v1", 80), ("v2", 20), ("v3", 0)]),
    );
    let route = patch["spec"]["http"][0]["route"].as_array().unwrap();
    assert_eq!(route.len(), 3);
    assert_eq!(route[2]["weight"], 0);
    insta::assert_snapshot!("merge_all_v1_to_80_20", pretty(&patch));
}

#[test]
fn destinations_the_sliders_do_not_know_keep_their_weight() {
    let vs = guide_80_20();
    let patch = merge_patch(&read(&vs), 0, &weights(&[("v1", 100)]));
    assert_eq!(patch["spec"]["http"][0]["route"][1]["weight"], 20);
}

#[test]
fn an_index_without_a_route_gives_a_no_op_patch() {
    let vs = guide_80_20();
    let patch = merge_patch(&read(&vs), 7, &weights(&[("v1", 0), ("v2", 100)]));
    assert_eq!(patch["spec"]["http"], vs["spec"]["http"]);
}

#[test]
fn apply_body_carries_identity_hosts_and_http_only() {
    let vs = match_then_default();
    let body = apply_body(&read(&vs), 1, &weights(&[("v1", 0), ("v2", 100)]));
    assert!(body.pointer("/metadata/resourceVersion").is_none());
    assert!(body.pointer("/spec/gateways").is_none());
    assert_only_weights_changed(&vs, &body["spec"]["http"], 1);
    insta::assert_snapshot!("apply_match_and_default", pretty(&body));
}

#[test]
fn apply_body_keeps_the_api_version_of_the_object() {
    let body = apply_body(
        &read(&guide_80_20()),
        0,
        &weights(&[("v1", 0), ("v2", 100)]),
    );
    assert_eq!(body["apiVersion"], "networking.istio.io/v1alpha3");
    assert_eq!(
        body["metadata"],
        json!({ "name": "reviews", "namespace": "default" })
    );
}

fn managed(manager: &str, time: &str, fields: Value) -> Value {
    json!({
        "manager": manager,
        "operation": "Update",
        "apiVersion": "networking.istio.io/v1",
        "time": time,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields
    })
}

#[test]
fn last_change_of_spec_http_names_its_manager() {
    let http = json!({ "f:spec": { "f:http": {} } });
    let meta_only = json!({ "f:metadata": { "f:labels": {} } });
    let obj = json!({ "metadata": { "managedFields": [
        managed("istio-lab", "2026-11-25T10:05:00Z", http.clone()),
        managed("kubectl-client-side-apply", "2026-11-25T10:07:30Z", http.clone()),
        managed("kube-controller", "2026-11-25T11:00:00Z", meta_only),
    ]}});
    assert_eq!(
        field_manager_of_last_change(&obj).as_deref(),
        Some("kubectl-client-side-apply")
    );
}

#[test]
fn time_offsets_are_compared_as_instants() {
    let http = json!({ "f:spec": { "f:http": {} } });
    let obj = json!({ "metadata": { "managedFields": [
        managed("istio-lab", "2026-11-25T10:30:00Z", http.clone()),
        managed("kubectl-edit", "2026-11-25T19:00:00+09:00", http),
    ]}});
    assert_eq!(
        field_manager_of_last_change(&obj).as_deref(),
        Some("istio-lab")
    );
}

#[test]
fn no_owner_of_spec_http_means_none() {
    assert_eq!(field_manager_of_last_change(&guide_80_20()), None);
}
