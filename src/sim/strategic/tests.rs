//! Strategic merge patches as kubectl sends them, checked against the recorded results.

use serde_json::{Value, json};

use super::*;

fn deployment() -> Option<Node> {
    Node::of_kind("apps", "Deployment")
}

fn recorded(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/k8s/kubectl/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_second_apply_patch_gives_the_recorded_deployment() {
    let before = recorded("apply-twice/54-apply-bookinfo-modified-get-deployment-reviews-v1.json");
    let exchange = recorded(
        "apply-twice/55-apply-bookinfo-modified-strategic-merge-patch-deployment-reviews-v1.json",
    );
    let mut obj = before["response"]["body"].clone();
    strategic_merge_patch(&mut obj, &exchange["request"]["body"], deployment()).unwrap();
    let after = &exchange["response"]["body"];
    assert_eq!(obj["spec"], after["spec"]);
    assert_eq!(
        obj["metadata"]["annotations"],
        after["metadata"]["annotations"]
    );
}

#[test]
fn set_image_changes_one_container_and_keeps_the_sidecar_in_place() {
    let mut obj = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "details", "image": "details:1", "ports": [{"containerPort": 9080}]},
        {"name": "istio-proxy", "image": "proxyv2"}]}}}});
    let patch = json!({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "details"}],
        "containers": [{"image": "details:2", "name": "details"}]}}}});
    strategic_merge_patch(&mut obj, &patch, deployment()).unwrap();
    assert_eq!(
        obj["spec"]["template"]["spec"]["containers"],
        json!([{"name": "details", "image": "details:2", "ports": [{"containerPort": 9080}]},
               {"name": "istio-proxy", "image": "proxyv2"}])
    );
}

#[test]
fn directives_delete_replace_retain_and_reorder() {
    let mut obj = json!({"metadata": {"finalizers": ["a", "b"]},
        "spec": {"template": {"spec": {
        "containers": [{"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
                       {"name": "b"}],
        "volumes": [{"name": "v", "emptyDir": {}}],
        "nodeSelector": {"zone": "a", "disk": "ssd"}}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
    let patch = json!({"metadata": {"finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"]},
        "spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
        "containers": [{"name": "a", "env": [{"name": "X", "$patch": "delete"}]}],
        "volumes": [{"name": "w", "configMap": {"name": "c"}}, {"$patch": "replace"}],
        "nodeSelector": {"$patch": "replace", "zone": "b"}}},
        "strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
    strategic_merge_patch(&mut obj, &patch, deployment()).unwrap();
    assert_eq!(obj["metadata"]["finalizers"], json!(["b", "c"]));
    let spec = &obj["spec"]["template"]["spec"];
    assert_eq!(
        spec["containers"],
        json!([{"name": "b"}, {"name": "a", "env": [{"name": "Y", "value": "2"}]}])
    );
    assert_eq!(
        spec["volumes"],
        json!([{"name": "w", "configMap": {"name": "c"}}])
    );
    assert_eq!(spec["nodeSelector"], json!({"zone": "b"}));
    assert_eq!(obj["spec"]["strategy"], json!({"type": "Recreate"}));
}

#[test]
fn service_ports_merge_by_port_and_atomic_lists_are_replaced() {
    let service = Node::of_kind("", "Service");
    let mut obj = json!({"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}],
                                  "externalIPs": ["1.1.1.1"]}});
    let patch = json!({"spec": {"ports": [{"port": 443, "targetPort": 8443}],
                                "externalIPs": ["2.2.2.2"], "type": "LoadBalancer"}});
    strategic_merge_patch(&mut obj, &patch, service).unwrap();
    assert_eq!(
        obj["spec"]["ports"],
        json!([{"port": 80, "name": "http"}, {"port": 443, "name": "https", "targetPort": 8443}])
    );
    assert_eq!(obj["spec"]["externalIPs"], json!(["2.2.2.2"]));
    assert_eq!(obj["spec"]["type"], "LoadBalancer");
}

#[test]
fn broken_patches_are_refused_with_the_apiservers_words() {
    let mut obj = json!({"spec": {}});
    let missing_key = json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
    assert_eq!(
        strategic_merge_patch(&mut obj, &missing_key, deployment()).unwrap_err(),
        "map: map[image:x] does not contain declared merge key: name"
    );
    let unknown = json!({"spec": {"$patch": "frobnicate"}});
    assert_eq!(
        strategic_merge_patch(&mut obj, &unknown, deployment()).unwrap_err(),
        "Unknown patch type: frobnicate"
    );
    assert!(strategic_merge_patch(&mut obj, &json!([1]), deployment()).is_err());
}

#[test]
fn patches_print_as_go_maps() {
    let patch = json!({"spec": {"foo": 1, "b": [true, null, 2.5, "s"]}, "a": {}});
    assert_eq!(
        go_map(&patch),
        "map[a:map[] spec:map[b:[true <nil> 2.5 s] foo:1]]"
    );
}
