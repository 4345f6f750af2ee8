//! `pods/{name}/exec` (and the refusals of `pods/{name}/portforward` checks shared with it): the
//! apiserver's checks in its order (authorization, the pod, the container, the streams), then
//! a WebSocket session on the channel protocol running a small command interpreter inside the
//! Bookinfo containers (`shell`, `curl`) whose HTTP calls reach the pods' servers (`bookinfo`).

pub mod bookinfo;
#[cfg(test)]
mod bookinfo_tests;
mod curl;
pub mod hooks;
mod session;
pub mod shell;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::http::{Body, Shared, error_response, param};
use super::resources::{PODS, RESOURCES};
use super::status::ApiError;
use super::tokens::VIEWER_USER;
use super::websocket::{self, EXEC_PROTOCOLS};
pub use session::Exec;

/// What a command wrote and how it ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
}

impl Output {
    pub fn text(stdout: String) -> Self {
        Output {
            stdout: stdout.into_bytes(),
            ..Output::default()
        }
    }

    pub fn fail(code: i32, stderr: String) -> Self {
        Output {
            stderr: stderr.into_bytes(),
            code,
            ..Output::default()
        }
    }
}

/// A streaming subresource of a pod: `(namespace, pod, "exec" | "portforward")` (attach is
/// not served: no container here reads a terminal of its own).
pub fn stream_target(path: &str) -> Option<(String, String, &'static str)> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let [namespace, "pods", pod, sub] = parts.as_slice() else {
        return None;
    };
    let sub = ["exec", "portforward"].into_iter().find(|s| s == sub)?;
    Some((namespace.to_string(), pod.to_string(), sub))
}

/// The checks exec and portforward share: the method, authorization and the pod. The pod.
pub fn admit(
    shared: &Shared,
    method: &Method,
    user: &str,
    (namespace, pod, sub): (&str, &str, &str),
) -> Result<Value, ApiError> {
    // A WebSocket upgrade comes as a GET, yet needs `create` on the subresource, as a POST
    // does (AuthorizePodWebsocketUpgradeCreatePermission, on by default since 1.31).
    let verb = match *method {
        Method::GET | Method::POST => "create",
        _ => {
            return Err(ApiError::new(
                405,
                Some("MethodNotAllowed"),
                "the server does not allow this method on the requested resource",
                None,
            ));
        }
    };
    let resource = format!("pods/{sub}");
    if user == VIEWER_USER || shared.store.is_forbidden(verb, &resource, namespace) {
        let message = format!(
            "pods \"{pod}\" is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"\" in the namespace \"{namespace}\""
        );
        let details = json!({"name": pod, "kind": "pods"});
        return Err(ApiError::new(
            403,
            Some("Forbidden"),
            &message,
            Some(details),
        ));
    }
    let found = shared.store.get(PODS, namespace, pod);
    let found = found.ok_or_else(|| ApiError::not_found(&RESOURCES[PODS], pod))?;
    if found
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(ApiError::bad_request(&format!(
            "pod {pod} does not have a host assigned"
        )));
    }
    Ok(found)
}

/// The container exec runs in: the one named, or the only one; the apiserver's refusals.
fn container(pod: &Value, name: &str, asked: Option<&str>) -> Result<String, ApiError> {
    let names = |key: &str| -> Vec<String> {
        pod.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(String::from))
            .collect()
    };
    let containers = names("containers");
    let Some(asked) = asked.filter(|a| !a.is_empty()) else {
        return match containers.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(ApiError::bad_request(&format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            ))),
        };
    };
    if containers
        .iter()
        .chain(&names("initContainers"))
        .any(|c| c == asked)
    {
        Ok(asked.to_string())
    } else {
        Err(ApiError::bad_request(&format!(
            "container {asked} is not valid for pod {name}"
        )))
    }
}

fn running(pod: &Value, container: &str) -> bool {
    ["containerStatuses", "initContainerStatuses"]
        .iter()
        .filter_map(|key| {
            pod.pointer(&format!("/status/{key}"))
                .and_then(Value::as_array)
        })
        .flatten()
        .any(|s| {
            s.get("name").and_then(Value::as_str) == Some(container)
                && s.pointer("/state/running").is_some()
        })
}

