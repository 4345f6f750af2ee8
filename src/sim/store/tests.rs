//! Tests of the demo cluster's store: writes, resourceVersions and the change history.
use super::*;

/// The lab's VirtualService with one route of `weight`; the history tests use it too.
pub(super) fn vs(weight: u64) -> Value {
    json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
           "metadata": {"name": "reviews", "namespace": "default"},
           "spec": {"http": [{"route": [{"weight": weight}]}]}})
}

#[test]
fn writes_take_increasing_rvs_and_noops_keep_them() {
    let store = SimStore::new();
    let created = store.put(vs(90)).unwrap();
    let rv1: u64 = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(created["metadata"]["generation"], 1);
    let same = store.put(vs(90)).unwrap();
    assert_eq!(
        same["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
    let changed = store.put(vs(10)).unwrap();
    let rv2: u64 = changed["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv2 > rv1);
    assert_eq!(changed["metadata"]["generation"], 2);
    assert_eq!(changed["metadata"]["uid"], created["metadata"]["uid"]);
}
