//! The HTTP servers inside the demo cluster's pods, and how a Service name reaches one: Bookinfo's
//! productpage, reviews, ratings and details answer as Bookinfo does; the kiali pod answers
//! through `Hooks::kiali`. Reviews calls are routed by the VirtualService weights exactly as
//! productpage's own calls are (`productpage::serve` picks the pod), and a page's calls to
//! details, reviews and ratings are answered by those pods too, so the access log sees them.

use serde_json::{Value, json};

use super::super::productpage::{self, Mesh};
use super::super::resources::{PODS, SERVICES, VIRTUALSERVICES, find};
use super::super::store::SimStore;
use super::hooks::{Hooks, HttpAnswer, PodRequest};

/// What the pods' servers read: the store, the hooks and one random roll per request.
pub struct Cluster<'a> {
    pub store: &'a SimStore,
    pub hooks: &'a Hooks,
    /// Uniform in 0..100_000.
    pub roll: u32,
}

/// Where a request from inside the mesh went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    Answer(HttpAnswer),
    /// No Service of that name: DNS has no such host.
    UnknownHost,
    /// The Service has no such port.
    Refused,
}

const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";

/// A request to `host:port` from a pod in `namespace`; `host` is `svc`, `svc.ns`, `svc.ns.svc`
/// or `svc.ns.svc.cluster.local`. The answering pod is told to the access log.
pub fn call(
    cluster: &Cluster,
    namespace: &str,
    host: &str,
    port: u16,
    method: &str,
    path: &str,
) -> Reached {
    let mut labels = host.split('.');
    let service = labels.next().unwrap_or_default();
    let namespace = match labels.next() {
        Some(ns) => ns,
        None => namespace,
    };
    let rest: Vec<&str> = labels.collect();
    if !matches!(rest.as_slice(), [] | ["svc"] | ["svc", "cluster", "local"]) {
        return Reached::UnknownHost;
    }
    let Some(svc) = cluster.store.get(SERVICES, namespace, service) else {
        return Reached::UnknownHost;
    };
    let Some(target) = target_port(&svc, port) else {
        return Reached::Refused;
    };
    let pod = if service == "reviews" {
        routed_reviews(cluster, namespace)
    } else {
        let ready = ready_behind(cluster.store, namespace, &svc);
        (!ready.is_empty()).then(|| ready[cluster.roll as usize % ready.len()].clone())
    };
    let Some(pod) = pod else {
        // The sidecar's answer when the route has no healthy endpoint.
        return Reached::Answer(HttpAnswer::new(503, "text/plain", "no healthy upstream"));
    };
    match serve_pod(cluster, &pod, target, method, path) {
        Some(answer) => Reached::Answer(answer),
        None => Reached::Refused,
    }
}

/// The answer of `pod`'s server on `port`, None when no container exposes that port (the
/// connection is refused). Told to the access log.
pub fn serve_pod(
    cluster: &Cluster,
    pod: &Value,
    port: u16,
    method: &str,
    path: &str,
) -> Option<HttpAnswer> {
    if !exposes(pod, port) {
        return None;
    }
    let namespace = str_at(pod, "/metadata/namespace");
    let app = str_at(pod, "/metadata/labels/app");
    let version = str_at(pod, "/metadata/labels/version");
    let name = str_at(pod, "/metadata/name");
    let route = path.split('?').next().unwrap_or_default();
    let answer = match app {
        "productpage" => productpage(cluster, namespace, route),
        "reviews" => bookinfo_json(route, "reviews", || reviews(version, name)),
        "ratings" => bookinfo_json(
            route,
            "ratings",
            || json!({"id": 0, "ratings": {"Reviewer1": 5, "Reviewer2": 4}}),
        ),
        "details" => bookinfo_json(route, "details", details),
        "kiali" => cluster.hooks.kiali(cluster.store, method, path),
        _ => HttpAnswer::new(404, "text/plain; charset=utf-8", "404 page not found\n"),
    };
    let answer = if method == "HEAD" {
        HttpAnswer {
            body: answer.body.slice(0..0),
            ..answer
        }
    } else {
        answer
    };
    cluster.hooks.record(&PodRequest {
        namespace: namespace.to_string(),
        pod: name.to_string(),
        method: method.to_string(),
        path: path.to_string(),
        status: answer.status,
        bytes: answer.body.len() as u64,
    });
    Some(answer)
}

