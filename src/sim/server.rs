//! The HTTP/1.1 server: accepting connections, authentication, and routing request paths
//! to discovery documents or resource handlers.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::http::{
    Body, Call, Shared, Target, error_response, json_response, page_not_found, verb, wants_watch,
};
use super::requests::RequestRecord;
use super::resources::{RESOURCES, discovery, find};
use super::status::ApiError;
use super::{handlers, proxy};

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

pub async fn serve(listener: TcpListener, shared: Arc<Shared>, connections: Arc<Connections>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shared.cancel.cancelled() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        // Watch events are small writes; without this, Nagle holds each one back until the
        // previous one is acknowledged. Go's net/http (and so kube-apiserver) sets it too.
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        // Taken before the task starts, so a drop right after the accept still reaches it.
        let cancel = connections.token();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(route(shared, req).await) }
            });
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
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

async fn route(shared: Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().trim_end_matches('/').to_string();
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
    if req.method() == Method::GET {
        let accept = req
            .headers()
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let aggregated = accept.contains("as=APIGroupDiscoveryList");
        if let Some((doc, content_type)) = discovery(&path, aggregated) {
            return json_response(200, &doc, content_type);
        }
    }
    if let Some(response) = proxy::proxy(&shared.store, &path) {
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
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error_response(&ApiError::bad_request("error reading request body")),
    };
    let call = Call {
        method,
        target,
        params,
        content_type,
        user,
        body,
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
