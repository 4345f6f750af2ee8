//! Tests of server-side apply: field ownership, conflicts, force.

use super::*;

fn vs(v1: u64, v2: u64) -> Value {
    json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
           "metadata": {"name": "reviews", "namespace": "default"},
           "spec": {"hosts": ["reviews"], "http": [{"route": [{"weight": v1}, {"weight": v2}]}]}})
}

fn managers(obj: &Value) -> Vec<(String, String, Value)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["manager"].as_str().unwrap().into(),
                e["operation"].as_str().unwrap().into(),
                e["fieldsV1"].clone(),
            )
        })
        .collect()
}

const V1: &str = "networking.istio.io/v1";

#[test]
fn update_after_apply_conflicts_and_force_takes_ownership() {
    let created = apply(None, &vs(90, 10), "istio-lab", true, V1).unwrap();
    let mut patched = created.clone();
    patched["spec"]["http"][0]["route"][0]["weight"] = json!(70);
    record_update(Some(&created), &mut patched, "unknown", None, V1);
    let owners = managers(&patched);
    assert_eq!(owners[0].2, json!({"f:spec": {"f:hosts": {}}}));
    assert_eq!(
        owners[1],
        (
            "unknown".into(),
            "Update".into(),
            json!({"f:spec": {"f:http": {}}})
        )
    );

    let err = apply(Some(&patched), &vs(50, 50), "istio-lab", false, V1).unwrap_err();
    assert_eq!(err.code, 409);
    assert_eq!(
        err.body["message"],
        "Apply failed with 1 conflict: conflict with \"unknown\" using networking.istio.io/v1: .spec.http"
    );
    let forced = apply(Some(&patched), &vs(50, 50), "istio-lab", true, V1).unwrap();
    let owners = managers(&forced);
    assert_eq!(owners.len(), 1);
    assert_eq!(
        owners[0].2,
        json!({"f:spec": {"f:hosts": {}, "f:http": {}}})
    );
    assert_eq!(forced["spec"]["http"][0]["route"][0]["weight"], 50);
}

#[test]
fn equal_values_are_co_owned() {
    let first = apply(None, &vs(90, 10), "istio-lab", true, V1).unwrap();
    let err = apply(Some(&first), &vs(10, 90), "other-tool", false, V1).unwrap_err();
    assert_eq!(
        err.body["details"]["causes"][0]["message"],
        "conflict with \"istio-lab\""
    );
    let second = apply(Some(&first), &vs(10, 90), "other-tool", true, V1).unwrap();
    let owners = managers(&second);
    assert_eq!(owners[0].2, json!({"f:spec": {"f:hosts": {}}}));
    assert_eq!(
        owners[1].2,
        json!({"f:spec": {"f:hosts": {}, "f:http": {}}})
    );
}

#[test]
fn keyed_lists_merge_by_key_and_dropped_fields_go() {
    let first =
        json!({"kind": "Service", "spec": {"ports": [{"port": 80, "name": "a"}], "type": "X"}});
    let mut current = apply(None, &first, "m", true, "v1").unwrap();
    current["spec"]["ports"][0]["protocol"] = json!("TCP");
    let second =
        json!({"kind": "Service", "spec": {"ports": [{"port": 80, "name": "b"}, {"port": 81}]}});
    let merged = apply(Some(&current), &second, "m", true, "v1").unwrap();
    assert_eq!(
        merged["spec"]["ports"],
        json!([{"port": 80, "name": "b", "protocol": "TCP"}, {"port": 81}])
    );
    assert!(merged["spec"].get("type").is_none());
}

#[test]
fn kubectl_moving_to_server_side_apply_keeps_the_annotation_owner() {
    let note = "kubectl.kubernetes.io/last-applied-configuration";
    let mut live = vs(80, 20);
    live["metadata"]["annotations"] = json!({note: "{}\n"});
    live["metadata"]["managedFields"] = json!([
        {"manager": "kubectl-last-applied", "operation": "Apply", "apiVersion": V1, "fieldsType": "FieldsV1",
         "fieldsV1": {"f:metadata": {"f:annotations": {"f:kubectl.kubernetes.io/last-applied-configuration": {}}}}},
        {"manager": "kubectl", "operation": "Apply", "apiVersion": V1, "time": "2026-11-30T02:23:02Z", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}},
                      "f:spec": {".": {}, "f:hosts": {}, "f:http": {}}}}]);
    let applied = apply(Some(&live), &vs(80, 20), "kubectl", false, V1).unwrap();
    let owners = managers(&applied);
    assert_eq!(owners.len(), 2, "{owners:?}");
    assert_eq!(owners[0].0, "kubectl-last-applied");
    assert_eq!(
        owners[1].2,
        json!({"f:spec": {"f:hosts": {}, "f:http": {}}})
    );
    assert_eq!(
        applied["metadata"]["managedFields"][1]["time"], "2026-11-30T02:23:02Z",
        "nothing changed, so the time stays"
    );
    assert!(
        applied["metadata"]["annotations"][note]
            .as_str()
            .unwrap()
            .contains("reviews")
    );
}