fn flag(params: &[(String, String)], key: &str) -> bool {
    param(params, key).is_some_and(|v| v == "true" || v == "1")
}

/// SPDY (plain, or tunnelled in a WebSocket as kubectl's port-forward offers it) is refused as
/// a failed upgrade: kubectl prints `error: error upgrading connection: {message}`.
pub fn spdy_refused() -> ApiError {
    let message = "the demo cluster serves exec and port-forward over WebSocket only; SPDY/3.1 is not supported";
    ApiError::new(500, None, message, None)
}

/// A client asking for SPDY (kubectl's fallback) or for no upgrade at all.
pub fn not_websocket<B>(req: &Request<B>) -> ApiError {
    let spdy = req
        .headers()
        .get(hyper::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("spdy"));
    if spdy {
        spdy_refused()
    } else {
        ApiError::bad_request("Upgrade request required")
    }
}

/// `GET|POST /api/v1/namespaces/{ns}/pods/{pod}/exec?command=…`.
pub fn handle(
    shared: &Arc<Shared>,
    mut req: Request<Incoming>,
    (user, streams): (&str, CancellationToken),
    (namespace, pod): (&str, &str),
    params: &[(String, String)],
) -> Response<Body> {
    let found = match admit(shared, req.method(), user, (namespace, pod, "exec")) {
        Ok(found) => found,
        Err(err) => return error_response(&err),
    };
    let asked = param(params, "container");
    let container = match container(&found, pod, asked) {
        Ok(container) => container,
        Err(err) => return error_response(&err),
    };
    if !running(&found, &container) {
        let message =
            format!("unable to upgrade connection: container not found (\"{container}\")");
        return error_response(&ApiError::bad_request(&message));
    }
    let command: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "command")
        .map(|(_, v)| v.clone())
        .collect();
    if command.is_empty() {
        return error_response(&ApiError::bad_request(
            "you must specify at least 1 command",
        ));
    }
    let exec = Exec {
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        command,
        stdin: flag(params, "stdin"),
        stdout: flag(params, "stdout"),
        stderr: flag(params, "stderr"),
        tty: flag(params, "tty"),
    };
    if !(exec.stdin || exec.stdout || exec.stderr) {
        return error_response(&ApiError::bad_request(
            "you must specify at least 1 of stdin, stdout, stderr",
        ));
    }
    let Some(offer) = websocket::offer(&req) else {
        return error_response(&not_websocket(&req));
    };
    let Some(protocol) = websocket::choose(&offer, EXEC_PROTOCOLS) else {
        return websocket::unsupported(&offer, EXEC_PROTOCOLS);
    };
    let session_shared = shared.clone();
    websocket::accept(&mut req, &offer, protocol, streams, move |socket| {
        session::run(socket, protocol, exec, session_shared)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pod_streams_are_stream_targets() {
        assert_eq!(
            stream_target("/api/v1/namespaces/default/pods/p/exec"),
            Some(("default".into(), "p".into(), "exec"))
        );
        assert!(stream_target("/api/v1/namespaces/default/pods/p/log").is_none());
        assert!(stream_target("/api/v1/namespaces/default/services/p/exec").is_none());
    }

    #[test]
    fn the_container_is_named_or_the_only_one() {
        let pod = json!({"spec": {"containers": [{"name": "ratings"}, {"name": "istio-proxy"}],
            "initContainers": [{"name": "istio-init"}]}});
        assert_eq!(container(&pod, "p", Some("ratings")).unwrap(), "ratings");
        assert_eq!(
            container(&pod, "p", Some("istio-init")).unwrap(),
            "istio-init"
        );
        let err = container(&pod, "p", Some("nope")).unwrap_err();
        assert_eq!(err.body["message"], "container nope is not valid for pod p");
        let err = container(&pod, "p", None).unwrap_err();
        assert_eq!(
            err.body["message"],
            "a container name must be specified for pod p, choose one of: [ratings istio-proxy]"
        );
        let single = json!({"spec": {"containers": [{"name": "kiali"}]}});
        assert_eq!(container(&single, "p", None).unwrap(), "kiali");
    }
}
