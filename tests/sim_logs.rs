//! Workload logs through the real kubectl and the raw API: `-c istio-proxy` shows Envoy's
//! access-log lines for the requests the demo cluster served (the gateway's, the service
//! proxy's), the application containers print their own stacks' lines, the apiserver's
//! refusals come in its words, and `follow` streams lines as requests arrive.

mod common {
    pub mod gateway;
    pub mod harness;
    pub mod sim;
}

use std::time::Duration;

use bytes::Bytes;
use common::gateway::{Lab, get, missing};
use http_body_util::{BodyExt, Full};

/// The name of the first pod of `app` in `default`.
fn pod(lab: &Lab, app: &str) -> String {
    lab.sim()
        .store()
        .get_all_pods()
        .iter()
        .find(|p| p["metadata"]["namespace"] == "default" && p["metadata"]["labels"]["app"] == app)
        .and_then(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {app} pod"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_logs_show_the_requests_the_gateway_served() {
    if missing("kubectl") {
        return;
    }
    let lab = Lab::start().await;
    lab.with_gateway().await;
    let (status, _, _) = get(lab.sim().gateway_addr(), "/productpage?from=logs-test").await;
    assert_eq!(status, 200);
    let productpage = pod(&lab, "productpage");

    let (code, stdout, stderr) = lab
        .kubectl(&["logs", &productpage, "-c", "istio-proxy"])
        .await;
    assert_eq!(code, 0, "{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.contains("\"GET /productpage?from=logs-test HTTP/1.1\" 200 - via_upstream"))
        .unwrap_or_else(|| panic!("no access-log line for the request:\n{stdout}"));
    assert!(line.starts_with("[20"), "{line}");
    assert!(line.contains(" inbound|9080|| "), "{line}");
    assert!(stdout.contains("Envoy proxy is ready"), "{stdout}");
    // productpage's own calls, on its sidecar's outbound side.
    assert!(
        stdout.contains("outbound|9080||details.default.svc.cluster.local"),
        "{stdout}"
    );

    // The gateway's own proxy logged the same request, outbound to productpage.
    let (code, stdout, stderr) = lab
        .kubectl(&[
            "-n",
            "istio-system",
            "logs",
            "deploy/istio-ingressgateway",
            "--tail=20",
        ])
        .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("/productpage?from=logs-test")
                && l.contains("outbound|9080||productpage.default.svc.cluster.local")),
        "{stdout}"
    );

    // Without -c, kubectl picks productpage's own container: gunicorn and its calls.
    let (code, stdout, stderr) = lab.kubectl(&["logs", &productpage, "--tail=3"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.contains("urllib3.connectionpool"), "{stdout}");
    let (_, stdout, _) = lab
        .kubectl(&["logs", &pod(&lab, "details"), "--timestamps"])
        .await;
    assert!(
        stdout.contains("WEBrick::HTTPServer#start: pid=1 port=9080"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("20") && l.contains("Z ")),
        "{stdout}"
    );

    let (code, _, stderr) = lab.kubectl(&["logs", &productpage, "-c", "foo"]).await;
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        format!("error: container foo is not valid for pod {productpage}\n")
    );
    let (code, _, stderr) = lab.kubectl(&["logs", "productpage-v9-nothere"]).await;
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        // kubectl gets the pod first, and words the 404 itself.
        "error: error from server (NotFound): pods \"productpage-v9-nothere\" not found in namespace \"default\"\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_api_refuses_and_serves_as_the_apiserver_does() {
    let lab = Lab::start().await;
    lab.with_gateway().await;
    let productpage = pod(&lab, "productpage");
    let path = format!("/api/v1/namespaces/default/pods/{productpage}/log");

    // The native sidecar is an init container: productpage is the only regular container.
    let reply = lab.api_get(&path).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "text/plain");
    assert!(
        reply.body.as_str().unwrap().contains("Starting gunicorn"),
        "{:?}",
        reply.body
    );

    let reply = lab.api_get(&format!("{path}?container=foo")).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["reason"], "BadRequest");
    assert_eq!(
        reply.body["message"],
        format!("container foo is not valid for pod {productpage}")
    );
    let reply = lab
        .api_get("/api/v1/namespaces/default/pods/nothere/log")
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["message"], "pods \"nothere\" not found");
    let reply = lab
        .api_get(&format!("{path}?container=istio-proxy&tailLines=-1"))
        .await;
    assert_eq!(reply.status, 422, "{:?}", reply.body);

    // The service proxy's request shows up in productpage's proxy log, from the apiserver.
    let page = lab
        .api_get("/api/v1/namespaces/default/services/productpage:9080/proxy/productpage")
        .await;
    assert_eq!(page.status, 200);
    let reply = lab
        .api_get(&format!("{path}?container=istio-proxy&tailLines=20"))
        .await;
    let text = reply.body.as_str().unwrap().to_string();
    assert!(
        text.lines()
            .any(|l| l.contains("\"GET /productpage HTTP/1.1\" 200")
                && l.contains("\"kube-apiserver\"")),
        "{text}"
    );
    let reply = lab
        .api_get(&format!("{path}?container=istio-proxy&tailLines=2"))
        .await;
    assert_eq!(reply.body.as_str().unwrap().lines().count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_streams_each_new_request() {
    let lab = Lab::start().await;
    lab.with_gateway().await;
    let productpage = pod(&lab, "productpage");
    let uri = format!(
        "{}/api/v1/namespaces/default/pods/{productpage}/log?container=istio-proxy&follow=true&tailLines=0",
        lab.sim().server_url()
    );
    let request = hyper::Request::get(uri)
        .header("Authorization", format!("Bearer {}", lab.sim().token()))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = lab.t.client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    for n in 0..3 {
        let path = format!("/productpage?follow={n}");
        assert_eq!(get(lab.sim().gateway_addr(), &path).await.0, 200);
        // Each request writes this proxy's inbound line, then its two outbound ones.
        let mut seen = String::new();
        while !seen.contains(&path) {
            let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
                .await
                .expect("a line follows the request")
                .expect("the stream goes on")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                seen.push_str(&String::from_utf8_lossy(&data));
            }
        }
        assert!(
            seen.contains(&format!("\"GET {path} HTTP/1.1\" 200")),
            "{seen}"
        );
    }
}