/// Whether a container of the pod declares `port` (a port nothing listens on is refused).
pub fn exposes(pod: &Value, port: u16) -> bool {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("ports").and_then(Value::as_array))
        .flatten()
        .any(|p| p.get("containerPort").and_then(Value::as_u64) == Some(u64::from(port)))
}

/// The Service's target port for `port` (a named targetPort is looked up by the caller's
/// pods as the same number, which holds for Bookinfo and the addons).
fn target_port(svc: &Value, port: u16) -> Option<u16> {
    let ports = svc.pointer("/spec/ports")?.as_array()?;
    let entry = ports
        .iter()
        .find(|p| p.get("port").and_then(Value::as_u64) == Some(u64::from(port)))?;
    let target = entry
        .get("targetPort")
        .and_then(Value::as_u64)
        .unwrap_or(u64::from(port));
    u16::try_from(target).ok()
}

fn ready_behind(store: &SimStore, namespace: &str, svc: &Value) -> Vec<Value> {
    let Some(selector) = svc.pointer("/spec/selector").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut pods: Vec<Value> = store
        .list(PODS, Some(namespace))
        .0
        .into_iter()
        .filter(|pod| {
            selector
                .iter()
                .all(|(k, v)| pod.pointer(&format!("/metadata/labels/{k}")) == Some(v))
        })
        .filter(is_ready)
        .collect();
    pods.sort_by(|a, b| str_at(a, "/metadata/name").cmp(str_at(b, "/metadata/name")));
    pods
}

pub fn is_ready(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_none()
        && pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|conditions| {
                conditions.iter().any(|c| {
                    c.get("type").and_then(Value::as_str) == Some("Ready")
                        && c.get("status").and_then(Value::as_str) == Some("True")
                })
            })
}

