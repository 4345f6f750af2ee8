//! Requests to Bookinfo's productpage for the traffic probe: through GATEWAY_URL when it
//! answers, otherwise through the API server's service proxy.

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use k8s_openapi::api::core::v1::Service;
use kube::Client;

const GATEWAY_TIMEOUT: Duration = Duration::from_secs(2);
const PROXY_TIMEOUT: Duration = Duration::from_secs(5);

/// How the probe reaches productpage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `host:port` of the ingress gateway, as the guide's GATEWAY_URL.
    Gateway(String),
    ApiProxy,
}

impl Route {
    pub fn describe(&self) -> String {
        match self {
            Route::Gateway(url) => format!("GATEWAY_URL {url}"),
            Route::ApiProxy => "API 서버 서비스 프록시".to_string(),
        }
    }
}

/// INGRESS_HOST:INGRESS_PORT as the guide computes them: the load balancer's IP (or hostname)
/// and the `http2` port of `istio-system/istio-ingressgateway` (read from the watch cache).
pub fn gateway_url(service: &Service) -> Option<String> {
    let status = service.status.as_ref()?.load_balancer.as_ref()?;
    let ingress = status.ingress.as_ref()?.first()?;
    let host = ingress.ip.as_ref().or(ingress.hostname.as_ref())?;
    let port = service
        .spec
        .as_ref()?
        .ports
        .as_ref()?
        .iter()
        .find(|p| p.name.as_deref() == Some("http2"))?
        .port;
    Some(format!("{host}:{port}"))
}

/// `GET http://GATEWAY_URL/productpage`.
pub async fn via_gateway(gateway: &str) -> Result<(u16, String), String> {
    let uri: http::Uri = format!("http://{gateway}/productpage")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<bytes::Bytes>>();
    let response = tokio::time::timeout(GATEWAY_TIMEOUT, client.get(uri))
        .await
        .map_err(|_| format!("{gateway}: 응답 없음"))?
        .map_err(|e| format!("{gateway}: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// `GET /api/v1/namespaces/NS/services/productpage:9080/proxy/productpage` through the API server.
pub async fn via_api_proxy(client: &Client, namespace: &str) -> Result<(u16, String), String> {
    let path =
        format!("/api/v1/namespaces/{namespace}/services/productpage:9080/proxy/productpage");
    let request = http::Request::get(path)
        .body(kube::client::Body::from(Vec::new()))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(PROXY_TIMEOUT, client.send(request))
        .await
        .map_err(|_| "API 서버 프록시: 응답 없음".to_string())?
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Picks the route once: the gateway when known and it answers, else the API proxy.
pub async fn choose_route(gateway: Option<String>) -> Route {
    if let Some(gateway) = gateway
        && via_gateway(&gateway).await.is_ok()
    {
        return Route::Gateway(gateway);
    }
    Route::ApiProxy
}

pub async fn fetch(
    client: &Client,
    namespace: &str,
    route: &Route,
) -> Result<(u16, String), String> {
    match route {
        Route::Gateway(gateway) => via_gateway(gateway).await,
        Route::ApiProxy => via_api_proxy(client, namespace).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_url_is_the_load_balancer_address_and_the_http2_port() {
        let service: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
            "spec": {"type": "LoadBalancer", "ports": [
                {"name": "status-port", "port": 15021}, {"name": "http2", "port": 80}, {"name": "https", "port": 443}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "130.211.10.121"}]}}
        }))
        .unwrap();
        assert_eq!(gateway_url(&service).as_deref(), Some("130.211.10.121:80"));
        let mut pending = service.clone();
        pending.status = None;
        assert_eq!(
            gateway_url(&pending),
            None,
            "EXTERNAL-IP <pending>: no GATEWAY_URL"
        );
        let mut named: Service = service;
        if let Some(ingress) = named
            .status
            .as_mut()
            .and_then(|s| s.load_balancer.as_mut())
            .and_then(|l| l.ingress.as_mut())
        {
            ingress[0].ip = None;
            ingress[0].hostname = Some("a1b2.elb.amazonaws.com".into());
        }
        assert_eq!(
            gateway_url(&named).as_deref(),
            Some("a1b2.elb.amazonaws.com:80")
        );
    }
}
