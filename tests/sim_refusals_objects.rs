//! The demo cluster refuses what kube-apiserver refuses (issue 10, items 15 and 16):
//! objects of another kind or namespace than the URL's, creates in a namespace that does
//! not exist, patches made against a stale resourceVersion, and malformed label selectors.
//!
//! Recorded (tests/fixtures/k8s): the Status of a conflicting write
//! (`errors/put-virtualservice-stale-resourceversion-409`), which a stale patch gets too.
//! Reproduced from kube-apiserver's source: the type mismatch texts (`createHandler`, the
//! custom resource validator), the namespace and name texts
//! (`EnsureObjectNamespaceMatchesRequestNamespace`, `checkName`, NamespaceLifecycle's
//! NotFound) and the label selector parser's text (`labels.Parse`).

mod common {
    pub mod refusals;
    pub mod sim;
}

use common::refusals::{PODS, VS, assert_status, json_bytes, send, virtual_service};
use common::sim::{Tester, apply_bookinfo, fixture, same_shape, wait_for_running_pods};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_of_another_kind_or_namespace_are_refused() {
    let t = Tester::start().await;
    let token = t.sim.token().to_string();
    let json = Some("application/json");
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
    let reply = send(&t, "POST", VS, json, json_bytes(&pod), &token).await;
    assert_status(
        &reply,
        400,
        "BadRequest",
        "the API version in the data (v1) does not match the expected API version (networking.istio.io/v1)",
    );
    let mut dr = virtual_service("r");
    dr["kind"] = json!("DestinationRule");
    let reply = send(&t, "POST", VS, json, json_bytes(&dr), &token).await;
    assert_status(
        &reply,
        422,
        "Invalid",
        "DestinationRule.networking.istio.io \"r\" is invalid: kind: Invalid value: \"DestinationRule\": must be VirtualService",
    );
    assert!(
        t.sim
            .store()
            .list_objects("networking.istio.io/v1", "VirtualService", "")
            .is_empty()
    );

    let mut elsewhere = virtual_service("reviews");
    elsewhere["metadata"]["namespace"] = json!("istio-system");
    let reply = send(&t, "POST", VS, json, json_bytes(&elsewhere), &token).await;
    let mismatch =
        "the namespace of the provided object does not match the namespace sent on the request";
    assert_status(&reply, 400, "BadRequest", mismatch);
    assert!(
        t.sim
            .store()
            .list_objects("networking.istio.io/v1", "VirtualService", "")
            .is_empty()
    );

    let missing = "/apis/networking.istio.io/v1/namespaces/x/virtualservices";
    let reply = send(
        &t,
        "POST",
        missing,
        json,
        json_bytes(&virtual_service("reviews")),
        &token,
    )
    .await;
    assert_status(&reply, 404, "NotFound", "namespaces \"x\" not found");
    assert_eq!(
        reply.body["details"],
        json!({"name": "x", "kind": "namespaces"})
    );
    let apply = send(
        &t,
        "PATCH",
        &format!("{missing}/reviews?fieldManager=t"),
        Some("application/apply-patch+yaml"),
        json_bytes(&virtual_service("reviews")),
        &token,
    )
    .await;
    assert_status(&apply, 404, "NotFound", "namespaces \"x\" not found");

    let created = send(
        &t,
        "POST",
        VS,
        json,
        json_bytes(&virtual_service("reviews")),
        &token,
    )
    .await;
    assert_eq!(created.status, 201);
    let mut moved = created.body.clone();
    moved["metadata"]["namespace"] = json!("istio-system");
    let reply = send(
        &t,
        "PUT",
        &format!("{VS}/reviews"),
        json,
        json_bytes(&moved),
        &token,
    )
    .await;
    assert_status(&reply, 400, "BadRequest", mismatch);
    let mut renamed = created.body.clone();
    renamed["metadata"]["name"] = json!("ratings");
    let reply = send(
        &t,
        "PUT",
        &format!("{VS}/reviews"),
        json,
        json_bytes(&renamed),
        &token,
    )
    .await;
    assert_status(
        &reply,
        400,
        "BadRequest",
        "the name of the object (ratings) does not match the name on the URL (reviews)",
    );
    let merge = Some("application/merge-patch+json");
    let rename = json!({"metadata": {"name": "ratings"}});
    let reply = send(
        &t,
        "PATCH",
        &format!("{VS}/reviews"),
        merge,
        json_bytes(&rename),
        &token,
    )
    .await;
    assert_status(
        &reply,
        400,
        "BadRequest",
        "the name of the object (ratings) does not match the name on the URL (reviews)",
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_patches_conflict_and_malformed_selectors_get_400() {
    let t = Tester::start().await;
    apply_bookinfo(&t).await;
    let token = t.sim.token().to_string();
    let merge = Some("application/merge-patch+json");
    let weights = |rv: &str| {
        json!({"metadata": {"resourceVersion": rv},
        "spec": {"http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}, "weight": 100}]}]}})
    };
    let path = format!("{VS}/reviews");
    let reply = send(&t, "PATCH", &path, merge, json_bytes(&weights("1")), &token).await;
    // The conflict Status is the one the recorded stale PUT got.
    let recorded = fixture("errors/put-virtualservice-stale-resourceversion-409");
    assert_eq!(reply.status, 409);
    same_shape(
        "stale merge patch",
        &recorded["response"]["body"],
        &reply.body,
    );
    let current = t
        .sim
        .store()
        .get_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
        )
        .unwrap();
    assert_ne!(
        current["spec"]["http"][0]["route"][0]["weight"], 100,
        "nothing changed"
    );
    let rv = current["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let json_patch = json!([{"op": "replace", "path": "/metadata/resourceVersion", "value": "1"}]);
    let reply = send(
        &t,
        "PATCH",
        &path,
        Some("application/json-patch+json"),
        json_bytes(&json_patch),
        &token,
    )
    .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let reply = send(&t, "PATCH", &path, merge, json_bytes(&weights(&rv)), &token).await;
    assert_eq!(
        reply.status, 200,
        "the current resourceVersion is fine: {}",
        reply.body
    );

    let selector_error = "found '==', expected: !, identifier, or 'end of string'";
    for query in [
        "?labelSelector====",
        "?labelSelector====&watch=true&timeoutSeconds=1",
    ] {
        let reply = send(
            &t,
            "GET",
            &format!("{PODS}{query}"),
            None,
            Vec::new(),
            &token,
        )
        .await;
        assert_status(&reply, 400, "BadRequest", selector_error);
    }
    // The controllers make the pods; under load that can take a moment.
    wait_for_running_pods(&t.sim).await;
    let reply = send(
        &t,
        "GET",
        &format!("{PODS}?labelSelector=app%20in%20(reviews)"),
        None,
        Vec::new(),
        &token,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(!reply.body["items"].as_array().unwrap().is_empty());
    t.sim.shutdown().await;
}
