//! What the server and the verb handlers share: the parsed request (`Call`, `Target`), the
//! state every handler can reach (`Shared`), and the response helpers.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Response};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::exec::hooks::Hooks;
use super::requests::RequestLog;
use super::select::Selector;
use super::status::ApiError;
use super::store::SimStore;
use super::telemetry::Telemetry;
use super::tokens::Tokens;

pub type Body = BoxBody<Bytes, Infallible>;

/// What every request handler can reach.
pub struct Shared {
    pub store: SimStore,
    pub speed: f64,
    /// Ends with this server (a restart ends it too).
    pub cancel: CancellationToken,
    /// Ends with the whole demo cluster; timers that outlive a restart follow this one.
    pub lifetime: CancellationToken,
    /// Outlives restarts, so tests see every request clients made to the demo cluster.
    pub requests: Arc<RequestLog>,
    /// This run's bearer tokens; a restart keeps them, as a restarted apiserver keeps its
    /// token file.
    pub tokens: Tokens,
    /// Where pods' HTTP answers are told, and the Kiali server behind the kiali pod.
    pub hooks: Arc<Hooks>,
    /// The workloads' logs and traffic counts: outlives restarts, as the pods do.
    pub telemetry: Arc<Telemetry>,
}

/// A request aimed at a resource: `/api/v1/namespaces/default/pods/x/status` and friends.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub resource: usize,
    pub version: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

pub struct Call {
    pub method: Method,
    pub target: Target,
    pub params: Vec<(String, String)>,
    pub content_type: String,
    /// The `Accept` header, empty when absent: `table` reads it for kubectl's Tables.
    pub accept: String,
    pub user: &'static str,
    pub body: Bytes,
    /// `Warning` headers for the answer (unknown fields under `fieldValidation=Warn`).
    pub warnings: std::sync::Mutex<Vec<String>>,
}

impl Call {
    pub fn warn(&self, texts: Vec<String>) {
        // A panicking holder leaves a usable list: each push is whole.
        let mut warnings = self.warnings.lock().unwrap_or_else(|p| p.into_inner());
        warnings.extend(texts);
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        param(&self.params, key)
    }

    /// The Kubernetes verb RBAC checks, or None for a method the resource does not allow.
    pub fn verb(&self) -> Option<&'static str> {
        verb(
            &self.method,
            self.target.name.is_some(),
            wants_watch(&self.params),
        )
    }

    pub fn selector(&self) -> Result<Selector, ApiError> {
        Selector::parse(self.param("labelSelector"), self.param("fieldSelector"))
            .map_err(|e| ApiError::bad_request(&e))
    }
}

pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `watch=true` (or `1`, which the apiserver accepts as well).
pub fn wants_watch(params: &[(String, String)]) -> bool {
    param(params, "watch").is_some_and(|v| v == "true" || v == "1")
}

/// The verb of a request on a resource path: a GET of a collection is a list, or a watch
/// when it asks for one; a GET of a named object stays a get whatever it asks.
pub fn verb(method: &Method, named: bool, watch: bool) -> Option<&'static str> {
    Some(match (method, named) {
        (&Method::GET, true) => "get",
        (&Method::GET, false) if watch => "watch",
        (&Method::GET, false) => "list",
        (&Method::POST, false) => "create",
        (&Method::PUT, true) => "update",
        (&Method::PATCH, true) => "patch",
        (&Method::DELETE, true) => "delete",
        _ => return None,
    })
}

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

pub fn json_response(code: u16, body: &Value, content_type: &str) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Response::builder()
        .status(code)
        .header("Content-Type", content_type)
        .header("Cache-Control", "no-cache, private")
        .body(full(bytes))
        .unwrap_or_else(|_| Response::new(full("")))
}

pub fn error_response(err: &ApiError) -> Response<Body> {
    json_response(err.code, &err.body, "application/json")
}

pub fn page_not_found() -> Response<Body> {
    Response::builder()
        .status(404)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Cache-Control", "no-cache, private")
        .header("X-Content-Type-Options", "nosniff")
        .body(full("404 page not found\n"))
        .unwrap_or_else(|_| Response::new(full("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_gets_are_lists_or_watches_and_named_gets_stay_gets() {
        assert_eq!(verb(&Method::GET, false, false), Some("list"));
        assert_eq!(verb(&Method::GET, false, true), Some("watch"));
        assert_eq!(verb(&Method::GET, true, true), Some("get"));
        assert_eq!(verb(&Method::PUT, false, false), None);
        let params = |v: &str| vec![("watch".to_string(), v.to_string())];
        assert!(wants_watch(&params("1")) && wants_watch(&params("true")));
        assert!(!wants_watch(&params("false")) && !wants_watch(&[]));
    }
}
