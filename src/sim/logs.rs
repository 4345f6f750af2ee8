//! `GET /api/v1/namespaces/{ns}/pods/{pod}/log`: a container's log as kubelet serves it
//! through the apiserver, plain text, with `container`, `tailLines`, `timestamps`,
//! `sinceSeconds`, `sinceTime`, `limitBytes` and `follow` (new lines stream until the client
//! closes), and the apiserver's refusals in its words: an unknown pod, a container the pod
//! lacks, no container named where several could be meant, a pod not yet on a node or a
//! container still waiting. The lines are the container's start-up (`logs_app`) and what
//! it recorded since (`telemetry`).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::{Method, Response};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::mpsc;

use super::http::{Body, Shared, error_response, full, param};
use super::logs_app;
use super::resources::{PODS, RESOURCES};
use super::status::ApiError;
use super::telemetry::Telemetry;

/// The response for a pod log path, or None when `path` is not one.
pub fn serve(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    params: &[(String, String)],
) -> Option<Response<Body>> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let [namespace, "pods", pod, "log"] = rest.split('/').collect::<Vec<_>>()[..] else {
        return None;
    };
    if method != Method::GET {
        let err = ApiError::new(
            405,
            Some("MethodNotAllowed"),
            "the server does not allow this method on the requested resource",
            None,
        );
        return Some(error_response(&err));
    }
    Some(match respond(shared, namespace, pod, params) {
        Ok(response) => response,
        Err(err) => error_response(&err),
    })
}

/// What the query asks for.
struct Options {
    container: String,
    tail: Option<usize>,
    timestamps: bool,
    since: Option<Timestamp>,
    limit_bytes: Option<usize>,
    follow: bool,
}

fn respond(
    shared: &Arc<Shared>,
    namespace: &str,
    name: &str,
    params: &[(String, String)],
) -> Result<Response<Body>, ApiError> {
    let pod = shared
        .store
        .get(PODS, namespace, name)
        .ok_or_else(|| ApiError::not_found(&RESOURCES[PODS], name))?;
    let options = options(&pod, params)?;
    check_running(&pod, &options.container)?;
    let mut lines: Vec<(Timestamp, String)> = logs_app::startup(&pod, &options.container);
    lines.extend(
        shared
            .telemetry
            .lines(namespace, name, &options.container)
            .iter()
            .map(|line| (line.time, line.text.clone())),
    );
    let lines: Vec<&(Timestamp, String)> = lines
        .iter()
        .filter(|(time, _)| options.since.is_none_or(|since| *time >= since))
        .collect();
    let skip = options
        .tail
        .map_or(0, |tail| lines.len().saturating_sub(tail));
    let mut text = String::new();
    for (time, line) in &lines[skip..] {
        text.push_str(&render(*time, line, options.timestamps));
    }
    if let Some(limit) = options.limit_bytes
        && text.len() > limit
    {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    let body = if options.follow {
        follow(shared, namespace, name, &options, text)
    } else {
        full(text)
    };
    Ok(Response::builder()
        .status(200)
        .header("Content-Type", "text/plain")
        .header("Cache-Control", "no-cache, private")
        .body(body)
        .unwrap_or_else(|_| Response::new(full(""))))
}

fn render(time: Timestamp, line: &str, timestamps: bool) -> String {
    if timestamps {
        format!("{} {line}\n", time.strftime("%Y-%m-%dT%H:%M:%S%.9fZ"))
    } else {
        format!("{line}\n")
    }
}

/// The text so far, then every new line of the container until the client goes away or the
/// server stops.
fn follow(
    shared: &Arc<Shared>,
    namespace: &str,
    pod: &str,
    options: &Options,
    text: String,
) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let mut lines = Telemetry::subscribe(&shared.telemetry);
    let cancel = shared.cancel.clone();
    let key = (
        namespace.to_string(),
        pod.to_string(),
        options.container.clone(),
    );
    let timestamps = options.timestamps;
    tokio::spawn(async move {
        if !text.is_empty() && tx.send(Bytes::from(text)).await.is_err() {
            return;
        }
        loop {
            let line = tokio::select! {
                line = lines.recv() => line,
                _ = tx.closed() => return,
                _ = cancel.cancelled() => return,
            };
            let line = match line {
                Ok(line) => line,
                // Lines this follower was too slow for are skipped, as a rotated log loses them.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            if (&line.namespace, &line.pod, &line.container) != (&key.0, &key.1, &key.2) {
                continue;
            }
            let chunk = render(line.time, &line.text, timestamps);
            if tx.send(Bytes::from(chunk)).await.is_err() {
                return;
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        let bytes = rx.recv().await?;
        Some((Ok::<_, Infallible>(Frame::data(bytes)), rx))
    });
    StreamBody::new(stream).boxed()
}

fn options(pod: &Value, params: &[(String, String)]) -> Result<Options, ApiError> {
    let container = container(pod, param(params, "container").unwrap_or_default())?;
    let number = |key: &str| -> Result<Option<i64>, ApiError> {
        param(params, key)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(&format!(
                        "{key}: Invalid value: \"{v}\": must be an integer"
                    ))
                })
            })
            .transpose()
    };
    let flag = |key: &str| param(params, key).is_some_and(|v| v == "true" || v == "1");
    let tail = number("tailLines")?;
    let since_seconds = number("sinceSeconds")?;
    let limit_bytes = number("limitBytes")?;
    for (key, value, least) in [
        ("tailLines", tail, 0),
        ("sinceSeconds", since_seconds, 1),
        ("limitBytes", limit_bytes, 1),
    ] {
        if let Some(value) = value.filter(|v| *v < least) {
            let message = format!(
                "PodLogOptions \"{}\" is invalid: {key}: Invalid value: {value}: must be greater than {}",
                pod.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                if least == 0 {
                    "or equal to 0".to_string()
                } else {
                    "0".to_string()
                },
            );
            return Err(ApiError::new(422, Some("Invalid"), &message, None));
        }
    }
    let since = match (since_seconds, param(params, "sinceTime")) {
        (Some(seconds), _) => Timestamp::now()
            .checked_sub(SignedDuration::from_secs(seconds))
            .ok(),
        (None, Some(time)) => Some(time.parse::<Timestamp>().map_err(|_| {
            ApiError::bad_request(&format!(
                "sinceTime: Invalid value: \"{time}\": must be RFC3339"
            ))
        })?),
        (None, None) => None,
    };
    Ok(Options {
        container,
        tail: tail.map(|t| t as usize),
        timestamps: flag("timestamps"),
        since,
        limit_bytes: limit_bytes.map(|l| l as usize),
        follow: flag("follow"),
    })
}

