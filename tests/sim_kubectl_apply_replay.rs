//! kubectl's recorded writes (tests/fixtures/k8s/kubectl/{openapi,apply-twice,
//! label-annotate-scale,configmap-secret}) replayed against the demo cluster: the OpenAPI
//! documents with their headers and 304s, `kubectl apply` twice (creates, then the strategic
//! merge patch), the unknown-field refusals, label/annotate/scale/restart/set image, and
//! the protobuf creates of a ConfigMap and a Secret.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use istio_lab::sim::SidecarMode;
use serde_json::{Value, json};

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::sim::{Tester, fixture, same_shape};
use common::tables::{recorded_cluster, recorded_request};

/// Sends a recorded kubectl request and checks the status and Content-Type; the body back.
async fn replay_status(t: &Tester, name: &str) -> Value {
    let recorded = fixture(&format!("kubectl/{name}"));
    let answer = t
        .send(&recorded_request(name), Duration::from_secs(5))
        .await;
    let expected = &recorded["response"];
    assert_eq!(
        answer.status,
        expected["status"].as_u64().unwrap() as u16,
        "{name}: {}",
        answer.body
    );
    if let Some(content_type) = expected["headers"]["Content-Type"].as_str() {
        assert_eq!(answer.content_type, content_type, "{name}");
    }
    answer.body
}

