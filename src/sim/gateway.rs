//! The `istio-ingressgateway` on a real local port: plain HTTP/1.1 that curl and a browser
//! reach at the guide's `GATEWAY_URL`. It binds port 80 where the process may (else a free
//! port, or the port asked for), writes its address into the `istio-ingressgateway` Service
//! (`status.loadBalancer.ingress[0].ip`, the `http2` port) so the guide's export lines find
//! it, routes by the Gateway and VirtualServices in the store (`gateway_route`), and answers
//! as Envoy does: Bookinfo's pages through `bookinfo`, or an empty 404 from `istio-envoy`.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::bookinfo::{self, Source};
use super::envoy_log::Access;
use super::gateway_route::{self, GATEWAY_LABELS};
use super::http::{Body, full};
use super::productpage::PodRef;
use super::resources::{self, PODS, SERVICES};
use super::store::{SimStore, Write};
use super::telemetry::Telemetry;
use super::{Listen, SimError};

/// The port the ingress gateway's Service offers, taken when the process may bind it.
pub const PREFERRED_PORT: u16 = 80;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the gateway where `listen` says on `port` (see `bind`), serves it until `lifetime`
/// ends, and writes its address into the `istio-ingressgateway` Service.
pub async fn open(
    listen: &Listen,
    port: Option<u16>,
    store: &SimStore,
    telemetry: &Arc<Telemetry>,
    lifetime: &CancellationToken,
) -> Result<SocketAddr, SimError> {
    let listener = bind(listen.addr, port).await?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        addr: SocketAddr::new(listen.addr, port.unwrap_or(PREFERRED_PORT)),
        source,
    })?;
    start(
        listener,
        store.clone(),
        telemetry.clone(),
        lifetime.child_token(),
    );
    publish(store, advertised_ip(listen), addr.port());
    Ok(addr)
}

/// Binds the gateway's port: `port` when given (0: a free one), else 80 where allowed and a
/// free port where not.
async fn bind(listen: IpAddr, port: Option<u16>) -> Result<TcpListener, SimError> {
    let bind = |port: u16| async move {
        let addr = SocketAddr::new(listen, port);
        TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })
    };
    match port {
        Some(port) => bind(port).await,
        None => match bind(PREFERRED_PORT).await {
            Ok(listener) => Ok(listener),
            // Without the right to bind 80 (or with it taken), any port will do.
            Err(_) => bind(0).await,
        },
    }
}

/// The address the Service advertises: the listen address, or on every interface the first
/// other address the certificate names (the one other machines use), else loopback.
pub fn advertised_ip(listen: &Listen) -> IpAddr {
    if !listen.addr.is_unspecified() {
        return listen.addr;
    }
    listen
        .tls_names
        .iter()
        .filter_map(|name| name.parse::<IpAddr>().ok())
        .find(|ip| !ip.is_loopback() && !ip.is_unspecified())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// Writes `ip` and `port` into the `istio-ingressgateway` Service, as the cloud's load
/// balancer controller writes its address (with `ipMode: VIP`, as the apiserver adds it).
fn publish(store: &SimStore, ip: IpAddr, port: u16) {
    // No such Service (an empty scenario): nothing to write.
    let _ = store.transact(
        SERVICES,
        "istio-system",
        "istio-ingressgateway",
        |current| {
            let Some(current) = current else {
                return Ok(Write::Keep);
            };
            let mut service = current.clone();
            service["status"]["loadBalancer"]["ingress"] =
                json!([{"ip": ip.to_string(), "ipMode": "VIP"}]);
            if let Some(ports) = service
                .pointer_mut("/spec/ports")
                .and_then(Value::as_array_mut)
            {
                for p in ports.iter_mut().filter(|p| p["name"] == "http2") {
                    p["port"] = json!(port);
                }
            }
            Ok(Write::Replace(service))
        },
    );
}

/// Serves the gateway on `listener` until `cancel`.
fn start(
    listener: TcpListener,
    store: SimStore,
    telemetry: Arc<Telemetry>,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = cancel.cancelled() => return,
            };
            let Ok((stream, peer)) = accepted else {
                // Out of descriptors, most likely: wait for some to close.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let (store, telemetry, cancel) = (store.clone(), telemetry.clone(), cancel.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let (store, telemetry) = (store.clone(), telemetry.clone());
                    async move { Ok::<_, Infallible>(serve(&store, &telemetry, peer, &req)) }
                });
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = connection => {}
                    _ = cancel.cancelled() => {}
                }
            });
        }
    });
}

/// The ingress gateway's pod, as its access log names it.
fn gateway_pod(store: &SimStore) -> PodRef {
    let pods = store.list(PODS, Some("istio-system")).0;
    pods.iter()
        .filter(|pod| {
            GATEWAY_LABELS.iter().all(|(k, v)| {
                pod.pointer(&format!("/metadata/labels/{k}"))
                    .and_then(Value::as_str)
                    == Some(v)
            })
        })
        .map(PodRef::of)
        .next()
        .unwrap_or(PodRef {
            name: "istio-ingressgateway".into(),
            ip: "10.244.0.2".into(),
            version: String::new(),
        })
}

