//! Replays the recorded kube-apiserver exchanges that change or refuse things (the patch
//! flavours and their conflicts, error answers, RBAC refusals, the ingress gateway install)
//! against the demo cluster and compares the answers.

use std::time::Duration;

use serde_json::{Value, json};

// Only the sim helpers: common/mod.rs brings the app's model along.
mod common {
    pub mod sim;
}
use common::sim::{Tester, apply_bookinfo, fixture, managers, rv, same_shape};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patches_match_the_recording_with_one_event_per_change() {
    let t = Tester::start().await;
    apply_bookinfo(&t).await;
    let mut watch_request = fixture("watch/virtualservices")["request"].clone();
    let start = t.sim.store().current_rv();
    watch_request["query"] = json!(format!(
        "&watch=true&timeoutSeconds=10&allowWatchBookmarks=true&resourceVersion={start}"
    ));
    let watching = t.send_until(&watch_request, Duration::from_secs(10), 7);
    let patching = async {
        let mut previous = Value::Null;
        let mut changes = Vec::new();
        for name in [
            "01-apply-istio-lab",
            "02-merge-patch",
            "03-strategic-merge-patch-415",
            "04-json-patch",
            "05-merge-patch-with-fieldmanager",
            "06-apply-istio-lab-conflict-409",
            "07-apply-istio-lab-force",
            "08-apply-other-tool-conflict-409",
            "09-apply-other-tool-force",
            "10-apply-other-tool-noop",
            "11-merge-patch-back-to-90-10",
        ] {
            let recorded = fixture(&format!("patch/{name}"));
            let body = t.replay(&format!("patch/{name}")).await;
            let expected = &recorded["response"]["body"];
            if expected["kind"] == "VirtualService" {
                let want: Vec<_> = managers(expected).into_iter().collect();
                assert_eq!(managers(&body), want, "managers after {name}");
                assert_eq!(
                    body["metadata"]["generation"], expected["metadata"]["generation"],
                    "{name}"
                );
                if name.starts_with("10") {
                    assert_eq!(rv(&body), rv(&previous));
                } else {
                    changes.push(rv(&body));
                }
                previous = body;
            }
        }
        changes
    };
    let (answer, changes) = tokio::join!(watching, patching);
    let modified: Vec<&Value> = answer
        .lines
        .iter()
        .filter(|l| l["type"] == "MODIFIED")
        .collect();
    assert_eq!(modified.len(), 7);
    let event_rvs: Vec<u64> = modified.iter().map(|l| rv(&l["object"])).collect();
    assert_eq!(
        event_rvs, changes,
        "one event per changing write, none for refusals or no-ops"
    );
    let recorded = fixture("watch/virtualservices");
    for (e, a) in recorded["response"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&modified)
    {
        same_shape("vs event", e, a);
    }
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_match_the_recording() {
    let t = Tester::start().await;
    apply_bookinfo(&t).await;
    let store = t.sim.store();
    for name in [
        "get-virtualservice-not-found-404",
        "get-pod-not-found-404",
        "get-unknown-resource-type-404",
        "merge-patch-virtualservice-not-found-404",
        "create-virtualservice-already-exists-409",
        "merge-patch-virtualservice-invalid-weight-422",
        "merge-patch-virtualservice-float-weight-422",
        "apply-virtualservice-missing-host-422",
        "apply-virtualservice-string-weight-500",
        "apply-without-fieldmanager-422",
        "merge-patch-malformed-json-400",
        "unauthorized-401",
    ] {
        t.replay(&format!("errors/{name}")).await;
    }
    let current = store
        .get_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
        )
        .unwrap();
    let mut stale = fixture("errors/put-virtualservice-stale-resourceversion-409");
    stale["request"]["body"]["metadata"]["resourceVersion"] = json!("1");
    let answer = t.send(&stale["request"], Duration::from_secs(1)).await;
    assert_eq!(answer.status, 409);
    same_shape("stale put", &stale["response"]["body"], &answer.body);
    let mut fresh = fixture("errors/put-virtualservice-current-resourceversion-200");
    fresh["request"]["body"]["metadata"]["resourceVersion"] =
        current["metadata"]["resourceVersion"].clone();
    let answer = t.send(&fresh["request"], Duration::from_secs(1)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        rv(&answer.body),
        rv(&current),
        "an unchanged PUT keeps the RV"
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_refusals_match_the_recording() {
    let t = Tester::start().await;
    let store = t.sim.store();
    store.set_forbidden("list", "pods", "default");
    store.set_forbidden("list", "virtualservices", "default");
    store.set_forbidden("watch", "pods", "default");
    store.set_forbidden("patch", "virtualservices", "default");
    for name in [
        "list-pods-forbidden-403",
        "list-virtualservices-forbidden-403",
        "watch-pods-forbidden-403",
        "patch-virtualservice-forbidden-403",
    ] {
        t.replay(&format!("errors/{name}")).await;
    }
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ingress_gateway_installs_like_the_recorded_one() {
    let t = Tester::start().await;
    for name in [
        "01-get-before-install-404",
        "02-apply-istio-ingressgateway",
        "03-patch-status-load-balancer",
        "04-get-istio-ingressgateway",
    ] {
        t.replay(&format!("ingress/{name}")).await;
    }
    t.sim.shutdown().await;
}
