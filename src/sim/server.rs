//! The HTTPS server: accepting connections and their TLS handshakes, authentication, and
//! routing request paths to discovery documents or resource handlers.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::body::{decode_path, read_limited};
use super::http::{
    Body, Call, Shared, Target, error_response, full, json_response, page_not_found, verb,
    wants_watch,
};
use super::requests::RequestRecord;
use super::resources::{RESOURCES, discovery, find};
use super::status::ApiError;
use super::tls::Tls;
use super::{exec, handlers, logs, openapi, portforward, proxy};

/// A client gets this long to send a request's headers, on a new connection or between
/// requests on a kept-alive one; then the connection is closed, so idle and half-sent
/// connections do not hold a file descriptor for good. It bounds the TLS handshake too, as
/// Go's net/http (and so kube-apiserver) bounds it by its ReadHeaderTimeout.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The pause after a failed accept (usually: no file descriptors left), so the loop
/// waits for connections to close instead of spinning on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
const ACCEPT_WARNING_INTERVAL: Duration = Duration::from_secs(60);

/// The stop signal of the connections open now. Dropping them swaps in a fresh signal, so
/// the listener and every later connection carry on.
pub struct Connections {
    server: CancellationToken,
    current: Mutex<CancellationToken>,
}

impl Connections {
    /// Connections also end with `server`.
    pub fn new(server: &CancellationToken) -> Self {
        Connections {
            server: server.clone(),
            current: Mutex::new(server.child_token()),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, CancellationToken> {
        // The guarded value is replaced whole, so a panicking holder leaves a usable token.
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn token(&self) -> CancellationToken {
        self.current().clone()
    }

    /// Ends every connection accepted so far, with the watches streaming on them.
    pub fn drop_all(&self) {
        let mut current = self.current();
        current.cancel();
        *current = self.server.child_token();
    }
}

/// Failed accepts, told once a minute at most: while descriptors are out, every accept
/// fails, and a line per failure would fill the log.
#[derive(Default)]
struct AcceptFailures {
    warned_at: Option<Instant>,
    /// Failures since the last accepted connection.
    in_a_row: u64,
    /// A warning went out, so the recovery is worth a line too.
    recovery_untold: bool,
}

impl AcceptFailures {
    fn failed(&mut self, err: &std::io::Error) {
        self.in_a_row += 1;
        if self
            .warned_at
            .is_none_or(|at| at.elapsed() >= ACCEPT_WARNING_INTERVAL)
        {
            tracing::warn!(error = %err, "demo cluster cannot accept connections; retrying");
            self.warned_at = Some(Instant::now());
            self.recovery_untold = true;
        }
    }

    fn accepted(&mut self) {
        if self.recovery_untold {
            tracing::info!(
                failures = self.in_a_row,
                "demo cluster accepts connections again"
            );
            self.recovery_untold = false;
        }
        self.in_a_row = 0;
    }
}

pub async fn serve(
    listener: TcpListener,
    tls: Arc<Tls>,
    shared: Arc<Shared>,
    connections: Arc<Connections>,
) {
    let mut failures = AcceptFailures::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shared.cancel.cancelled() => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                failures.failed(&err);
                tokio::select! {
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                    _ = shared.cancel.cancelled() => return,
                }
            }
        };
        failures.accepted();
        // Watch events are small writes; without this, Nagle holds each one back until the
        // previous one is acknowledged. Go's net/http (and so kube-apiserver) sets it too.
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        // Taken before the task starts, so a drop right after the accept still reaches it.
        let cancel = connections.token();
        let tls = tls.clone();
        tokio::spawn(async move {
            // In the connection's own task, so a slow handshake never holds up the accepts.
            let stream = tokio::select! {
                stream = tls.accept(stream, HEADER_READ_TIMEOUT) => stream,
                _ = cancel.cancelled() => None,
            };
            let Some(stream) = stream else { return };
            // An upgraded exec or port-forward outlives the HTTP connection's task; it ends
            // with this connection's signal too.
            let streams = cancel.clone();
            let service = service_fn(move |req| {
                let (shared, streams) = (shared.clone(), streams.clone());
                async move { Ok::<_, Infallible>(route(shared, req, streams).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                // exec and portforward switch the connection to a WebSocket.
                .with_upgrades();
            tokio::select! {
                _ = connection => {}
                _ = cancel.cancelled() => {}
            }
        });
    }
}

fn authenticate(shared: &Shared, req: &Request<Incoming>) -> Option<&'static str> {
    let header = req.headers().get("authorization")?.to_str().ok()?;
    shared.tokens.user(header.strip_prefix("Bearer ")?)
}

fn openapi_conditions(req: &Request<Incoming>) -> openapi::Conditions {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    openapi::Conditions {
        if_modified_since: header("if-modified-since"),
        if_none_match: header("if-none-match"),
        accept_gzip: header("accept-encoding").is_some_and(|v| v.contains("gzip")),
    }
}

/// Go's answer to a request line it cannot parse, such as a malformed `%` escape.
fn malformed_request() -> Response<Body> {
    Response::builder()
        .status(400)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Connection", "close")
        .body(full("400 Bad Request"))
        .unwrap_or_else(|_| Response::new(full("")))
}

async fn route(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    streams: CancellationToken,
) -> Response<Body> {
    let Some(decoded) = decode_path(req.uri().path()) else {
        return malformed_request();
    };
    let path = decoded.trim_end_matches('/').to_string();
    let query = req.uri().query().unwrap_or_default();
    let params = parse_query(query);
    let target = parse_target(&path);
    let watch = wants_watch(&params);
    shared.requests.record(RequestRecord {
        method: req.method().clone(),
        path: req.uri().path().to_string(),
        query: query.to_string(),
        params: params.clone(),
        verb: target
            .as_ref()
            .and_then(|t| verb(req.method(), t.name.is_some(), watch)),
        watch,
    });
    let Some(user) = authenticate(&shared, &req) else {
        return error_response(&ApiError::unauthorized());
    };
    if let Some((namespace, pod, sub)) = exec::stream_target(&path) {
        let at = (namespace.as_str(), pod.as_str());
        return match sub {
            "exec" => exec::handle(&shared, req, (user, streams), at, &params),
            _ => portforward::handle(&shared, req, (user, streams), at, &params),
        };
    }
    // Read for discovery here, and for kubectl's Tables by the resource handlers.
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if req.method() == Method::GET {
        let aggregated = accept.contains("as=APIGroupDiscoveryList");
        if let Some((doc, content_type)) = discovery(&path, aggregated) {
            return json_response(200, &doc, content_type);
        }
    }
    if req.method() == Method::GET
        && let Some(response) = openapi::serve(&path, &openapi_conditions(&req))
    {
        return response;
    }
    // A room's learner reaches services (and their logs) in their own namespace only, as
    // RBAC on `services/proxy` and `pods/log` would allow.
    if let Some(namespace) = super::room::refused_path(user, &path) {
        return error_response(&ApiError::new(
            403,
            Some("Forbidden"),
            &format!("User \"{user}\" cannot get resource in the namespace \"{namespace}\""),
            None,
        ));
    }
    if let Some(response) = proxy::proxy(&shared, &path, query) {
        return response;
    }
    if let Some(response) = logs::serve(&shared, req.method(), &path, &params) {
        return response;
    }
    let Some(target) = target else {
        return page_not_found();
    };
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let method = req.method().clone();
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = match read_limited(req.into_body(), declared).await {
        Ok(body) => body,
        Err(err) => return error_response(&err),
    };
    let call = Call {
        method,
        target,
        params,
        content_type,
        accept,
        user,
        body,
        warnings: Default::default(),
    };
    handlers::handle(shared, call).await
}

/// The query's pairs in order, decoded as forms are (`+` is a space), as Go's `url.ParseQuery` does.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Splits a resource path into its parts; None for anything that is not a served resource.
pub fn parse_target(path: &str) -> Option<Target> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, rest @ ..] => (Some(ns.to_string()), {
            let mut v = vec![*plural];
            v.extend_from_slice(rest);
            v
        }),
        _ => (None, rest.to_vec()),
    };
    let (plural, name, subresource) = match rest.as_slice() {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(name.to_string()), None),
        [plural, name, sub] => (*plural, Some(name.to_string()), Some(sub.to_string())),
        _ => return None,
    };
    let resource = find(group, version, plural)?;
    let def = &RESOURCES[resource];
    if namespace.is_some() && !def.namespaced {
        return None;
    }
    if !def.namespaced && name.is_none() && namespace.is_some() {
        return None;
    }
    if let Some(sub) = &subresource
        && !(sub == "status" && def.has_status)
        && !(sub == "scale" && def.group == "apps")
    {
        return None;
    }
    Some(Target {
        resource,
        version: version.to_string(),
        namespace,
        name,
        subresource,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::{NAMESPACES, PODS, VIRTUALSERVICES};

    #[test]
    fn resource_paths_split_into_targets() {
        let t = parse_target("/api/v1/namespaces/default/pods/p1/status").unwrap();
        assert_eq!(t.resource, PODS);
        assert_eq!(t.namespace.as_deref(), Some("default"));
        assert_eq!(t.name.as_deref(), Some("p1"));
        assert_eq!(t.subresource.as_deref(), Some("status"));
        let t =
            parse_target("/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices")
                .unwrap();
        assert_eq!(
            (t.resource, t.version.as_str(), t.name),
            (VIRTUALSERVICES, "v1beta1", None)
        );
        assert_eq!(parse_target("/api/v1/pods").unwrap().namespace, None);
        assert_eq!(
            parse_target("/api/v1/namespaces/default").unwrap().resource,
            NAMESPACES
        );
        assert!(
            parse_target("/apis/networking.istio.io/v1/namespaces/default/sidecars/default")
                .is_none()
        );
        assert!(parse_target("/api/v1/namespaces/default/pods/p1/exec").is_none());
    }

    #[test]
    fn queries_decode_like_forms() {
        let params = parse_query("&labelSelector=app%3Dreviews%2Cversion+in+(v1)&limit=500");
        assert_eq!(
            params[0],
            (
                "labelSelector".to_string(),
                "app=reviews,version in (v1)".to_string()
            )
        );
        assert_eq!(params[1].1, "500");
    }
}
