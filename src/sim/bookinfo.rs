//! One HTTP request to a Bookinfo service inside the demo mesh, from the gateway, the API
//! server's service proxy or a pod (`kubectl exec … curl`): the answer the service gives,
//! and what the proxies on the way write (access-log lines in each `istio-proxy`, the
//! applications' own lines, Kiali's edge counts). productpage's calls to details, reviews
//! and ratings are followed as the mesh routes them (`productpage`).

use super::bookinfo_api as api;
use super::envoy_log::Access;
use super::productpage::{self, Calls, Mesh, PodRef};
use super::resources;
use super::store::SimStore;
use super::telemetry::Telemetry;

/// Who sends the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The ingress gateway pod (its `istio-proxy` logs the outbound call).
    Gateway(PodRef),
    /// The API server's service proxy: no sidecar on its side, and Kiali's `unknown` node.
    ApiServer,
    /// A pod of the mesh (`kubectl exec`), with its `app` label.
    Pod { pod: PodRef, app: String },
}

/// One request to `service` (port 9080) in `namespace`.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub namespace: &'a str,
    pub service: &'a str,
    pub method: &'a str,
    /// Path and query as sent.
    pub path: &'a str,
    pub user_agent: &'a str,
    pub authority: &'a str,
    pub source: &'a Source,
}

/// The service's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// `Location` of a redirect (productpage's `/login` and `/logout`).
    pub location: Option<String>,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: String) -> Reply {
        Reply {
            status,
            content_type,
            body,
            location: None,
        }
    }
}

const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";
const FLASK_404: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

/// Serves `request` and records what the mesh would: the caller's outbound line, productpage's
/// inbound line and its calls. The mesh objects and pods are read from `store` now.
pub fn call(store: &SimStore, telemetry: &Telemetry, request: &Request) -> Reply {
    let list = |plural: &str, group: &str, version: &str| {
        resources::find(group, version, plural)
            .map(|resource| store.list(resource, Some(request.namespace)).0)
            .unwrap_or_default()
    };
    let virtual_services = list("virtualservices", "networking.istio.io", "v1");
    let destination_rules = list("destinationrules", "networking.istio.io", "v1");
    let pods = list("pods", "", "v1");
    let mesh = Mesh {
        virtual_services: virtual_services.iter().collect(),
        destination_rules: destination_rules.iter().collect(),
        pods: pods.iter().collect(),
    };
    let page = productpage::serve(&mesh, store.allocator().roll(100_000));
    let calls = page.calls.clone();
    let path = request.path.split('?').next().unwrap_or_default();
    let (target, reply) = match request.service {
        "productpage" => (calls.productpage.clone(), productpage_reply(path, page)),
        "details" => (calls.details.clone(), details_reply(path)),
        "reviews" => {
            let reviews = calls.reviews.clone();
            let reply = reviews_reply(path, &calls);
            (reviews, reply)
        }
        "ratings" => (
            productpage::ready_pod(&mesh.pods, "ratings", 0),
            ratings_reply(path),
        ),
        _ => (None, Reply::new(404, HTML, FLASK_404.into())),
    };
    let Some(target) = target else {
        if request.source == &Source::ApiServer {
            // The apiserver finds no endpoint itself and answers with its own Status.
            let body = productpage::no_endpoints(request.service);
            return Reply::new(503, JSON, body);
        }
        let body = "no healthy upstream".to_string();
        record_unreached(telemetry, request, "UH", 503, body.len());
        return Reply::new(503, "text/plain", body);
    };
    let ctx = Context {
        telemetry,
        namespace: request.namespace,
        user_agent: request.user_agent,
        request_id: Access::new_request_id(),
    };
    let (from, source_workload) = match request.source {
        Source::Gateway(pod) => (Some(pod), "istio-ingressgateway".to_string()),
        Source::ApiServer => (None, "unknown".to_string()),
        Source::Pod { pod, app } => (Some(pod), format!("{app}-{}", pod.version)),
    };
    let hop = Hop {
        from,
        from_workload: &source_workload,
        to: &target,
        service: request.service,
        method: request.method,
        path: request.path,
        authority: request.authority,
        status: reply.status,
        bytes: reply.body.len(),
    };
    ctx.hop(&hop);
    if request.service == "productpage" && path == "/productpage" {
        ctx.productpage_calls(&calls);
    }
    reply
}

