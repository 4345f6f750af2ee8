//! Small typed views over Istio objects (VirtualService, DestinationRule, Gateway), read
//! leniently from `DynamicObject` JSON: missing or odd fields become empty, never errors.

use std::collections::BTreeMap;

use kube::api::DynamicObject;
use serde_json::Value;

/// A destination's share of a route's traffic, in percent (0–100). Numbers from outside the
/// lab's own arithmetic (a watched object, typed digits, a mouse position) become weights
/// through [`weight_from`], so a value out of range never travels further.
pub type Weight = u8;

/// The largest weight, and the total the weights of a route with several destinations must reach.
pub const FULL: Weight = 100;

/// `n` as a weight: below 0 reads as 0 and above 100 as 100, the range Istio applies.
pub fn weight_from(n: i64) -> Weight {
    Weight::try_from(n.clamp(0, i64::from(FULL))).unwrap_or(FULL)
}

/// One weighted destination of an HTTP route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDestination {
    pub host: String,
    pub subset: Option<String>,
    pub port: Option<u32>,
    /// As written; Istio treats a lone destination without weight as 100.
    pub weight: Option<Weight>,
}

/// One entry of `spec.http`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRouteView {
    pub name: Option<String>,
    /// Number of `match` conditions; 0 means the route catches everything.
    pub match_count: usize,
    pub destinations: Vec<RouteDestination>,
}

