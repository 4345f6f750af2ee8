//! The demo cluster refuses what kube-apiserver refuses (issue 10, items 13 and 14):
//! bodies in media types it does not decode, and names that break the kind's rule or
//! cannot be a URL segment, each with the apiserver's status, reason and message.
//!
//! No recording has these refusals; all are reproduced from kube-apiserver's source: the
//! 415 texts (`negotiation.NewUnsupportedMediaTypeError` with the serializers' media
//! types), the DNS-1123/1035 texts (`k8s.io/apimachinery/pkg/util/validation`) and the
//! path-segment texts (`NamespaceKeyFunc`). Items 15 and 16 are in `sim_refusals_objects`.

mod common {
    pub mod refusals;
    pub mod sim;
}

use common::refusals::{PODS, VS, assert_status, json_bytes, send, virtual_service};
use common::sim::Tester;
use serde_json::json;

const OBJECT_TYPES: &str = "the body of the request was in an unknown format - accepted media types include: \
                            application/json, application/yaml, application/vnd.kubernetes.protobuf";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_in_media_types_the_apiserver_does_not_decode_get_415() {
    let t = Tester::start().await;
    let token = t.sim.token().to_string();
    let body = json_bytes(&virtual_service("plain"));
    let reply = send(&t, "POST", VS, Some("text/plain"), body.clone(), &token).await;
    assert_status(&reply, 415, "UnsupportedMediaType", OBJECT_TYPES);
    let reply = send(
        &t,
        "POST",
        VS,
        Some("application/vnd.kubernetes.protobuf"),
        body.clone(),
        &token,
    )
    .await;
    assert_eq!(
        reply.status, 415,
        "custom resources are served without protobuf"
    );
    assert!(
        t.sim
            .store()
            .get_object(
                "networking.istio.io/v1",
                "VirtualService",
                "default",
                "plain"
            )
            .is_none(),
        "nothing refused was stored"
    );
    // Go's negotiation gives a request without a Content-Type the first supported type,
    // JSON, so the real apiserver creates it (negotiate.go, NegotiateInputSerializerForMediaType).
    let reply = send(&t, "POST", VS, None, body, &token).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let yaml = b"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: yaml\nspec:\n  hosts: [reviews]\n";
    let reply = send(
        &t,
        "POST",
        VS,
        Some("application/yaml"),
        yaml.to_vec(),
        &token,
    )
    .await;
    assert_eq!(
        (reply.status, &reply.body["metadata"]["name"]),
        (201, &json!("yaml"))
    );

    let mut current = reply.body.clone();
    current["spec"]["hosts"] = json!(["ratings"]);
    let put = send(
        &t,
        "PUT",
        &format!("{VS}/yaml"),
        Some("text/plain"),
        json_bytes(&current),
        &token,
    )
    .await;
    assert_status(&put, 415, "UnsupportedMediaType", OBJECT_TYPES);

    // Patches: a built-in kind lists strategic merge patch too; none is taken as text.
    let patch = send(
        &t,
        "PATCH",
        &format!("{PODS}/any"),
        Some("text/plain"),
        b"{}".to_vec(),
        &token,
    )
    .await;
    assert_status(
        &patch,
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, \
         application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
    );
    let patch = send(
        &t,
        "PATCH",
        &format!("{VS}/yaml"),
        None,
        b"{}".to_vec(),
        &token,
    )
    .await;
    assert_eq!(patch.status, 415, "a patch says what kind of patch it is");
    t.sim.shutdown().await;
}

fn dns_subdomain_error(name: &str) -> String {
    format!(
        "VirtualService.networking.istio.io \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": \
         a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must \
         start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_break_the_kinds_rule_get_422_and_url_names_are_decoded_first() {
    let t = Tester::start().await;
    let token = t.sim.token().to_string();
    let json = Some("application/json");
    // In a create body, the kind's DNS rule is checked first, so `a/b` and `..` fail it too.
    for name in ["UPPER", "a/b", ".."] {
        let reply = send(
            &t,
            "POST",
            VS,
            json,
            json_bytes(&virtual_service(name)),
            &token,
        )
        .await;
        assert_status(&reply, 422, "Invalid", &dns_subdomain_error(name));
        assert_eq!(reply.body["details"]["causes"][0]["field"], "metadata.name");
        assert_eq!(
            reply.body["details"]["causes"][0]["reason"],
            "FieldValueInvalid"
        );
    }
    let long = "a".repeat(300);
    let reply = send(
        &t,
        "POST",
        VS,
        json,
        json_bytes(&virtual_service(&long)),
        &token,
    )
    .await;
    assert_status(
        &reply,
        422,
        "Invalid",
        &format!(
            "VirtualService.networking.istio.io \"{long}\" is invalid: metadata.name: Invalid value: \"{long}\": \
             must be no more than 253 characters"
        ),
    );
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "9lives"},
                         "spec": {"ports": [{"port": 80}]}});
    let reply = send(
        &t,
        "POST",
        "/api/v1/namespaces/default/services",
        json,
        json_bytes(&service),
        &token,
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Service \"9lives\" is invalid: metadata.name: Invalid value: \"9lives\": a DNS-1035 label"),
        "{}",
        reply.body
    );
    let reply = send(
        &t,
        "POST",
        VS,
        json,
        json_bytes(&virtual_service("reviews")),
        &token,
    )
    .await;
    assert_eq!(reply.status, 201);

    // Names read from the URL: decoded first, then they must be a path segment.
    let reply = send(
        &t,
        "GET",
        &format!("{VS}/%72eviews"),
        None,
        Vec::new(),
        &token,
    )
    .await;
    assert_eq!(
        (reply.status, &reply.body["metadata"]["name"]),
        (200, &json!("reviews"))
    );
    let reply = send(&t, "GET", &format!("{VS}/a%2Fb"), None, Vec::new(), &token).await;
    assert_eq!(
        (reply.status, reply.content_type.as_str()),
        (404, "text/plain; charset=utf-8")
    );
    let reply = send(&t, "GET", &format!("{VS}/.."), None, Vec::new(), &token).await;
    assert_status(
        &reply,
        400,
        "BadRequest",
        "Name parameter invalid: \"..\": may not be '..'",
    );
    let apply = send(
        &t,
        "PATCH",
        &format!("{VS}/100%25?fieldManager=t"),
        Some("application/apply-patch+yaml"),
        json_bytes(&virtual_service("100%")),
        &token,
    )
    .await;
    assert_status(
        &apply,
        400,
        "BadRequest",
        "Name parameter invalid: \"100%\": may not contain '%'",
    );
    let apply = send(
        &t,
        "PATCH",
        &format!("{VS}/Mixed?fieldManager=t"),
        Some("application/apply-patch+yaml"),
        json_bytes(&virtual_service("Mixed")),
        &token,
    )
    .await;
    assert_status(&apply, 422, "Invalid", &dns_subdomain_error("Mixed"));
    assert_eq!(
        t.sim
            .store()
            .list_objects("networking.istio.io/v1", "VirtualService", "default")
            .len(),
        1
    );
    t.sim.shutdown().await;
}
