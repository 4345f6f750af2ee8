//! The apiserver's service proxy: `/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy/…`.

use hyper::Response;

use super::http::{Body, error_response, full};
use super::productpage;
use super::resources;
use super::status::ApiError;
use super::store::SimStore;

/// `/api/v1/namespaces/{ns}/services/{svc}:{port}/proxy/{path}`: productpage is served as the
/// mesh would route it (see `productpage`); other services have no endpoints, which is the
/// apiserver's 503 answer.
pub fn proxy(store: &SimStore, path: &str) -> Option<Response<Body>> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let parts: Vec<&str> = rest.splitn(5, '/').collect();
    if parts.len() < 4 || parts[1] != "services" || parts[3] != "proxy" {
        return None;
    }
    let (namespace, service) = (parts[0], parts[2]);
    let service_name = service.split(':').next().unwrap_or(service);
    let page_path = parts.get(4).copied().unwrap_or_default();
    if service_name == "productpage" && page_path.starts_with("productpage") {
        return Some(productpage_response(store, namespace));
    }
    let message = format!("no endpoints available for service \"{service}\"");
    let err = ApiError::new(503, Some("ServiceUnavailable"), &message, None);
    Some(error_response(&err))
}

fn productpage_response(store: &SimStore, namespace: &str) -> Response<Body> {
    let list = |plural: &str, group: &str, version: &str| {
        resources::find(group, version, plural)
            .map(|resource| store.list(resource, Some(namespace)).0)
            .unwrap_or_default()
    };
    let virtual_services = list("virtualservices", "networking.istio.io", "v1");
    let destination_rules = list("destinationrules", "networking.istio.io", "v1");
    let pods = list("pods", "", "v1");
    let mesh = productpage::Mesh {
        virtual_services: virtual_services.iter().collect(),
        destination_rules: destination_rules.iter().collect(),
        pods: pods.iter().collect(),
    };
    let page = productpage::serve(&mesh, store.allocator().roll(100_000));
    let content_type = if page.status == 200 {
        "text/html; charset=utf-8"
    } else {
        "application/json"
    };
    Response::builder()
        .status(page.status)
        .header("Content-Type", content_type)
        .body(full(page.body))
        .unwrap_or_else(|_| Response::new(full("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_service_proxy_paths_are_proxied() {
        assert_eq!(
            proxy(
                &SimStore::new(),
                "/api/v1/namespaces/default/services/details:9080/proxy/"
            )
            .unwrap()
            .status(),
            503
        );
        assert!(
            proxy(
                &SimStore::new(),
                "/api/v1/namespaces/default/services/productpage"
            )
            .is_none()
        );
    }
}
