//! The demo cluster's limits and credentials (issue 10, items 17 and 18): bodies over the
//! apiserver's 3 MiB are refused with 413 without being read whole, connections that do
//! not finish their headers are closed, tokens are new for every run, the viewer may read
//! but not write, and no malformed request takes the server down.
//!
//! Recorded (tests/fixtures/k8s): the viewer's refused patch
//! (`errors/patch-virtualservice-forbidden-403`) and the 401 for an unknown token
//! (`errors/unauthorized-401`). Reproduced from kube-apiserver's source: the 413 Status
//! (`NewRequestEntityTooLargeError` with `--max-request-bytes`' default, 3145728) and the
//! viewer's 403 for create and delete (the same RBAC wording as the recorded patch).

mod common {
    pub mod sim;
}

use std::time::{Duration, Instant};

use common::sim::{Tester, apply_bookinfo, fixture, same_shape, tls};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const VS: &str = "/apis/networking.istio.io/v1/namespaces/default/virtualservices";

/// A VirtualService whose annotation makes its body `size` bytes or more.
fn padded_virtual_service(name: &str, size: usize) -> Vec<u8> {
    let body = json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
        "metadata": {"name": name, "annotations": {"padding": "x".repeat(size)}},
        "spec": {"hosts": ["reviews"]}});
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_three_mebibytes_get_413_and_smaller_ones_are_served() {
    let t = Tester::start().await;
    let token = t.sim.token().to_string();
    let json = Some("application/json");
    let too_large = |answer: &str| {
        assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(
            body,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                   "message": "Request entity too large: limit is 3145728",
                   "reason": "RequestEntityTooLarge", "code": 413})
        );
    };
    let big = padded_virtual_service("big", 4 * 1024 * 1024);
    // A declared length over the limit is refused before a byte of the body is sent.
    let head = |framing: &str| {
        format!(
            "POST {VS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\n{framing}\r\n\r\n"
        )
    };
    let declared = format!("Content-Length: {}", big.len());
    let answer = exchange(&t, head(&declared).as_bytes(), &[]).await;
    too_large(&answer);

    // Without a Content-Length the body is read until it passes the limit, then refused.
    // Only a little more than the limit is sent, so the server has read all of it.
    let mut chunks = Vec::new();
    for piece in big[..3 * 1024 * 1024 + 64 * 1024].chunks(64 * 1024) {
        chunks.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunks.extend_from_slice(piece);
        chunks.extend_from_slice(b"\r\n");
    }
    let answer = exchange(&t, head("Transfer-Encoding: chunked").as_bytes(), &chunks).await;
    too_large(&answer);

    let fits = padded_virtual_service("fits", 2 * 1024 * 1024);
    assert_eq!(t.raw("POST", VS, json, fits, &token).await.status, 201);
    let names: Vec<_> = t
        .sim
        .store()
        .list_objects("networking.istio.io/v1", "VirtualService", "default")
        .iter()
        .map(|vs| vs["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("fits")]);
    t.sim.shutdown().await;
}

/// Writes `head` and `body` on a new TLS connection, then reads the answer until the server
/// closes it.
async fn exchange(t: &Tester, head: &[u8], body: &[u8]) -> String {
    let mut stream = tls::connect(t.sim.addr(), t.sim.ca_der()).await.unwrap();
    stream.write_all(head).await.unwrap();
    // The server may answer and stop reading before all of it is written.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    let _ = tokio::time::timeout(Duration::from_secs(10), read).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Reads from a connection until the server closes it; the time that took.
async fn closed_after(mut stream: impl AsyncRead + Unpin, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_are_closed_after_the_header_timeout() {
    let t = Tester::start().await;
    // Idle before the TLS handshake; half-sent after it.
    let idle = TcpStream::connect(t.sim.addr()).await.unwrap();
    let mut partial = tls::connect(t.sim.addr(), t.sim.ca_der()).await.unwrap();
    partial
        .write_all(b"GET /api HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let limit = Duration::from_secs(20);
    let (idle, partial) = tokio::join!(closed_after(idle, limit), closed_after(partial, limit));
    for (what, closed) in [("idle", idle), ("half-sent headers", partial)] {
        let closed = closed.unwrap_or_else(|| panic!("{what}: still open after {limit:?}"));
        assert!(
            closed >= Duration::from_secs(8),
            "{what}: closed too early, {closed:?}"
        );
    }
    // The server goes on serving.
    let reply = t
        .raw("GET", "/api/v1/namespaces", None, Vec::new(), t.sim.token())
        .await;
    assert_eq!(reply.status, 200);
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_new_every_run_and_the_viewer_only_reads() {
    let t = Tester::start().await;
    let other = Tester::start().await;
    apply_bookinfo(&t).await;
    let (admin, viewer) = (t.sim.token().to_string(), t.sim.viewer_token().to_string());
    assert_ne!(admin, other.sim.token(), "each run makes its own token");
    assert_ne!(viewer, other.sim.viewer_token());
    assert!(admin.len() >= 32 && viewer.len() >= 32);
    assert!(
        t.sim
            .kubeconfig_yaml()
            .contains(&format!("token: {admin}\n"))
    );
    let unauthorized = fixture("errors/unauthorized-401")["response"]["body"].clone();
    for stale in [
        "istio-lab-demo-token",
        "demo-viewer-token",
        other.sim.token(),
    ] {
        let reply = t.raw("GET", VS, None, Vec::new(), stale).await;
        assert_eq!(reply.status, 401, "{stale}");
        same_shape("old token", &unauthorized, &reply.body);
    }

    let reply = t.raw("GET", VS, None, Vec::new(), &viewer).await;
    assert_eq!(reply.status, 200, "the viewer reads");
    let recorded = fixture("errors/patch-virtualservice-forbidden-403");
    t.replay("errors/patch-virtualservice-forbidden-403").await;
    let body = serde_json::to_vec(&recorded["request"]["body"]).unwrap();
    let reply = t
        .raw(
            "PATCH",
            &format!("{VS}/reviews"),
            Some("application/merge-patch+json"),
            body,
            &viewer,
        )
        .await;
    assert_eq!(reply.body, recorded["response"]["body"]);
    let forbidden = |verb: &str, name: &str| {
        let subject = if name.is_empty() {
            "virtualservices.networking.istio.io".to_string()
        } else {
            format!("virtualservices.networking.istio.io \"{name}\"")
        };
        format!(
            "{subject} is forbidden: User \"demo-viewer\" cannot {verb} resource \"virtualservices\" \
             in API group \"networking.istio.io\" in the namespace \"default\""
        )
    };
    let create = serde_json::to_vec(&json!({"apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService", "metadata": {"name": "mine"}}))
    .unwrap();
    let reply = t
        .raw("POST", VS, Some("application/json"), create, &viewer)
        .await;
    assert_eq!(
        (reply.status, reply.body["message"].as_str()),
        (403, Some(forbidden("create", "").as_str()))
    );
    let reply = t
        .raw(
            "DELETE",
            &format!("{VS}/reviews"),
            None,
            Vec::new(),
            &viewer,
        )
        .await;
    assert_eq!(
        (reply.status, reply.body["message"].as_str()),
        (403, Some(forbidden("delete", "reviews").as_str()))
    );
    assert!(
        t.sim
            .store()
            .get_object(
                "networking.istio.io/v1",
                "VirtualService",
                "default",
                "reviews"
            )
            .is_some()
    );
    let reply = t
        .raw("DELETE", &format!("{VS}/reviews"), None, Vec::new(), &admin)
        .await;
    assert_eq!(reply.status, 200, "the admin token still writes");
    other.sim.shutdown().await;
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_never_take_the_server_down() {
    let t = Tester::start().await;
    apply_bookinfo(&t).await;
    let token = t.sim.token().to_string();
    let json = Some("application/json");
    let bodies: [&[u8]; 9] = [
        b"",
        b"[]",
        b"null",
        b"42",
        b"{\"metadata\": \"x\"}",
        b"{\"metadata\": {\"name\": 7}}",
        b"{\"metadata\": {\"name\": \"\\u0000\"}}",
        b"\xff\xfe",
        b"{\"spec\": {\"http\": \"no\"}}",
    ];
    for body in bodies {
        for (method, path, content_type) in [
            ("POST", VS.to_string(), json),
            ("PUT", format!("{VS}/reviews"), json),
            (
                "PATCH",
                format!("{VS}/reviews"),
                Some("application/merge-patch+json"),
            ),
            (
                "PATCH",
                format!("{VS}/reviews"),
                Some("application/json-patch+json"),
            ),
            (
                "PATCH",
                format!("{VS}/reviews?fieldManager=x"),
                Some("application/apply-patch+yaml"),
            ),
            ("DELETE", format!("{VS}/reviews"), json),
        ] {
            let reply = t
                .raw(method, &path, content_type, body.to_vec(), &token)
                .await;
            assert!(
                reply.status < 500 || (reply.status == 500 && method == "PATCH"),
                "{method} {path}: {}",
                reply.body
            );
            if method == "DELETE" && reply.status == 200 {
                let again = fixture("apply/06-virtualservice-reviews")["request"].clone();
                t.send(&again, Duration::from_secs(1)).await;
            }
        }
    }
    for path in [
        "/api/v1/namespaces/default/pods?labelSelector=(((",
        "/api/v1/namespaces/default/pods?labelSelector=a%20in%20(b&fieldSelector=%3D%3D",
        "/api/v1/namespaces/default/pods?limit=-1&continue=%00",
        "/api/v1/namespaces/default/pods?watch=true&resourceVersion=abc&timeoutSeconds=1",
        "/api/v1/namespaces/%zz/pods",
        "/api/v1/namespaces/default/pods/%2e%2e",
        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews/status/extra",
    ] {
        let reply = t.raw("GET", path, None, Vec::new(), &token).await;
        assert!(reply.status < 500, "{path}: {}", reply.body);
    }
    let reply = t
        .raw("GET", &format!("{VS}/reviews"), None, Vec::new(), &token)
        .await;
    assert_eq!(reply.status, 200, "still serving");
    t.sim.shutdown().await;
}
