//! Requests to Bookinfo's productpage for the traffic probe: through GATEWAY_URL when it
//! answers, otherwise through the API server's service proxy.

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use k8s_openapi::api::core::v1::Service;
use kube::Client;
use kube::api::Api;

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
/// and the `http2` port of `istio-system/istio-ingressgateway`.
pub async fn gateway_url(client: &Client) -> Option<String> {
    let services: Api<Service> = Api::namespaced(client.clone(), "istio-system");
    let service = services.get_opt("istio-ingressgateway").await.ok()??;
    let ingress = service.status?.load_balancer?.ingress?.into_iter().next()?;
    let host = ingress.ip.or(ingress.hostname)?;
    let port = service
        .spec?
        .ports?
        .into_iter()
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

/// Picks the route once: the gateway when allowed and it answers, else the API proxy.
pub async fn choose_route(client: &Client, try_gateway: bool) -> Route {
    if try_gateway
        && let Some(gateway) = gateway_url(client).await
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