fn header<'a>(req: &'a Request<Incoming>, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// One request at the gateway.
pub fn serve(
    store: &SimStore,
    telemetry: &Telemetry,
    peer: SocketAddr,
    req: &Request<Incoming>,
) -> Response<Body> {
    let authority = header(req, "host").to_string();
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(authority.as_str(), |(host, _)| host);
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let list = |plural: &str| {
        resources::find("networking.istio.io", "v1", plural)
            .map(|resource| store.list(resource, None).0)
            .unwrap_or_default()
    };
    let (gateways, virtual_services) = (list("gateways"), list("virtualservices"));
    let pod = gateway_pod(store);
    let destination = gateway_route::route(
        &gateways.iter().collect::<Vec<_>>(),
        &virtual_services.iter().collect::<Vec<_>>(),
        host,
        &path,
    );
    let Some(destination) = destination else {
        telemetry.record_request(
            "istio-system",
            &pod.name,
            &Access {
                method: req.method().to_string(),
                path,
                status: 404,
                flags: "NR".into(),
                user_agent: header(req, "user-agent").into(),
                request_id: Access::new_request_id(),
                authority,
                downstream_local: format!("{}:8080", pod.ip),
                downstream_remote: peer.to_string(),
                ..Access::default()
            },
        );
        return envoy_response(404, "", None, Vec::new());
    };
    let source = Source::Gateway(pod);
    let reply = bookinfo::call(
        store,
        telemetry,
        &bookinfo::Request {
            namespace: &destination.namespace,
            service: &destination.service,
            method: req.method().as_str(),
            path: &path,
            user_agent: header(req, "user-agent"),
            authority: &authority,
            source: &source,
        },
    );
    envoy_response(
        reply.status,
        reply.content_type,
        reply.location.as_deref(),
        reply.body.into_bytes(),
    )
}

/// A response with the headers Envoy adds (`server: istio-envoy`), HEAD answered bodiless by hyper.
fn envoy_response(
    status: u16,
    content_type: &str,
    location: Option<&str>,
    body: Vec<u8>,
) -> Response<Body> {
    let mut builder = Response::builder()
        .status(status)
        .header("server", "istio-envoy")
        .header("content-length", body.len());
    if !content_type.is_empty() {
        builder = builder.header("content-type", content_type).header(
            "x-envoy-upstream-service-time",
            fastrand::u8(3..30).to_string(),
        );
    }
    if let Some(location) = location {
        builder = builder.header("location", location);
    }
    builder
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full("")))
}

impl super::SimHandle {
    /// Where the ingress gateway listens (on 0.0.0.0 or ::, loopback's): the guide's
    /// `GATEWAY_URL`, as the `istio-ingressgateway` Service advertises it.
    pub fn gateway_addr(&self) -> SocketAddr {
        super::tls::reachable(self.gateway)
    }

    /// The workloads' logs and traffic counts, for code that serves requests on a pod's
    /// behalf (`Telemetry::record_request`) and for Kiali (`kiali::serve`).
    pub fn telemetry(&self) -> Arc<Telemetry> {
        self.telemetry.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    #[test]
    fn the_service_advertises_where_the_gateway_listens() {
        let store = SimStore::new();
        Scenario::demo().unwrap().load(&store).unwrap();
        publish(&store, "127.0.0.1".parse().unwrap(), 18080);
        let service = store
            .get(SERVICES, "istio-system", "istio-ingressgateway")
            .unwrap();
        assert_eq!(
            service["status"]["loadBalancer"]["ingress"],
            json!([{"ip": "127.0.0.1", "ipMode": "VIP"}])
        );
        let ports = service["spec"]["ports"].as_array().unwrap();
        let port = |name: &str| ports.iter().find(|p| p["name"] == name).unwrap()["port"].clone();
        assert_eq!(port("http2"), 18080);
        assert_eq!(port("https"), 443, "only the http2 port moves");
        // Without the Service (an empty cluster) there is nothing to write, and no failure.
        publish(&SimStore::new(), "127.0.0.1".parse().unwrap(), 1);
    }

    #[test]
    fn on_every_interface_the_address_other_machines_use_is_advertised() {
        let listen = |addr: &str, names: &[&str]| Listen {
            addr: addr.parse().unwrap(),
            tls_names: names.iter().map(|n| n.to_string()).collect(),
        };
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert_eq!(
            advertised_ip(&listen("192.168.0.10", &[])),
            ip("192.168.0.10")
        );
        assert_eq!(
            advertised_ip(&listen(
                "0.0.0.0",
                &["127.0.0.1", "room.example", "10.0.0.7"]
            )),
            ip("10.0.0.7")
        );
        assert_eq!(
            advertised_ip(&listen("0.0.0.0", &["localhost"])),
            ip("127.0.0.1")
        );
    }

    #[tokio::test]
    async fn an_asked_port_is_bound_as_asked() {
        let listener = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), Some(0))
            .await
            .unwrap();
        let taken = listener.local_addr().unwrap().port();
        assert_ne!(taken, 0);
        // The same port again is refused, not swapped for another.
        let again = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), Some(taken)).await;
        assert!(matches!(again, Err(SimError::Bind { .. })));
    }
}
