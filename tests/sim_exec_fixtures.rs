//! kubectl's recorded upgrade requests (tests/fixtures/k8s/kubectl/exec-logs-portforward)
//! replayed byte for byte against the demo cluster: exec's WebSocket upgrade is answered as the
//! real apiserver answered it (101, the same Sec-WebSocket-Accept for the same key, subprotocol
//! v5) and its frames come as recorded (an empty stdout frame first, the Status on channel 3, a
//! close 1000), here with the page the recording could not reach; port-forward's SPDY upgrades
//! (in a WebSocket, then plain) get a 500 Status of the recorded shape.

mod common {
    pub mod harness;
    pub mod sim;
}

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use common::harness::guide_cluster;
use common::sim::{tls, wait_for_running_pods};
use istio_lab::sim::SimHandle;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/k8s/kubectl/exec-logs-portforward"
);

fn recorded(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}.json")).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn pod(sim: &SimHandle, app: &str) -> String {
    sim.store()
        .get_all_pods()
        .into_iter()
        .find(|p| p["metadata"]["labels"]["app"] == app)
        .and_then(|p| p["metadata"]["name"].as_str().map(String::from))
        .expect("a pod of the app")
}

/// Sends the recorded request (on `pod`, with this run's token) on a new connection.
async fn send(
    sim: &SimHandle,
    request: &Value,
    recorded_pod: &str,
    pod: &str,
) -> hyper::Response<hyper::body::Incoming> {
    let stream = tls::connect(sim.addr(), sim.ca_der()).await.expect("TLS");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP/1.1");
    tokio::spawn(connection.with_upgrades());
    let path = request["path"].as_str().unwrap().replace(recorded_pod, pod);
    let query = request["query"].as_str().unwrap_or_default();
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let mut builder = hyper::Request::builder()
        .method(request["method"].as_str().unwrap())
        .uri(uri);
    for (name, value) in request["headers"].as_object().unwrap() {
        let value = match name.as_str() {
            "Authorization" => format!("Bearer {}", sim.token()),
            _ => value.as_str().unwrap().to_string(),
        };
        builder = builder.header(name.as_str(), value);
    }
    let request = builder.body(Empty::<Bytes>::new()).unwrap();
    sender.send_request(request).await.expect("an answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectls_exec_upgrade_is_answered_and_framed_as_recorded() {
    let sim = guide_cluster(50.0).await.expect("the guide's cluster");
    wait_for_running_pods(&sim).await;
    let exchange = recorded("02-exec-ratings-curl-productpage-exec-websocket-upgrade");
    let ratings = pod(&sim, "ratings");
    let mut response = send(
        &sim,
        &exchange["request"],
        "ratings-v1-d87c97c48-xnvwb",
        &ratings,
    )
    .await;
    assert_eq!(response.status().as_u16(), 101);
    for name in [
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Accept",
        "Sec-WebSocket-Protocol",
    ] {
        assert_eq!(
            response.headers()[name].to_str().unwrap(),
            exchange["response"]["headers"][name].as_str().unwrap(),
            "{name}"
        );
    }
    let upgraded = hyper::upgrade::on(&mut response).await.expect("upgraded");
    let mut socket =
        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, None).await;
    let mut frames = Vec::new();
    while let Some(Ok(message)) = socket.next().await {
        let end = message.is_close();
        frames.push(message);
        if end {
            break;
        }
    }
    let Message::Binary(first) = &frames[0] else {
        panic!("{frames:?}")
    };
    assert_eq!(
        first.as_ref(),
        [1u8],
        "the recorded empty stdout frame opens the stream"
    );
    let stdout: Vec<u8> = frames
        .iter()
        .filter_map(|m| match m {
            Message::Binary(b) if b.first() == Some(&1) => Some(b[1..].to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(String::from_utf8_lossy(&stdout).contains("<title>Simple Bookstore App</title>"));
    let Some(Message::Binary(status)) = frames.iter().rev().nth(1) else {
        panic!("{frames:?}")
    };
    assert_eq!(status[0], 3);
    assert_eq!(&status[1..], br#"{"metadata":{},"status":"Success"}"#);
    let Some(Message::Close(Some(close))) = frames.last() else {
        panic!("{frames:?}")
    };
    assert_eq!(u16::from(close.code), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectls_spdy_port_forward_upgrades_are_refused_with_the_recorded_shape() {
    let sim = guide_cluster(50.0).await.expect("the guide's cluster");
    wait_for_running_pods(&sim).await;
    let productpage = pod(&sim, "productpage");
    for name in [
        "10-port-forward-svc-kiali-portforward-websocket-upgrade-500",
        "11-port-forward-svc-kiali-portforward-spdy-upgrade-500",
    ] {
        let exchange = recorded(name);
        let request = exchange["request"].clone();
        let path = request["path"]
            .as_str()
            .unwrap()
            .replace("/istio-system/", "/default/");
        let request = serde_json::json!({"method": request["method"], "path": path,
            "query": request["query"], "headers": request["headers"]});
        let response = send(&sim, &request, "kiali-57767465fd-cfsvx", &productpage).await;
        assert_eq!(response.status().as_u16(), 500, "{name}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&body).unwrap();
        let expected = &exchange["response"]["body"];
        for field in ["kind", "apiVersion", "status", "code", "metadata"] {
            assert_eq!(body[field], expected[field], "{name}: {field}");
        }
        assert_eq!(
            body.get("reason"),
            None,
            "{name}: the recorded Status has no reason"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("SPDY/3.1 is not supported")
        );
    }
}