fn productpage_reply(path: &str, page: productpage::Page) -> Reply {
    let calls = &page.calls;
    match path {
        "/productpage" => Reply::new(page.status, HTML, page.body),
        "/" | "/index.html" => Reply::new(200, HTML, productpage_index()),
        "/health" => Reply::new(200, HTML, "Product page is healthy".into()),
        "/login" | "/logout" => Reply {
            location: Some("/productpage".into()),
            ..Reply::new(302, HTML, String::new())
        },
        "/api/v1/products" => Reply::new(200, JSON, api::products()),
        "/api/v1/products/0" => match calls.details {
            Some(_) => Reply::new(200, JSON, api::details(0)),
            None => unavailable("details"),
        },
        "/api/v1/products/0/reviews" => reviews_reply("/reviews/0", calls),
        "/api/v1/products/0/ratings" => match calls.ratings {
            Some(_) => Reply::new(200, JSON, api::ratings(0)),
            None => unavailable("ratings"),
        },
        _ => Reply::new(404, HTML, FLASK_404.into()),
    }
}

fn unavailable(service: &str) -> Reply {
    let body = format!(
        "{{\"error\": \"Sorry, product {service} are currently unavailable for this book.\"}}"
    );
    Reply::new(503, JSON, body)
}

fn productpage_index() -> String {
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Simple Bookstore App</title>\n</head>\n<body>\n\
     <h3>Hello! This is a simple bookstore application consisting of three services as shown below</h3>\n\
     <p>Click on one of the links below to auto generate a request to the backend as a real user or a tester</p>\n\
     <p><a href=\"/productpage?u=normal\">Normal user</a></p>\n<p><a href=\"/productpage?u=test\">Test user</a></p>\n\
     </body>\n</html>\n".to_string()
}

fn details_reply(path: &str) -> Reply {
    match path
        .strip_prefix("/details/")
        .and_then(|id| id.parse().ok())
    {
        Some(id) => Reply::new(200, JSON, api::details(id)),
        None => Reply::new(
            400,
            JSON,
            "{\"error\":\"please provide numeric product id\"}".into(),
        ),
    }
}

fn reviews_reply(path: &str, calls: &Calls) -> Reply {
    let Some(reviews) = &calls.reviews else {
        return unavailable("reviews");
    };
    match path
        .strip_prefix("/reviews/")
        .and_then(|id| id.parse().ok())
    {
        Some(id) => Reply::new(
            200,
            JSON,
            api::reviews(id, &reviews.version, &reviews.name, calls.ratings.is_some()),
        ),
        None => Reply::new(404, HTML, String::new()),
    }
}

fn ratings_reply(path: &str) -> Reply {
    match path
        .strip_prefix("/ratings/")
        .and_then(|id| id.parse().ok())
    {
        Some(id) => Reply::new(200, JSON, api::ratings(id)),
        None => Reply::new(
            400,
            JSON,
            "{\"error\":\"please provide numeric product ID\"}".into(),
        ),
    }
}

/// A request no pod took: the caller's proxy writes it with `flags` (`UH`).
fn record_unreached(
    telemetry: &Telemetry,
    request: &Request,
    flags: &str,
    status: u16,
    bytes: usize,
) {
    let pod = match request.source {
        Source::Gateway(pod) | Source::Pod { pod, .. } => pod,
        Source::ApiServer => return,
    };
    let namespace = match request.source {
        Source::Gateway(_) => "istio-system",
        _ => request.namespace,
    };
    let access = Access {
        method: request.method.into(),
        path: request.path.into(),
        status,
        flags: flags.into(),
        bytes_sent: bytes as u64,
        user_agent: request.user_agent.into(),
        request_id: Access::new_request_id(),
        authority: request.authority.into(),
        upstream_cluster: cluster(request.service, request.namespace),
        downstream_remote: format!("{}:{}", pod.ip, ephemeral()),
        route: "default".into(),
        ..Access::default()
    };
    telemetry.record_request(namespace, &pod.name, &access);
}

fn cluster(service: &str, namespace: &str) -> String {
    format!("outbound|9080||{service}.{namespace}.svc.cluster.local")
}

fn ephemeral() -> u16 {
    fastrand::u16(32768..60999)
}

