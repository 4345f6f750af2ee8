//! Port-forward against the demo cluster: kube-rs's `Api::<Pod>::portforward` reaches the pod's
//! HTTP server (productpage's page, reviews' JSON) on a declared port, is refused on the error
//! channel for a port no container declares, and the read-only viewer is refused; the real
//! kubectl's SPDY forward (`port-forward svc/kiali`) fails with kubectl's own clean report.

mod common {
    pub mod harness;
    pub mod kiali;
    pub mod kubectl;
    pub mod sim;
}

use bytes::Bytes;
use common::harness::guide_cluster;
use common::kubectl::{self, Kubectl, text};
use common::sim::wait_for_running_pods;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use istio_lab::sim::SimHandle;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};

async fn cluster() -> (SimHandle, Api<Pod>) {
    let sim = guide_cluster(50.0)
        .await
        .expect("the guide's cluster starts");
    wait_for_running_pods(&sim).await;
    let client = Client::try_from(sim.kube_config()).expect("a client");
    (sim, Api::default_namespaced(client))
}

/// The app's Running pod; the istio-system pods can all be Running before the controllers
/// have made Bookinfo's, so this waits for one of its own.
async fn pod_of(pods: &Api<Pod>, app: &str) -> String {
    for _ in 0..500 {
        let list = pods
            .list(&ListParams::default().labels(&format!("app={app}")))
            .await
            .expect("pods list");
        let running = list
            .items
            .iter()
            .find(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"));
        if let Some(name) = running.and_then(|p| p.metadata.name.clone()) {
            return name;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no Running {app} pod");
}

/// One GET over a forwarded port: status and body.
async fn get(pods: &Api<Pod>, pod: &str, port: u16, path: &str) -> (u16, String) {
    let mut forwarder = pods.portforward(pod, &[port]).await.expect("forward");
    let stream = forwarder.take_stream(port).expect("the port's stream");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP over the forward");
    tokio::spawn(connection);
    let request = hyper::Request::get(path)
        .header("Host", "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.expect("an answer");
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_forwards_to_the_pods_http_server() {
    let (_sim, pods) = cluster().await;
    let productpage = pod_of(&pods, "productpage").await;
    let (status, page) = get(&pods, &productpage, 9080, "/productpage").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<title>Simple Bookstore App</title>"),
        "{page}"
    );
    let (status, _) = get(&pods, &productpage, 9080, "/nope").await;
    assert_eq!(status, 404);

    // A reviews pod answers with its own version, whatever the route says.
    let reviews = pods
        .list(&ListParams::default().labels("app=reviews,version=v3"))
        .await
        .unwrap();
    let v3 = reviews.items[0].metadata.name.clone().unwrap();
    let (status, json) = get(&pods, &v3, 9080, "/reviews/0").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["podname"], v3.as_str());
    assert_eq!(json["reviews"][0]["rating"]["color"], "red");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_the_pod_does_not_declare_is_refused_on_its_error_channel() {
    let (_sim, pods) = cluster().await;
    let details = pod_of(&pods, "details").await;
    let mut forwarder = pods.portforward(&details, &[8081]).await.expect("forward");
    let error = forwarder.take_error(8081).expect("the error channel").await;
    let error = error.expect("an error message");
    assert!(
        error.starts_with("error forwarding port 8081 to pod ")
            && error.ends_with("connect: connection refused"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewer_may_not_forward_or_exec() {
    let (sim, _) = cluster().await;
    let viewer = Client::try_from(sim.kube_config_with_token(sim.viewer_token())).unwrap();
    let pods: Api<Pod> = Api::default_namespaced(viewer);
    let productpage = pod_of(&pods, "productpage").await;
    let err = pods
        .portforward(&productpage, &[9080])
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("403"), "{err}");
    // The refusal's words, as kubectl shows them for exec (the same check).
    if kubectl::missing() {
        return;
    }
    let kubectl = Kubectl::with_token(&sim, sim.viewer_token());
    let out = kubectl
        .run(&["exec", &productpage, "-c", "productpage", "--", "hostname"])
        .await;
    assert_eq!(
        text(&out.stderr),
        format!(
            "Error from server (Forbidden): pods \"{productpage}\" is forbidden: User \"demo-viewer\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"default\"\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectls_spdy_forward_fails_with_kubectls_clean_report() {
    if kubectl::missing() {
        return;
    }
    let (sim, _) = cluster().await;
    let client = Client::try_from(sim.kube_config()).unwrap();
    common::kiali::with_kiali(&sim, &client).await;
    let kubectl = Kubectl::new(&sim);
    // The command Kiali's dashboard is reached with (a random local port here); `timeout`:
    // were the forward to start, kubectl would listen until killed.
    let line = "timeout 60 kubectl port-forward svc/kiali :20001 -n istio-system";
    let out = kubectl.shell(line).await;
    assert_eq!(out.status.code(), Some(1), "stdout: {}", text(&out.stdout));
    assert_eq!(
        text(&out.stderr),
        "error: error upgrading connection: the demo cluster serves exec and port-forward over WebSocket only; SPDY/3.1 is not supported\n"
    );
}
