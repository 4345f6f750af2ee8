//! Loopback proxies in front of the demo cluster for the watcher stories: an HTTP one that
//! rides out server restarts, ends watches cleanly, can hide Istio's CRDs and can fail every
//! request for an outage (plain HTTP from the client, HTTPS to the demo cluster); and a TCP
//! one that can reset every connection it carries (TLS end to end through it).
#![allow(dead_code)]

#[path = "tls.rs"]
mod tls;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use istio_lab::features::cluster::client_from_config;
use istio_lab::sim::SimHandle;
use kube::Client;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A client reaching the demo cluster through a loopback proxy that retries until the server
/// answers, ends watches cleanly when the server goes away, and, with `hide_istio`, answers as
/// a cluster without Istio's CRDs.
pub async fn proxied_client(sim: &SimHandle, hide_istio: bool) -> Client {
    proxy(sim, hide_istio, Outage::default()).await
}

/// The same proxy, failing every request while `outage` is on, as a load balancer does whose
/// backends are down.
pub async fn proxied_client_with_outage(sim: &SimHandle, outage: &Outage) -> Client {
    proxy(sim, false, outage.clone()).await
}

/// The switch of a proxy's outage, and the requests it refused.
#[derive(Debug, Clone, Default)]
pub struct Outage {
    on: Arc<AtomicBool>,
    refused: Arc<Mutex<Vec<Uri>>>,
}

impl Outage {
    /// What a refused request gets, as a plain-text 502 (not retried by kube's client stack,
    /// which retries 429, 503 and 504 on its own).
    pub const REPLY: &str = "upstream unavailable";

    pub fn begin(&self) {
        self.on.store(true, Ordering::SeqCst);
    }

    pub fn end(&self) {
        self.on.store(false, Ordering::SeqCst);
    }

    /// Every request refused so far, oldest first.
    pub fn refused(&self) -> Vec<Uri> {
        self.refused
            .lock()
            .map(|refused| refused.clone())
            .unwrap_or_default()
    }

    /// Records and answers `uri` if the outage is on.
    fn refuse(&self, uri: &Uri) -> Option<Response<ProxyBody>> {
        if !self.on.load(Ordering::SeqCst) {
            return None;
        }
        if let Ok(mut refused) = self.refused.lock() {
            refused.push(uri.clone());
        }
        let mut response = Response::new(full_body(format!("{}\n", Self::REPLY)));
        *response.status_mut() = hyper::StatusCode::BAD_GATEWAY;
        Some(response)
    }
}

async fn proxy(sim: &SimHandle, hide_istio: bool, outage: Outage) -> Client {
    let upstream = Upstream {
        addr: sim.addr(),
        tls: tls::client_config(sim.ca_der()),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let outage = outage.clone();
            let upstream = upstream.clone();
            let service = service_fn(move |request| {
                forward(upstream.clone(), hide_istio, outage.clone(), request)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    let mut config = sim.kube_config();
    config.cluster_url = format!("http://{address}").parse().unwrap();
    client_from_config(config).unwrap()
}

type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// The demo cluster behind the HTTP proxy, and the TLS client that trusts its CA.
#[derive(Clone)]
struct Upstream {
    addr: SocketAddr,
    tls: Arc<rustls::ClientConfig>,
}

fn full_body(bytes: impl Into<Bytes>) -> ProxyBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

async fn forward(
    upstream: Upstream,
    hide_istio: bool,
    outage: Outage,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, hyper::Error> {
    const ISTIO: &str = "networking.istio.io";
    if let Some(refused) = outage.refuse(request.uri()) {
        return Ok(refused);
    }
    let path = request.uri().path().trim_end_matches('/').to_string();
    if hide_istio && path.starts_with(&format!("/apis/{ISTIO}")) {
        let mut response = Response::new(full_body("404 page not found\n"));
        *response.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(response);
    }
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let response = loop {
        let mut replay = Request::new(Full::new(body.clone()));
        *replay.method_mut() = parts.method.clone();
        *replay.uri_mut() = parts.uri.clone();
        *replay.headers_mut() = parts.headers.clone();
        if let Ok(response) = send_once(&upstream, replay).await {
            break response;
        }
        // The server is restarting; the bounded waits of the tests cap how long this goes on.
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    if !(hide_istio && path == "/apis") {
        return Ok(response.map(|body| EndCleanly(body).boxed()));
    }
    let (mut parts, body) = response.into_parts();
    let mut groups: Value = serde_json::from_slice(&body.collect().await?.to_bytes()).unwrap();
    // The plain group list names groups in `groups`, the aggregated one in `items`.
    for list in ["groups", "items"] {
        if let Some(entries) = groups[list].as_array_mut() {
            entries.retain(|g| g["name"] != ISTIO && g["metadata"]["name"] != ISTIO);
        }
    }
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    let body = full_body(serde_json::to_vec(&groups).unwrap());
    Ok(Response::from_parts(parts, body))
}

async fn send_once(
    upstream: &Upstream,
    request: Request<Full<Bytes>>,
) -> Result<Response<Incoming>, Box<dyn std::error::Error + Send + Sync>> {
    let tcp = TcpStream::connect(upstream.addr).await?;
    let name = rustls::pki_types::ServerName::IpAddress(upstream.addr.ip().into());
    let stream = tokio_rustls::TlsConnector::from(upstream.tls.clone())
        .connect(name, tcp)
        .await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender.send_request(request).await?)
}

/// A response body that ends where the upstream connection broke off, as an API server's
/// graceful shutdown ends its watch streams.
struct EndCleanly(Incoming);

impl hyper::body::Body for EndCleanly {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        match Pin::new(&mut self.get_mut().0).poll_frame(cx) {
            Poll::Ready(Some(Err(_))) => Poll::Ready(None),
            other => other,
        }
    }
}

/// A client reaching the demo cluster through a plain TCP relay, and the relay's switch.
pub async fn relayed_client(sim: &SimHandle) -> (Client, Relay) {
    let upstream = sim.addr();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let relay = Relay::default();
    let connections = relay.clone();
    tokio::spawn(async move {
        while let Ok((mut downstream, _)) = listener.accept().await {
            // Taken at the accept, so a reset right after it still reaches this connection.
            let reset = connections.current();
            tokio::spawn(async move {
                let Ok(mut upstream) = TcpStream::connect(upstream).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut downstream, &mut upstream) => {}
                    () = reset.cancelled() => {
                        // Closing with SO_LINGER 0 sends RST: the client reads "connection reset"
                        // mid-watch, an error, where a plain close would be a clean end.
                        let _ = downstream.set_zero_linger();
                    }
                }
            });
        }
    });
    let mut config = sim.kube_config();
    config.cluster_url = format!("https://{address}").parse().unwrap();
    (client_from_config(config).unwrap(), relay)
}

/// Resets the connections a TCP relay carries.
#[derive(Debug, Clone, Default)]
pub struct Relay {
    current: Arc<Mutex<CancellationToken>>,
}

impl Relay {
    fn current(&self) -> CancellationToken {
        self.current
            .lock()
            .map(|token| token.clone())
            .unwrap_or_default()
    }

    /// Resets every connection open now; later ones are relayed as before.
    pub fn reset_all(&self) {
        if let Ok(mut current) = self.current.lock() {
            current.cancel();
            *current = CancellationToken::new();
        }
    }
}
