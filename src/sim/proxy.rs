//! The apiserver's service proxy: `/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy/…`
//! (`[scheme:]name[:port]`, as the apiserver takes it). Bookinfo's services answer as the
//! mesh routes them (`bookinfo`), recorded in their logs; `istio-system/kiali` answers with
//! the demo Kiali (`kiali`); other services have no endpoints, the apiserver's 503.

use hyper::Response;

use super::bookinfo::{self, Source};
use super::http::{Body, Shared, error_response, full};
use super::kiali;
use super::status::ApiError;

const BOOKINFO: [&str; 4] = ["productpage", "details", "reviews", "ratings"];

/// `/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy/{path}`; None for other paths.
/// `query` is passed on to the service.
pub fn proxy(shared: &Shared, path: &str, query: &str) -> Option<Response<Body>> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let parts: Vec<&str> = rest.splitn(5, '/').collect();
    if parts.len() < 4 || parts[1] != "services" || parts[3] != "proxy" {
        return None;
    }
    let (namespace, service) = (parts[0], parts[2]);
    let mut name_parts = service.split(':');
    let mut service_name = name_parts.next().unwrap_or(service);
    if matches!(service_name, "http" | "https") {
        service_name = name_parts.next().unwrap_or_default();
    }
    let mut page_path = format!("/{}", parts.get(4).copied().unwrap_or_default());
    if !query.is_empty() {
        page_path = format!("{page_path}?{query}");
    }
    if namespace == "istio-system" && service_name == "kiali" {
        let (status, content_type, body) =
            kiali::serve(&shared.store, &shared.telemetry, &page_path);
        return Some(respond(status, content_type, body));
    }
    if BOOKINFO.contains(&service_name) {
        let reply = bookinfo::call(
            &shared.store,
            &shared.telemetry,
            &bookinfo::Request {
                namespace,
                service: service_name,
                method: "GET",
                path: &page_path,
                user_agent: "kube-apiserver",
                authority: &format!("{service_name}:9080"),
                source: &Source::ApiServer,
            },
        );
        return Some(respond(reply.status, reply.content_type, reply.body));
    }
    let message = format!("no endpoints available for service \"{service}\"");
    let err = ApiError::new(503, Some("ServiceUnavailable"), &message, None);
    Some(error_response(&err))
}

fn respond(status: u16, content_type: &str, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("Content-Type", content_type)
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full("")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::requests::RequestLog;
    use crate::sim::store::SimStore;
    use crate::sim::telemetry::Telemetry;
    use std::sync::Arc;

    fn shared() -> Shared {
        Shared {
            store: SimStore::new(),
            speed: 1.0,
            cancel: Default::default(),
            lifetime: Default::default(),
            requests: Arc::new(RequestLog::default()),
            tokens: crate::sim::tokens::Tokens::generate().unwrap(),
            telemetry: Arc::new(Telemetry::default()),
            hooks: Arc::default(),
        }
    }

    #[test]
    fn only_service_proxy_paths_are_proxied() {
        let shared = shared();
        let status = |path: &str| proxy(&shared, path, "").map(|r| r.status().as_u16());
        assert_eq!(
            status("/api/v1/namespaces/default/services/details:9080/proxy/"),
            Some(503)
        );
        assert_eq!(
            status("/api/v1/namespaces/default/services/other:80/proxy/"),
            Some(503)
        );
        assert_eq!(
            status("/api/v1/namespaces/istio-system/services/http:kiali:20001/proxy/kiali"),
            Some(503),
            "no kiali running"
        );
        assert_eq!(
            status("/api/v1/namespaces/default/services/productpage"),
            None
        );
    }
}