/// The reviews pod a call from inside the mesh reaches: productpage's own routing picks it
/// (a ready productpage is stood in so its page is made), and the pod it names is the one.
fn routed_reviews(cluster: &Cluster, namespace: &str) -> Option<Value> {
    let store = cluster.store;
    let vs = list(store, Some(VIRTUALSERVICES), namespace);
    let dr = destination_rules(store, namespace);
    let pods = list(store, Some(PODS), namespace);
    let stand_in = json!({"metadata": {"name": "productpage-routing", "labels": {"app": "productpage"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    let mut all: Vec<&Value> = pods.iter().collect();
    all.push(&stand_in);
    let mesh = Mesh {
        virtual_services: vs.iter().collect(),
        destination_rules: dr.iter().collect(),
        pods: all,
    };
    let page = productpage::serve(&mesh, cluster.roll);
    // The longest name that appears, so `reviews-v1-a` does not shadow `reviews-v1-ab`.
    pods.iter()
        .filter(|pod| str_at(pod, "/metadata/labels/app") == "reviews" && is_ready(pod))
        .filter(|pod| page.body.contains(str_at(pod, "/metadata/name")))
        .max_by_key(|pod| str_at(pod, "/metadata/name").len())
        .cloned()
}

fn productpage(cluster: &Cluster, namespace: &str, route: &str) -> HttpAnswer {
    match route {
        "/productpage" => {
            let pods = cluster.store.list(PODS, Some(namespace)).0;
            let vs = list(cluster.store, Some(VIRTUALSERVICES), namespace);
            let dr = destination_rules(cluster.store, namespace);
            let mesh = Mesh {
                virtual_services: vs.iter().collect(),
                destination_rules: dr.iter().collect(),
                pods: pods.iter().collect(),
            };
            let page = productpage::serve(&mesh, cluster.roll);
            if page.status == 200 {
                call_backends(cluster, &pods, &page.body);
            }
            let kind = if page.status == 200 { HTML } else { JSON };
            HttpAnswer::new(page.status, kind, page.body)
        }
        "/" | "/index.html" => HttpAnswer::new(
            200,
            HTML,
            "<!DOCTYPE html>\n<html>\n<head>\n<title>Simple Bookstore App</title>\n</head>\n<body>\n\
             <a href=\"productpage?u=normal\">Normal user</a>\n<a href=\"productpage?u=test\">Test user</a>\n</body>\n</html>\n",
        ),
        "/health" => HttpAnswer::new(200, JSON, "{\"status\": \"Productpage is healthy\"}"),
        _ => not_found(),
    }
}

/// The calls behind a page, each answered (and so told to the access log) by its pod as in
/// Bookinfo: details, the reviews pod the page names, and ratings when that reviews version
/// shows stars.
fn call_backends(cluster: &Cluster, pods: &[Value], page: &str) {
    let ready = |app: &'static str| {
        pods.iter()
            .filter(move |p| str_at(p, "/metadata/labels/app") == app && is_ready(p))
    };
    let details: Vec<&Value> = ready("details").collect();
    if !details.is_empty() {
        let pod = details[cluster.roll as usize % details.len()];
        serve_pod(cluster, pod, 9080, "GET", "/details/0");
    }
    let reviews = ready("reviews")
        .filter(|pod| page.contains(str_at(pod, "/metadata/name")))
        .max_by_key(|pod| str_at(pod, "/metadata/name").len());
    let Some(reviews) = reviews else { return };
    serve_pod(cluster, reviews, 9080, "GET", "/reviews/0");
    if matches!(str_at(reviews, "/metadata/labels/version"), "v2" | "v3") {
        let ratings: Vec<&Value> = ready("ratings").collect();
        if !ratings.is_empty() {
            let pod = ratings[cluster.roll as usize % ratings.len()];
            serve_pod(cluster, pod, 9080, "GET", "/ratings/0");
        }
    }
}

/// `/{service}/{id}` answers the body, `/health` the health line, anything else 404.
fn bookinfo_json(route: &str, service: &str, body: impl Fn() -> Value) -> HttpAnswer {
    if route == "/health" {
        let name = format!("{}{}", service[..1].to_uppercase(), &service[1..]);
        return HttpAnswer::new(
            200,
            JSON,
            json!({"status": format!("{name} is healthy")}).to_string(),
        );
    }
    match route.strip_prefix(&format!("/{service}/")) {
        Some(id) if !id.is_empty() && !id.contains('/') => {
            HttpAnswer::new(200, JSON, body().to_string())
        }
        _ => not_found(),
    }
}

fn not_found() -> HttpAnswer {
    HttpAnswer::new(
        404,
        HTML,
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n\
         <p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n",
    )
}

/// reviews' JSON: no rating in v1, black stars in v2, red in v3.
fn reviews(version: &str, pod: &str) -> Value {
    let colour = match version {
        "v2" => Some("black"),
        "v3" => Some("red"),
        _ => None,
    };
    let review = |reviewer: &str, text: &str, stars: u8| {
        let mut r = json!({"reviewer": reviewer, "text": text});
        if let Some(colour) = colour {
            r["rating"] = json!({"stars": stars, "color": colour});
        }
        r
    };
    json!({"id": "0", "podname": pod, "clustername": "null", "reviews": [
        review("Reviewer1", "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!", 5),
        review("Reviewer2", "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.", 4),
    ]})
}

fn details() -> Value {
    json!({"id": 0, "author": "William Shakespeare", "year": 1595, "type": "paperback",
        "pages": 200, "publisher": "PublisherA", "language": "English",
        "ISBN-10": "1234567890", "ISBN-13": "123-1234567890"})
}

/// The namespace's objects of one kind (DestinationRules have no index constant).
fn list(store: &SimStore, resource: Option<usize>, namespace: &str) -> Vec<Value> {
    resource
        .map(|r| store.list(r, Some(namespace)).0)
        .unwrap_or_default()
}

fn destination_rules(store: &SimStore, namespace: &str) -> Vec<Value> {
    list(
        store,
        find("networking.istio.io", "v1", "destinationrules"),
        namespace,
    )
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}
