//! Requests to Bookinfo's productpage for the traffic probe: through GATEWAY_URL while it
//! serves Bookinfo's page, otherwise through the API server's service proxy.

use std::sync::Mutex;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use k8s_openapi::api::core::v1::Service;
use kube::Client;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

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
    // Every segment the app builds is encoded, whatever the namespace holds.
    let namespace = utf8_percent_encode(namespace, NON_ALPHANUMERIC);
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

/// Whether a reply is Bookinfo's product page. Anything else that answers on the gateway's
/// address (another service on that network, a 404 page) is not the mesh the lab drives.
pub fn is_productpage(result: &Result<(u16, String), String>) -> bool {
    matches!(result, Ok((200, body)) if body.contains("<title>Simple Bookstore App</title>"))
}

/// Picks the first route: the gateway when it is known and serves Bookinfo's page, else the
/// API proxy.
pub async fn choose_route(gateway: Option<String>) -> Route {
    if let Some(gateway) = gateway
        && is_productpage(&via_gateway(&gateway).await)
    {
        return Route::Gateway(gateway);
    }
    Route::ApiProxy
}

/// Replies on the gateway that are not Bookinfo's page before the probe gives up on it.
const GATEWAY_MISSES: u32 = 3;

/// The probe's route, shared by its overlapping requests: it leaves the gateway for the API
/// proxy once the gateway stops serving Bookinfo's page (a 503 from the mesh itself is still
/// Bookinfo's, and is what the learner should see).
#[derive(Debug)]
pub struct RouteChoice {
    state: Mutex<(Route, u32)>,
}

impl RouteChoice {
    pub fn new(route: Route) -> RouteChoice {
        RouteChoice {
            state: Mutex::new((route, 0)),
        }
    }

    pub fn current(&self) -> Route {
        self.state
            .lock()
            .map(|s| s.0.clone())
            .unwrap_or(Route::ApiProxy)
    }

    /// Counts a reply that came through `route`; returns the route to use from now on.
    pub fn observe(&self, route: &Route, result: &Result<(u16, String), String>) -> Route {
        let Ok(mut state) = self.state.lock() else {
            return Route::ApiProxy;
        };
        if state.0 == *route && matches!(route, Route::Gateway(_)) {
            let mesh_answered = is_productpage(result) || matches!(result, Ok((503, _)));
            state.1 = if mesh_answered { 0 } else { state.1 + 1 };
            if state.1 >= GATEWAY_MISSES {
                *state = (Route::ApiProxy, 0);
            }
        }
        state.0.clone()
    }
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

    fn page() -> Result<(u16, String), String> {
        Ok((
            200,
            "<html><head><title>Simple Bookstore App</title></head></html>".into(),
        ))
    }

    #[test]
    fn only_bookinfo_s_page_counts_as_the_gateway_answering() {
        assert!(is_productpage(&page()));
        assert!(!is_productpage(&Ok((404, "404 page not found".into()))));
        assert!(!is_productpage(&Ok((200, "<title>nginx</title>".into()))));
        assert!(!is_productpage(&Err("connection refused".into())));
    }

    #[test]
    fn a_gateway_that_stops_serving_bookinfo_is_left_for_the_api_proxy() {
        let gateway = Route::Gateway("172.18.255.200:80".into());
        let choice = RouteChoice::new(gateway.clone());
        let not_found = Ok((404, "404 page not found".into()));
        assert_eq!(choice.observe(&gateway, &not_found), gateway);
        assert_eq!(choice.observe(&gateway, &not_found), gateway);
        // Bookinfo's own page (or its 503) in between starts the count again.
        assert_eq!(choice.observe(&gateway, &page()), gateway);
        assert_eq!(
            choice.observe(&gateway, &Ok((503, "no healthy upstream".into()))),
            gateway
        );
        for _ in 0..2 {
            assert_eq!(choice.observe(&gateway, &not_found), gateway);
        }
        assert_eq!(choice.observe(&gateway, &not_found), Route::ApiProxy);
        assert_eq!(choice.current(), Route::ApiProxy);
        // Late replies of the old route change nothing any more.
        assert_eq!(choice.observe(&gateway, &page()), Route::ApiProxy);
    }

    #[tokio::test]
    async fn a_gateway_address_where_something_else_answers_is_not_chosen() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0u8; 1024];
                let _ = stream.read(&mut buffer).await;
                let reply = "HTTP/1.1 404 Not Found\r\ncontent-length: 19\r\nconnection: close\r\n\r\n404 page not found\n";
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        assert_eq!(choose_route(Some(address)).await, Route::ApiProxy);
        assert_eq!(choose_route(None).await, Route::ApiProxy);
    }

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