fn names(pod: &Value, list: &str) -> Vec<String> {
    pod.pointer(&format!("/spec/{list}"))
        .and_then(Value::as_array)
        .map(|containers| {
            containers
                .iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The container asked for, or the only one; refusals as kube-apiserver's `validateContainer`.
fn container(pod: &Value, asked: &str) -> Result<String, ApiError> {
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let containers = names(pod, "containers");
    // Init containers first, then the others, as `podutil.VisitContainers` lists them.
    let all: Vec<String> = names(pod, "initContainers")
        .into_iter()
        .chain(containers.iter().cloned())
        .chain(names(pod, "ephemeralContainers"))
        .collect();
    if !asked.is_empty() {
        if all.iter().any(|c| c == asked) {
            return Ok(asked.to_string());
        }
        return Err(ApiError::bad_request(&format!(
            "container {asked} is not valid for pod {name}"
        )));
    }
    match containers.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(ApiError::bad_request(&format!(
            "a container name must be specified for pod {name}"
        ))),
        _ => Err(ApiError::bad_request(&format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            all.join(" ")
        ))),
    }
}

/// A pod with no node, or a container not started yet, has no log to give.
fn check_running(pod: &Value, container: &str) -> Result<(), ApiError> {
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(ApiError::bad_request(&format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let status = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .filter_map(|list| {
            pod.pointer(&format!("/status/{list}"))
                .and_then(Value::as_array)
        })
        .flatten()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(container));
    let waiting = match status {
        None => Some("ContainerCreating"),
        Some(status) => status.pointer("/state/waiting").map(|w| {
            w.get("reason")
                .and_then(Value::as_str)
                .unwrap_or("ContainerCreating")
        }),
    };
    match waiting {
        Some(reason) => Err(ApiError::bad_request(&format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(init: &[&str], containers: &[&str]) -> Value {
        let list = |names: &[&str]| names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>();
        json!({"metadata": {"name": "productpage-v1-a"},
               "spec": {"initContainers": list(init), "containers": list(containers)}})
    }

    #[test]
    fn containers_are_chosen_or_refused_as_the_apiserver_does() {
        let classic = pod(&["istio-init"], &["productpage", "istio-proxy"]);
        let err = container(&classic, "").unwrap_err();
        assert_eq!(err.code, 400);
        assert_eq!(
            err.body["message"],
            "a container name must be specified for pod productpage-v1-a, choose one of: [istio-init productpage istio-proxy]"
        );
        assert_eq!(container(&classic, "istio-init").unwrap(), "istio-init");
        let err = container(&classic, "foo").unwrap_err();
        assert_eq!(
            err.body["message"],
            "container foo is not valid for pod productpage-v1-a"
        );
        let native = pod(&["istio-init", "istio-proxy"], &["productpage"]);
        assert_eq!(container(&native, "").unwrap(), "productpage");
    }

    #[test]
    fn pods_not_running_have_no_logs_yet() {
        let mut p = pod(&[], &["details"]);
        assert!(
            check_running(&p, "details").unwrap_err().body["message"]
                .as_str()
                .unwrap()
                .contains("does not have a host assigned")
        );
        p["spec"]["nodeName"] = json!("node");
        p["status"] = json!({"containerStatuses": [{"name": "details", "state": {"waiting": {"reason": "PodInitializing"}}}]});
        assert_eq!(
            check_running(&p, "details").unwrap_err().body["message"],
            "container \"details\" in pod \"productpage-v1-a\" is waiting to start: PodInitializing"
        );
        p["status"]["containerStatuses"][0]["state"] = json!({"running": {}});
        assert!(check_running(&p, "details").is_ok());
    }
}