impl HttpRouteView {
    /// The weight each destination receives, as Istio applies it: a single destination
    /// without a weight gets 100, other missing weights count as 0.
    pub fn effective_weights(&self) -> Vec<Weight> {
        match self.destinations.as_slice() {
            [only] => vec![only.weight.unwrap_or(FULL)],
            many => many.iter().map(|d| d.weight.unwrap_or(0)).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VirtualServiceView {
    pub name: String,
    pub hosts: Vec<String>,
    pub gateways: Vec<String>,
    pub http: Vec<HttpRouteView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubsetView {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DestinationRuleView {
    pub name: String,
    pub host: String,
    pub subsets: Vec<SubsetView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayServerView {
    pub port_number: Option<u32>,
    pub port_name: Option<String>,
    pub protocol: Option<String>,
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayView {
    pub name: String,
    pub selector: BTreeMap<String, String>,
    pub servers: Vec<GatewayServerView>,
}

impl VirtualServiceView {
    pub fn from_object(object: &DynamicObject) -> Self {
        Self::from_spec(object_name(object), spec(object))
    }

    pub fn from_spec(name: String, spec: &Value) -> Self {
        Self {
            name,
            hosts: strings(&spec["hosts"]),
            gateways: strings(&spec["gateways"]),
            http: items(&spec["http"]).map(http_route).collect(),
        }
    }

    /// The first route sending traffic to `host` (short name or FQDN prefix), if any.
    pub fn route_to(&self, host: &str) -> Option<&HttpRouteView> {
        self.http
            .iter()
            .find(|route| route.destinations.iter().any(|d| same_host(&d.host, host)))
    }
}

impl DestinationRuleView {
    pub fn from_object(object: &DynamicObject) -> Self {
        Self::from_spec(object_name(object), spec(object))
    }

    pub fn from_spec(name: String, spec: &Value) -> Self {
        Self {
            name,
            host: text(&spec["host"]).unwrap_or_default(),
            subsets: items(&spec["subsets"])
                .map(|subset| SubsetView {
                    name: text(&subset["name"]).unwrap_or_default(),
                    labels: string_map(&subset["labels"]),
                })
                .collect(),
        }
    }
}

impl GatewayView {
    pub fn from_object(object: &DynamicObject) -> Self {
        Self::from_spec(object_name(object), spec(object))
    }

    pub fn from_spec(name: String, spec: &Value) -> Self {
        Self {
            name,
            selector: string_map(&spec["selector"]),
            servers: items(&spec["servers"])
                .map(|server| GatewayServerView {
                    port_number: number(&server["port"]["number"]),
                    port_name: text(&server["port"]["name"]),
                    protocol: text(&server["port"]["protocol"]),
                    hosts: strings(&server["hosts"]),
                })
                .collect(),
        }
    }
}

/// `reviews` matches `reviews`, `reviews.default`, `reviews.default.svc.cluster.local`.
pub fn same_host(candidate: &str, host: &str) -> bool {
    let short = |h: &str| h.split('.').next().unwrap_or(h).to_string();
    candidate == host || short(candidate) == short(host)
}

fn http_route(route: &Value) -> HttpRouteView {
    HttpRouteView {
        name: text(&route["name"]),
        match_count: items(&route["match"]).count(),
        destinations: items(&route["route"])
            .map(|entry| {
                let destination = &entry["destination"];
                RouteDestination {
                    host: text(&destination["host"]).unwrap_or_default(),
                    subset: text(&destination["subset"]),
                    port: number(&destination["port"]["number"]),
                    weight: number(&entry["weight"]).map(|n| weight_from(i64::from(n))),
                }
            })
            .collect(),
    }
}

static NULL: Value = Value::Null;

fn spec(object: &DynamicObject) -> &Value {
    object.data.get("spec").unwrap_or(&NULL)
}

fn object_name(object: &DynamicObject) -> String {
    object.metadata.name.clone().unwrap_or_default()
}

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn strings(value: &Value) -> Vec<String> {
    items(value).filter_map(text).collect()
}

/// A non-negative integer, also accepted when written as a string ("90") or float (90.0).
fn number(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first_item(json: &str) -> DynamicObject {
        let list: Value = serde_json::from_str(json).unwrap();
        serde_json::from_value(list["items"][0].clone()).unwrap()
    }

    #[test]
    fn reads_the_recorded_reviews_virtual_service() {
        let object = first_item(include_str!(
            "../../../tests/fixtures/rows/recorded-virtualservices.json"
        ));
        let view = VirtualServiceView::from_object(&object);
        assert_eq!(view.name, "reviews");
        assert_eq!(view.hosts, ["reviews"]);
        let route = view.route_to("reviews.default.svc.cluster.local").unwrap();
        assert_eq!(route.name.as_deref(), Some("reviews-route"));
        let subsets: Vec<Option<&str>> = route
            .destinations
            .iter()
            .map(|d| d.subset.as_deref())
            .collect();
        assert_eq!(subsets, [Some("v1"), Some("v2")]);
        assert_eq!(route.effective_weights(), [90, 10]);
    }

    #[test]
    fn reads_the_recorded_destination_rule_and_gateway() {
        let rule = DestinationRuleView::from_object(&first_item(include_str!(
            "../../../tests/fixtures/rows/recorded-destinationrules.json"
        )));
        assert_eq!(rule.host, "reviews");
        let names: Vec<&str> = rule.subsets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["v1", "v2", "v3"]);
        assert_eq!(
            rule.subsets[2].labels.get("version").map(String::as_str),
            Some("v3")
        );

        let gateway = GatewayView::from_object(&first_item(include_str!(
            "../../../tests/fixtures/rows/recorded-gateways.json"
        )));
        assert_eq!(
            gateway.selector.get("istio").map(String::as_str),
            Some("ingressgateway")
        );
        assert_eq!(
            gateway.servers,
            [GatewayServerView {
                port_number: Some(8080),
                port_name: Some("http".into()),
                protocol: Some("HTTP".into()),
                hosts: vec!["*".into()],
            }]
        );
    }

    #[test]
    fn lone_destination_defaults_to_full_weight() {
        let view = VirtualServiceView::from_spec(
            "reviews".into(),
            &json!({"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}}]}]}),
        );
        assert_eq!(view.http[0].effective_weights(), [100]);
        let split = VirtualServiceView::from_spec(
            "reviews".into(),
            &json!({"http": [{"route": [
                {"destination": {"host": "reviews", "subset": "v1"}, "weight": "70"},
                {"destination": {"host": "reviews", "subset": "v3"}}
            ]}]}),
        );
        assert_eq!(split.http[0].effective_weights(), [70, 0]);
    }

    #[test]
    fn malformed_specs_give_empty_views() {
        for spec in [
            json!(null),
            json!("text"),
            json!({"hosts": "reviews", "http": {"route": 3}}),
            json!({"http": [{"route": [{"destination": 5, "weight": -3}]}]}),
        ] {
            let view = VirtualServiceView::from_spec("x".into(), &spec);
            assert!(view.hosts.is_empty());
            for route in &view.http {
                for destination in &route.destinations {
                    assert_eq!(destination.host, "");
                    assert_eq!(destination.weight, None);
                }
            }
            let rule = DestinationRuleView::from_spec("x".into(), &spec);
            assert!(rule.subsets.is_empty());
            let gateway = GatewayView::from_spec("x".into(), &spec);
            assert!(gateway.servers.is_empty());
        }
    }

    #[test]
    fn host_matching_uses_the_short_name() {
        assert!(same_host("reviews", "reviews.default.svc.cluster.local"));
        assert!(same_host("reviews.default", "reviews"));
        assert!(!same_host("ratings", "reviews"));
    }
}
