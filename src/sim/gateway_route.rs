//! How the ingress gateway routes a request by the mesh objects in the store, as Istio
//! programs Envoy from them: a `Gateway` whose selector picks the ingress gateway's pods and
//! whose server listens on its HTTP port for the request's host, then the first VirtualService
//! bound to that Gateway (`gateways: [name]` or `[namespace/name]`) whose hosts and `http`
//! match (`uri` `exact`, `prefix` or `regex`) decides the destination. No match: Envoy's 404.

use serde_json::Value;

/// The labels of the demo cluster's ingress gateway pods (`istio-system/istio-ingressgateway`).
pub const GATEWAY_LABELS: [(&str, &str); 2] =
    [("app", "istio-ingressgateway"), ("istio", "ingressgateway")];

/// The ports a Gateway's server may name for the gateway's HTTP listener: the Service port
/// (80) and the pod's own (8080), since Istio maps the first to the second.
const HTTP_PORTS: [u64; 2] = [80, 8080];

/// Where a request goes: a Service of the mesh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub namespace: String,
    pub service: String,
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn strings(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `*`, an exact name, or `*.suffix`; a `namespace/` prefix (Gateway hosts) is dropped.
fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.rsplit('/').next().unwrap_or(pattern);
    pattern == "*"
        || pattern.eq_ignore_ascii_case(host)
        || pattern.strip_prefix('*').is_some_and(|suffix| {
            host.to_ascii_lowercase()
                .ends_with(&suffix.to_ascii_lowercase())
        })
}

/// The Gateways (as `namespace/name`) that program the ingress gateway for `host`.
fn serving_gateways(gateways: &[&Value], host: &str) -> Vec<String> {
    gateways
        .iter()
        .filter(|gw| {
            let selector = gw.pointer("/spec/selector").and_then(Value::as_object);
            selector.is_some_and(|selector| {
                selector.iter().all(|(k, v)| {
                    GATEWAY_LABELS
                        .iter()
                        .any(|(key, value)| key == k && v.as_str() == Some(value))
                })
            })
        })
        .filter(|gw| {
            gw.pointer("/spec/servers")
                .and_then(Value::as_array)
                .is_some_and(|servers| {
                    servers.iter().any(|server| {
                        let port = server.pointer("/port/number").and_then(Value::as_u64);
                        port.is_some_and(|p| HTTP_PORTS.contains(&p))
                            && strings(server, "/hosts")
                                .iter()
                                .any(|h| host_matches(h, host))
                    })
                })
        })
        .map(|gw| {
            format!(
                "{}/{}",
                text(gw, "/metadata/namespace"),
                text(gw, "/metadata/name")
            )
        })
        .collect()
}

fn uri_matches(rule: &Value, path: &str) -> bool {
    let Some(uri) = rule.get("uri") else {
        // A match without a uri condition (headers only, say) is not one the gateway's plain
        // requests carry; only an empty match matches everything.
        return rule.as_object().is_some_and(|m| m.is_empty());
    };
    if let Some(exact) = uri.get("exact").and_then(Value::as_str) {
        return path == exact;
    }
    if let Some(prefix) = uri.get("prefix").and_then(Value::as_str) {
        return path.starts_with(prefix);
    }
    if let Some(regex) = uri.get("regex").and_then(Value::as_str) {
        // Only the forms Bookinfo's samples use: a literal, or a literal followed by `.*`.
        let literal = regex.trim_end_matches(".*");
        return if literal.len() < regex.len() {
            path.starts_with(literal)
        } else {
            path == literal
        };
    }
    false
}

/// The destination for `host` and `path` at the ingress gateway, or None (Envoy's 404).
///
/// One demo cluster may serve a workshop room, where every learner applies the guide's
/// `bookinfo-gateway` (hosts `*`) in their own namespace. There the gateway routes by
/// namespace: a Host header naming a namespace (`learner-07`, or `learner-07.anything`)
/// picks that namespace's route, and a request that names none while several namespaces
/// have a route is not guessed at (404), so nobody is shown another learner's Bookinfo.
pub fn route(
    gateways: &[&Value],
    virtual_services: &[&Value],
    host: &str,
    path: &str,
) -> Option<Destination> {
    let named = host.split(['.', ':']).next().unwrap_or_default();
    let in_namespace = |ns: &str| -> Vec<&Value> {
        virtual_services
            .iter()
            .copied()
            .filter(|vs| text(vs, "/metadata/namespace") == ns)
            .collect()
    };
    let own = in_namespace(named);
    if let Some(found) = route_among(gateways, &own, host, path) {
        return Some(found);
    }
    let mut namespaces: Vec<&str> = virtual_services
        .iter()
        .filter(|vs| route_among(gateways, &[vs], host, path).is_some())
        .map(|vs| text(vs, "/metadata/namespace"))
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    if namespaces.len() > 1 {
        return None;
    }
    route_among(gateways, virtual_services, host, path)
}