/// Also compares the body with the recorded one, key for key (see `same_shape`).
async fn replay_shape(t: &Tester, name: &str) -> Value {
    let body = replay_status(t, name).await;
    let recorded = fixture(&format!("kubectl/{name}"));
    same_shape(name, &recorded["response"]["body"], &body);
    body
}

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
async fn apply_twice_replays_as_recorded() {
    let t = Tester::start().await;
    let ns = t
        .raw(
            "POST",
            "/api/v1/namespaces",
            Some("application/json"),
            br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lab-apply"}}"#.to_vec(),
            t.sim.token(),
        )
        .await;
    assert_eq!(ns.status, 201, "{}", ns.body);
    // The first apply: for each object a 404 GET, the namespace GET, then the POST.
    for n in 4..=45 {
        let name = fixture_named("apply-twice", n);
        if name.contains("get-namespace") {
            replay_status(&t, &name).await;
        } else if name.contains("post-") {
            let body = replay_status(&t, &name).await;
            let recorded = fixture(&format!("kubectl/{name}"));
            let sent = &recorded["response"]["body"];
            assert_eq!(body["metadata"]["name"], sent["metadata"]["name"]);
            assert_eq!(
                body["metadata"]["annotations"], sent["metadata"]["annotations"],
                "{name}"
            );
        } else {
            replay_shape(&t, &name).await;
        }
    }
    // The second apply: a GET of each object (their last-applied annotations) and one
    // strategic merge patch, its result as recorded.
    for n in (46..=54).chain(56..=60) {
        let name = fixture_named("apply-twice", n);
        let body = replay_status(&t, &name).await;
        let recorded = fixture(&format!("kubectl/{name}"));
        let annotations = &recorded["response"]["body"]["metadata"]["annotations"];
        let key = "kubectl.kubernetes.io/last-applied-configuration";
        assert_eq!(
            body["metadata"]["annotations"][key], annotations[key],
            "{name}"
        );
    }
    let name = fixture_named("apply-twice", 55);
    let patched = replay_status(&t, &name).await;
    let recorded = fixture(&format!("kubectl/{name}"));
    assert_eq!(patched["spec"], recorded["response"]["body"]["spec"]);
    assert_eq!(patched["metadata"]["generation"], 2);
    // The VirtualService applied, then applied again with a JSON merge patch.
    for n in 61..=65 {
        replay_status(&t, &fixture_named("apply-twice", n)).await;
    }
    let vs = replay_status(&t, &fixture_named("apply-twice", 64)).await;
    let routes = &vs["spec"]["http"][0]["route"];
    let recorded = fixture(&format!("kubectl/{}", fixture_named("apply-twice", 65)));
    assert_eq!(
        routes,
        &recorded["response"]["body"]["spec"]["http"][0]["route"]
    );
    // The unknown field: refused on create (400) and on the patch (422), word for word.
    // (The namespace GET only by status: the demo cluster's namespaces have no spec yet.)
    for n in 66..=70 {
        let name = fixture_named("apply-twice", n);
        if name.contains("get-namespace") {
            replay_status(&t, &name).await;
        } else {
            replay_shape(&t, &name).await;
        }
    }
    // `kubectl apply --server-side` of the DestinationRule, then of the VirtualService
    // client-side apply wrote: no conflict, the last-applied annotation kept in step, and
    // kubectl's migration of the ownership (apply, apply of the annotation, JSON patch of
    // managedFields, apply again).
    let mut rv = String::new();
    for n in 71..=75 {
        let name = fixture_named("apply-twice", n);
        let recorded = fixture(&format!("kubectl/{name}"));
        let body = if n == 74 {
            // The JSON patch carries the resourceVersion kubectl read (a precondition):
            // this run's, in place of the recording's.
            let mut request = recorded_request(&name);
            let text = request["body"].as_str().unwrap().replace(
                "\"path\":\"/metadata/resourceVersion\",\"value\":\"662\"",
                &format!("\"path\":\"/metadata/resourceVersion\",\"value\":\"{rv}\""),
            );
            request["body"] = json!(text);
            let answer = t.send(&request, Duration::from_secs(5)).await;
            assert_eq!(answer.status, 200, "{name}: {}", answer.body);
            answer.body
        } else {
            replay_status(&t, &name).await
        };
        rv = body["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .to_string();
        let expected = &recorded["response"]["body"]["metadata"];
        assert_eq!(
            body["metadata"]["annotations"], expected["annotations"],
            "{name}"
        );
        assert_eq!(
            owners(&body),
            owners(&recorded["response"]["body"]),
            "{name}"
        );
    }
}

/// Each managedFields entry as manager, operation and the fields it owns. The `"."`
/// marks of server-side apply's own entries are left out: the demo cluster does not place
/// them as a real apiserver does for custom resources.
fn owners(obj: &Value) -> Vec<(Value, Value, Value)> {
    fn without_dots(fields: &Value) -> Value {
        match fields {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| *k != ".")
                    .map(|(k, v)| (k.clone(), without_dots(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let fields = without_dots(&e["fieldsV1"]);
            (e["manager"].clone(), e["operation"].clone(), fields)
        })
        .collect()
}

#[tokio::test]
async fn label_annotate_scale_restart_and_set_image_replay_as_recorded() {
    let t = recorded_cluster(SidecarMode::Classic).await;
    for n in [2, 4, 6] {
        let body = replay_status(&t, &fixture_named("label-annotate-scale", n)).await;
        let recorded = fixture(&format!(
            "kubectl/{}",
            fixture_named("label-annotate-scale", n)
        ));
        assert_eq!(
            body["metadata"]["labels"],
            recorded["response"]["body"]["metadata"]["labels"]
        );
    }
    let annotated = replay_status(&t, &fixture_named("label-annotate-scale", 8)).await;
    assert_eq!(
        annotated["metadata"]["annotations"]["istio-lab/note"],
        "canary baseline"
    );
    let scale = replay_shape(&t, &fixture_named("label-annotate-scale", 10)).await;
    assert_eq!(scale["spec"]["replicas"], 2);
    let restarted = replay_status(&t, &fixture_named("label-annotate-scale", 12)).await;
    let template = &restarted["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(
        template["kubectl.kubernetes.io/restartedAt"],
        "2026-11-30T02:24:25Z"
    );
    let set = replay_status(&t, &fixture_named("label-annotate-scale", 14)).await;
    let containers = &set["spec"]["template"]["spec"]["containers"];
    assert_eq!(
        containers[0]["image"],
        "docker.io/istio/examples-bookinfo-details-v1:1.20.4"
    );
    assert_eq!(containers.as_array().unwrap().len(), 1);
    // kubectl patch svc ... -p '{"spec":{"type":"LoadBalancer"}}' (recorded on kiali, which
    // the demo cluster does not run): the same strategic merge patch on productpage.
    let recorded = fixture(&format!(
        "kubectl/{}",
        fixture_named("label-annotate-scale", 19)
    ));
    let body = recorded["request"]["body_raw"]
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let content_type = recorded["request"]["headers"]["Content-Type"].as_str();
    let path = "/api/v1/namespaces/default/services/productpage?fieldManager=kubectl-patch";
    let service = t
        .raw("PATCH", path, content_type, body, t.sim.token())
        .await;
    assert_eq!(service.status, 200, "{}", service.body);
    assert_eq!(service.body["spec"]["type"], "LoadBalancer");
    assert_eq!(service.body["spec"]["ports"][0]["port"], 9080);
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

/// A GET's status, headers and raw body, for answers that are not JSON.
struct RawReply {
    status: u16,
    headers: hyper::HeaderMap,
    body: Vec<u8>,
}

impl RawReply {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

async fn get_raw(t: &Tester, path_and_query: &str, headers: &[(&str, &str)]) -> RawReply {
    let mut builder = hyper::Request::builder()
        .uri(format!("{}{path_and_query}", t.sim.server_url()))
        .header("Authorization", format!("Bearer {}", t.sim.token()));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let response = t.client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    RawReply {
        status,
        headers,
        body,
    }
}

/// The file of a folder whose name starts with the two-digit number `n`.
fn fixture_named(folder: &str, n: u32) -> String {
    let dir = format!("{}/kubectl/{folder}", common::sim::FIXTURES);
    let prefix = format!("{n:02}-");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.starts_with(&prefix))
        .collect();
    names.sort();
    let file = names
        .first()
        .unwrap_or_else(|| panic!("no {prefix}* in {dir}"));
    format!("{folder}/{}", file.trim_end_matches(".json"))
}
