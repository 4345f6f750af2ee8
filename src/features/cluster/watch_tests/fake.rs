//! The fake API server of the watcher tests: a router of recorded answers served on
//! loopback, with streaming lists made from the lists it answers.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, stream};
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::Frame;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// What the fake server answers to one request.
pub enum Reply {
    Json(u16, String),
    /// A watch: these events, then the stream stays open.
    Watch(Vec<String>),
    /// These events, then the stream ends.
    Ended(Vec<String>),
}

/// Answers a request from its path and whether it watches.
pub type Router = Arc<dyn Fn(&str, bool) -> Reply + Send + Sync>;

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/rows/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

pub fn empty_list(api_version: &str, kind: &str) -> Reply {
    Reply::Json(
        200,
        format!(
            r#"{{"apiVersion":"{api_version}","kind":"{kind}","metadata":{{"resourceVersion":"305"}},"items":[]}}"#
        ),
    )
}

pub fn not_found() -> Reply {
    Reply::Json(
        404,
        r#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#
            .to_string(),
    )
}

fn respond(reply: Reply) -> Response<Body> {
    let (status, body) = match reply {
        Reply::Json(status, json) => (status, Full::new(Bytes::from(json)).boxed_unsync()),
        Reply::Watch(events) => {
            let frames = lines(events).chain(stream::pending());
            (200, StreamBody::new(frames).boxed_unsync())
        }
        Reply::Ended(events) => (200, StreamBody::new(lines(events)).boxed_unsync()),
    };
    let mut response = Response::new(body);
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    response
}

/// Serves `router` on a loopback port and returns a client for it.
pub async fn fake_cluster(router: Router) -> kube::Client {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let router = router.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let query = req.uri().query().unwrap_or("");
                        let path = req.uri().path();
                        let reply = if query.contains("sendInitialEvents=true") {
                            streaming_list(router(path, false))
                        } else {
                            router(path, query.contains("watch=true"))
                        };
                        async move { Ok::<_, Infallible>(respond(reply)) }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    let config = kube::Config::new(format!("http://{address}").parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

fn lines(events: Vec<String>) -> impl futures::Stream<Item = Result<Frame<Bytes>, Infallible>> {
    stream::iter(
        events
            .into_iter()
            .map(|e| Ok::<_, Infallible>(Frame::data(Bytes::from(e + "\n")))),
    )
}

/// A streaming list as kube-apiserver v1.36 answers it, made of the list the router answers:
/// every item as ADDED, then the end bookmark at the list's resourceVersion. The stream then
/// ends, so kube-runtime resumes with a plain watch from that bookmark, which the router
/// answers as before (and routes that count watches see the same first watch). A refused
/// list is a refused request.
fn streaming_list(list: Reply) -> Reply {
    let Reply::Json(200, body) = list else {
        return list;
    };
    let list: Value = serde_json::from_str(&body).unwrap();
    let kind = list["kind"].as_str().unwrap().trim_end_matches("List");
    let api_version = &list["apiVersion"];
    let mut events: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let mut object = item.clone();
            object["kind"] = json!(kind);
            object["apiVersion"] = api_version.clone();
            json!({"type": "ADDED", "object": object}).to_string()
        })
        .collect();
    let end = json!({"kind": kind, "apiVersion": api_version, "metadata": {
        "resourceVersion": list["metadata"]["resourceVersion"],
        "annotations": {"k8s.io/initial-events-end": "true"}}});
    events.push(json!({"type": "BOOKMARK", "object": end}).to_string());
    Reply::Ended(events)
}