fn route_among(
    gateways: &[&Value],
    virtual_services: &[&Value],
    host: &str,
    path: &str,
) -> Option<Destination> {
    let serving = serving_gateways(gateways, host);
    if serving.is_empty() {
        return None;
    }
    let path = path.split('?').next().unwrap_or(path);
    virtual_services.iter().find_map(|vs| {
        let namespace = text(vs, "/metadata/namespace");
        let bound = strings(vs, "/spec/gateways").iter().any(|gw| {
            let full = if gw.contains('/') {
                gw.clone()
            } else {
                format!("{namespace}/{gw}")
            };
            serving.contains(&full)
        });
        if !bound
            || !strings(vs, "/spec/hosts")
                .iter()
                .any(|h| host_matches(h, host))
        {
            return None;
        }
        let http = vs.pointer("/spec/http").and_then(Value::as_array)?;
        let rule = http
            .iter()
            .find(|rule| match rule.get("match").and_then(Value::as_array) {
                None => true,
                Some(matches) => matches.iter().any(|m| uri_matches(m, path)),
            })?;
        let host = text(rule, "/route/0/destination/host");
        let mut parts = host.split('.');
        let service = parts.next().filter(|s| !s.is_empty())?;
        let namespace = parts.next().unwrap_or(namespace);
        Some(Destination {
            namespace: namespace.to_string(),
            service: service.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bookinfo() -> (Value, Value) {
        let gateway = json!({"metadata": {"name": "bookinfo-gateway", "namespace": "default"},
            "spec": {"selector": {"istio": "ingressgateway"},
                     "servers": [{"port": {"number": 8080, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]}});
        let vs = json!({"metadata": {"name": "bookinfo", "namespace": "default"},
            "spec": {"hosts": ["*"], "gateways": ["bookinfo-gateway"], "http": [{
                "match": [{"uri": {"exact": "/productpage"}}, {"uri": {"prefix": "/static"}},
                          {"uri": {"exact": "/login"}}, {"uri": {"exact": "/logout"}},
                          {"uri": {"prefix": "/api/v1/products"}}],
                "route": [{"destination": {"host": "productpage", "port": {"number": 9080}}}]}]}});
        (gateway, vs)
    }

    #[test]
    fn the_guide_s_gateway_routes_its_paths_to_productpage() {
        let (gateway, vs) = bookinfo();
        let productpage = Some(Destination {
            namespace: "default".into(),
            service: "productpage".into(),
        });
        for path in [
            "/productpage",
            "/productpage?u=normal",
            "/static/x.css",
            "/login",
            "/api/v1/products/0/reviews",
        ] {
            assert_eq!(
                route(&[&gateway], &[&vs], "127.0.0.1", path),
                productpage,
                "{path}"
            );
        }
        assert_eq!(route(&[&gateway], &[&vs], "127.0.0.1", "/"), None);
        assert_eq!(
            route(&[&gateway], &[&vs], "127.0.0.1", "/productpages"),
            None
        );
    }

    #[test]
    fn in_a_room_the_host_names_the_namespace_and_a_guess_is_not_made() {
        let (gateway, vs) = bookinfo();
        let moved = |value: &Value, ns: &str| {
            let mut value = value.clone();
            value["metadata"]["namespace"] = json!(ns);
            value
        };
        let (g1, v1) = (moved(&gateway, "learner-01"), moved(&vs, "learner-01"));
        let (g2, v2) = (moved(&gateway, "learner-02"), moved(&vs, "learner-02"));
        let gateways = [&g1, &g2];
        let routes = [&v1, &v2];
        let to = |host: &str| route(&gateways, &routes, host, "/productpage").map(|d| d.namespace);
        assert_eq!(to("learner-02"), Some("learner-02".to_string()));
        assert_eq!(to("learner-01.bookinfo:80"), Some("learner-01".to_string()));
        assert_eq!(
            to("127.0.0.1:8080"),
            None,
            "two namespaces, no name: not guessed"
        );
        // One learner alone is found without a name, as on a one-person demo cluster.
        assert_eq!(
            route(&[&g1], &[&v1], "127.0.0.1:8080", "/productpage").map(|d| d.namespace),
            Some("learner-01".to_string())
        );
    }

    #[test]
    fn without_a_gateway_or_a_bound_route_nothing_is_routed() {
        let (gateway, vs) = bookinfo();
        assert_eq!(route(&[], &[&vs], "h", "/productpage"), None);
        assert_eq!(route(&[&gateway], &[], "h", "/productpage"), None);
        let mut unbound = vs.clone();
        unbound["spec"]["gateways"] = json!(["mesh"]);
        assert_eq!(route(&[&gateway], &[&unbound], "h", "/productpage"), None);
        let mut elsewhere = gateway.clone();
        elsewhere["spec"]["selector"] = json!({"istio": "egressgateway"});
        assert_eq!(route(&[&elsewhere], &[&vs], "h", "/productpage"), None);
        let mut named_host = gateway;
        named_host["spec"]["servers"][0]["hosts"] = json!(["bookinfo.example.com"]);
        assert_eq!(
            route(&[&named_host], &[&vs], "127.0.0.1", "/productpage"),
            None
        );
        assert!(
            route(
                &[&named_host],
                &[&vs],
                "bookinfo.example.com",
                "/productpage"
            )
            .is_some()
        );
    }
}
