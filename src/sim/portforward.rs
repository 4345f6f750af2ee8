//! `pods/{name}/portforward?ports=…` over WebSocket, as the kubelet serves it: per port a data
//! channel (2i) and an error channel (2i+1), each opened by a frame carrying the port (u16 LE).
//! The bytes of a port reach an HTTP/1.1 server inside the demo cluster answering as that pod's
//! process does (`exec::bookinfo::serve_pod`); a port no container declares is refused on its
//! error channel, in the kubelet's words. kubectl's SPDY (plain, or tunnelled in a WebSocket)
//! is refused with a Status, which kubectl prints as `error upgrading connection: …`.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, WriteHalf};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::exec::bookinfo::{Cluster, exposes, serve_pod};
use super::exec::{admit, not_websocket, spdy_refused};
use super::http::{Body, Shared, error_response};
use super::status::ApiError;
use super::websocket::{self, PORTFORWARD_PROTOCOLS, Socket};

/// The bytes one port's in-cluster connection buffers each way.
const PIPE_BYTES: usize = 64 * 1024;

/// The `ports` of the query: repeated or comma-separated, as the kubelet reads them.
fn ports(params: &[(String, String)]) -> Result<Vec<u16>, ApiError> {
    let mut ports = Vec::new();
    for value in params.iter().filter(|(k, _)| k == "ports").map(|(_, v)| v) {
        for text in value.split(',').map(str::trim) {
            match text.parse::<u16>() {
                Ok(port) if port > 0 => ports.push(port),
                _ => {
                    return Err(ApiError::bad_request(&format!(
                        "unable to parse \"{text}\" as a port: invalid port"
                    )));
                }
            }
        }
    }
    if ports.is_empty() {
        return Err(ApiError::bad_request("at least 1 port must be specified"));
    }
    Ok(ports)
}

/// `GET|POST /api/v1/namespaces/{ns}/pods/{pod}/portforward`.
pub fn handle(
    shared: &Arc<Shared>,
    mut req: Request<Incoming>,
    (user, streams): (&str, CancellationToken),
    (namespace, pod): (&str, &str),
    params: &[(String, String)],
) -> Response<Body> {
    let found = match admit(shared, req.method(), user, (namespace, pod, "portforward")) {
        Ok(found) => found,
        Err(err) => return error_response(&err),
    };
    if found.pointer("/status/phase").and_then(Value::as_str) != Some("Running") {
        let message = format!("unable to upgrade connection: pod {pod} is not running");
        return error_response(&ApiError::bad_request(&message));
    }
    let Some(offer) = websocket::offer(&req) else {
        return error_response(&not_websocket(&req));
    };
    let Some(protocol) = websocket::choose(&offer, PORTFORWARD_PROTOCOLS) else {
        // kubectl's SPDY/3.1+portforward.k8s.io: refused as a failed upgrade, so kubectl
        // reports it (after its plain-SPDY fallback is refused too).
        return error_response(&spdy_refused());
    };
    // Only the WebSocket protocol names its ports in the query (SPDY opens a stream per port).
    let ports = match ports(params) {
        Ok(ports) => ports,
        Err(err) => return error_response(&err),
    };
    let shared_session = shared.clone();
    websocket::accept(&mut req, &offer, protocol, streams, move |socket| {
        run(socket, ports, found, shared_session)
    })
}

/// The kubelet's refusal of a port nothing listens on.
fn refused(pod: &Value, port: u16) -> String {
    let uid = pod
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    format!(
        "error forwarding port {port} to pod {uid}, uid : failed to connect to localhost:{port} inside namespace, \
         IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused"
    )
}

async fn run(socket: Socket, ports: Vec<u16>, pod: Value, shared: Arc<Shared>) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(16);
    let mut writers: Vec<Option<WriteHalf<DuplexStream>>> = Vec::new();
    let pod = Arc::new(pod);
    for (i, port) in ports.iter().copied().enumerate() {
        let data = (2 * i) as u8;
        let [lo, hi] = port.to_le_bytes();
        for channel in [data, data + 1] {
            if sink
                .send(Message::binary(vec![channel, lo, hi]))
                .await
                .is_err()
            {
                return;
            }
        }
        if !exposes(&pod, port) {
            let mut frame = vec![data + 1];
            frame.extend_from_slice(refused(&pod, port).as_bytes());
            if sink.send(Message::binary(frame)).await.is_err() {
                return;
            }
            writers.push(None);
            continue;
        }
        let (client, server) = tokio::io::duplex(PIPE_BYTES);
        spawn_server(server, pod.clone(), port, shared.clone());
        let (mut reader, writer) = tokio::io::split(client);
        writers.push(Some(writer));
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 16 * 1024];
            while let Ok(n) = reader.read(&mut buffer).await {
                if n == 0 {
                    break;
                }
                let mut frame = Vec::with_capacity(n + 1);
                frame.push(data);
                frame.extend_from_slice(&buffer[..n]);
                if tx.send(frame).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Binary(frame))) => {
                    let Some((&channel, bytes)) = frame.split_first() else { continue };
                    let writer = writers
                        .get_mut(usize::from(channel / 2))
                        .and_then(Option::as_mut);
                    if channel % 2 == 0 && !bytes.is_empty()
                        && let Some(writer) = writer
                        && writer.write_all(bytes).await.is_err()
                    {
                        // That port's server is gone; the others carry on.
                        writers[usize::from(channel / 2)] = None;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(frame) => {
                    if sink.send(Message::binary(frame)).await.is_err() {
                        return;
                    }
                }
                // Every port's server has closed its connection.
                None => {
                    let _ = sink.send(Message::Close(None)).await;
                    return;
                }
            },
        }
    }
}

/// The pod's HTTP/1.1 server for one forwarded connection.
fn spawn_server(io: DuplexStream, pod: Arc<Value>, port: u16, shared: Arc<Shared>) {
    let service = service_fn(move |req: Request<Incoming>| {
        let (pod, shared) = (pod.clone(), shared.clone());
        async move {
            let method = req.method().as_str().to_string();
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let cluster = Cluster {
                store: &shared.store,
                hooks: &shared.hooks,
                roll: shared.store.allocator().roll(100_000),
            };
            let response = match serve_pod(&cluster, &pod, port, &method, &path) {
                Some(answer) => Response::builder()
                    .status(answer.status)
                    .header("Content-Type", answer.content_type)
                    .body(Full::new(answer.body)),
                None => Response::builder()
                    .status(502)
                    .body(Full::new(Bytes::new())),
            };
            Ok::<_, Infallible>(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
        }
    });
    tokio::spawn(async move {
        let _ = http1::Builder::new()
            .serve_connection(TokioIo::new(io), service)
            .await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ports_are_read_repeated_or_comma_separated() {
        assert_eq!(
            ports(&query(&[("ports", "80,1234"), ("ports", "9080")])).unwrap(),
            vec![80, 1234, 9080]
        );
        let err = ports(&query(&[("ports", "http")])).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(ports(&query(&[])).is_err());
    }
}
