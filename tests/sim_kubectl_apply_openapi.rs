//! kubectl's recorded reads of the OpenAPI documents (tests/fixtures/k8s/kubectl/openapi)
//! and its protobuf creates (configmap-secret) against the demo cluster: the v3 index and
//! group-version documents with their ETags, caching headers and 304s, the gzipped v2
//! protobuf document, and protobuf bodies understood instead of refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::time::Duration;

use serde_json::json;

mod common {
    pub mod kubectl_replay;
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::kubectl_replay::{get_raw, replay_status};
use common::sim::{Tester, fixture};

#[tokio::test]
async fn openapi_documents_are_served_with_the_recorded_headers() {
    let t = Tester::start().await;
    let index = replay_status(&t, "openapi/01-apply-bookinfo-get-openapi-v3").await;
    let recorded = fixture("kubectl/openapi/01-apply-bookinfo-get-openapi-v3");
    for (key, entry) in index["paths"].as_object().unwrap() {
        assert_eq!(entry, &recorded["response"]["body"]["paths"][key], "{key}");
    }
    let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap();
    let (path, query) = url.split_once('?').unwrap();
    let request = json!({"method": "GET", "path": path, "query": format!("{query}&timeout=32s"),
        "headers": {"Accept": "application/json", "Accept-Encoding": "gzip"}});
    let answer = t.send(&request, Duration::from_secs(5)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json");
    let deployment = &answer.body["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
    assert_eq!(
        deployment["x-kubernetes-group-version-kind"][0]["kind"],
        "Deployment"
    );
    let reply = get_raw(&t, "/openapi/v3?timeout=32s", &[]).await;
    let last_modified = reply.header("last-modified");
    let again = get_raw(
        &t,
        "/openapi/v3?timeout=32s",
        &[("If-Modified-Since", &last_modified)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("cache-control"), "no-cache, private");
    assert!(again.body.is_empty());
    let etag = format!("\"{}\"", url.split_once("hash=").unwrap().1);
    let doc = get_raw(&t, url, &[]).await;
    assert_eq!(doc.header("etag"), etag);
    assert_eq!(doc.header("cache-control"), "public, immutable");
    let cached = get_raw(&t, url, &[("If-None-Match", &etag)]).await;
    assert_eq!(cached.status, 304);
}

#[tokio::test]
async fn openapi_v2_is_the_recorded_protobuf_document() {
    let t = Tester::start().await;
    let v2 = get_raw(
        &t,
        "/openapi/v2?timeout=32s",
        &[
            (
                "Accept",
                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
            ),
            ("Accept-Encoding", "gzip"),
        ],
    )
    .await;
    assert_eq!(v2.status, 200);
    assert_eq!(
        v2.header("content-type"),
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    );
    assert_eq!(v2.header("content-encoding"), "gzip");
    assert_eq!(v2.header("etag").len(), 130);
    // gzip's magic bytes, then a protobuf document of the recorded size once unpacked.
    assert_eq!(&v2.body[..2], &[0x1f, 0x8b]);
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&v2.body[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked.len(), 2_073_955);
    let missing = get_raw(&t, "/openapi/v3/apis/batch/v1", &[]).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn protobuf_creates_of_a_configmap_and_a_secret_are_understood() {
    let t = Tester::start().await;
    for (name, check) in [
        (
            "01-create-configmap-istio-lab-progress",
            json!({"lesson": "3"}),
        ),
        ("04-create-secret-generic-s", json!({"a": "Yg=="})),
    ] {
        let recorded = fixture(&format!("kubectl/configmap-secret/{name}"));
        let request = &recorded["request"];
        let body = STANDARD
            .decode(request["body_base64"].as_str().unwrap())
            .unwrap();
        let path = format!(
            "{}?{}",
            request["path"].as_str().unwrap(),
            request["query"].as_str().unwrap()
        );
        let reply = t
            .raw(
                "POST",
                &path,
                Some("application/vnd.kubernetes.protobuf"),
                body,
                t.sim.token(),
            )
            .await;
        // Served only where the demo cluster has the resource; the body is understood
        // either way (never the 415 kubectl used to get).
        assert_ne!(reply.status, 415, "{name}: {}", reply.body);
        assert_ne!(reply.status, 400, "{name}: {}", reply.body);
        if reply.status == 201 {
            assert_eq!(reply.body["data"], check, "{name}");
        }
    }
    let garbage = t
        .raw(
            "POST",
            "/api/v1/namespaces",
            Some("application/vnd.kubernetes.protobuf"),
            b"k8s\0\x0a\xff".to_vec(),
            t.sim.token(),
        )
        .await;
    assert_eq!(garbage.status, 400);
    assert_eq!(garbage.body["reason"], "BadRequest");
}