/// One call from a pod (or from outside the mesh) to a pod of `service`.
struct Hop<'a> {
    from: Option<&'a PodRef>,
    from_workload: &'a str,
    to: &'a PodRef,
    service: &'a str,
    method: &'a str,
    path: &'a str,
    authority: &'a str,
    status: u16,
    bytes: usize,
}

struct Context<'a> {
    telemetry: &'a Telemetry,
    namespace: &'a str,
    user_agent: &'a str,
    request_id: String,
}

impl Context<'_> {
    /// The caller's outbound line (the gateway's lives in istio-system), the callee's inbound
    /// line and application line, and the edge.
    fn hop(&self, hop: &Hop) {
        let duration = u64::from(fastrand::u8(2..30));
        let port = ephemeral();
        let base = Access {
            method: hop.method.into(),
            path: hop.path.into(),
            status: hop.status,
            bytes_sent: hop.bytes as u64,
            duration_ms: duration,
            user_agent: self.user_agent.into(),
            request_id: self.request_id.clone(),
            authority: hop.authority.into(),
            upstream_host: format!("{}:9080", hop.to.ip),
            route: "default".into(),
            ..Access::default()
        };
        if let Some(from) = hop.from {
            let namespace = if hop.from_workload == "istio-ingressgateway" {
                "istio-system"
            } else {
                self.namespace
            };
            let outbound = Access {
                upstream_cluster: cluster(hop.service, self.namespace),
                upstream_local: format!("{}:{port}", from.ip),
                downstream_local: format!("{}:9080", hop.service),
                downstream_remote: format!("{}:{}", from.ip, ephemeral()),
                duration_ms: duration + 1,
                ..base.clone()
            };
            self.telemetry
                .record_request(namespace, &from.name, &outbound);
        }
        let remote = hop.from.map_or("10.244.0.1", |from| from.ip.as_str());
        let inbound = Access {
            upstream_cluster: "inbound|9080||".into(),
            upstream_local: format!("127.0.0.6:{}", ephemeral()),
            downstream_local: format!("{}:9080", hop.to.ip),
            downstream_remote: format!("{remote}:{port}"),
            server_name: hop.from.map_or(String::new(), |_| {
                format!(
                    "outbound_.9080_._.{}.{}.svc.cluster.local",
                    hop.service, self.namespace
                )
            }),
            ..base
        };
        self.telemetry
            .record_request(self.namespace, &hop.to.name, &inbound);
        for line in
            super::logs_app::request_lines(hop.service, hop.method, hop.path, hop.status, hop.bytes)
        {
            self.telemetry
                .record_line(self.namespace, &hop.to.name, hop.service, line);
        }
        let to_workload = format!("{}-{}", hop.service, hop.to.version);
        self.telemetry
            .record_edge(hop.from_workload, &to_workload, hop.status);
    }

    /// productpage's calls for one page: details, reviews, and reviews' call to ratings.
    fn productpage_calls(&self, calls: &Calls) {
        let Some(productpage) = &calls.productpage else {
            return;
        };
        let from_workload = format!("productpage-{}", productpage.version);
        let mut lines = Vec::new();
        for (service, pod, path, body) in [
            (
                "details",
                &calls.details,
                "/details/0",
                api::details(0).len(),
            ),
            ("reviews", &calls.reviews, "/reviews/0", 400),
        ] {
            let Some(to) = pod else { continue };
            self.hop(&Hop {
                from: Some(productpage),
                from_workload: &from_workload,
                to,
                service,
                method: "GET",
                path,
                authority: &format!("{service}:9080"),
                status: 200,
                bytes: body,
            });
            lines.push(format!(
                "DEBUG:urllib3.connectionpool:Starting new HTTP connection (1): {service}:9080"
            ));
            lines.push(format!("DEBUG:urllib3.connectionpool:http://{service}:9080 \"GET {path} HTTP/1.1\" 200 {body}"));
        }
        for line in lines {
            self.telemetry
                .record_line(self.namespace, &productpage.name, "productpage", line);
        }
        if let (Some(reviews), Some(ratings)) = (&calls.reviews, &calls.ratings) {
            self.hop(&Hop {
                from: Some(reviews),
                from_workload: &format!("reviews-{}", reviews.version),
                to: ratings,
                service: "ratings",
                method: "GET",
                path: "/ratings/0",
                authority: "ratings:9080",
                status: 200,
                bytes: api::ratings(0).len(),
            });
        }
    }
}
