//! A small Kiali for the demo cluster: once the `kiali` Deployment runs in istio-system, its
//! port 20001 answers with a self-contained page whose Graph draws Bookinfo (ingress or
//! unknown → productpage → reviews v1/v2/v3 → ratings, and details) with the request counts
//! and shares of the traffic the demo cluster really served (`telemetry`'s edges), and the
//! same graph as JSON at `/kiali/api/namespaces/graph`. The service proxy and port-forward
//! both call `serve`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::resources::{DEPLOYMENTS, PODS};
use super::store::SimStore;
use super::telemetry::{EdgeStats, Telemetry};

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";

/// Node positions on the page: workload, x, y.
const LAYOUT: [(&str, u32, u32); 8] = [
    ("istio-ingressgateway", 90, 150),
    ("unknown", 90, 300),
    ("productpage-v1", 330, 220),
    ("details-v1", 580, 60),
    ("reviews-v1", 580, 170),
    ("reviews-v2", 580, 280),
    ("reviews-v3", 580, 390),
    ("ratings-v1", 830, 335),
];

/// Kiali's answer to `GET path` on port 20001: status, content type, body.
pub fn serve(store: &SimStore, telemetry: &Telemetry, path: &str) -> (u16, &'static str, String) {
    if !running(store) {
        let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "no endpoints available for service \"kiali\"", "reason": "ServiceUnavailable", "code": 503});
        return (503, JSON, body.to_string());
    }
    let path = path
        .split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let edges = telemetry.edges();
    match path {
        "" | "/kiali" | "/kiali/console" | "/kiali/console/graph/namespaces" => {
            (200, HTML, page(&edges))
        }
        "/kiali/api/namespaces/graph" | "/api/namespaces/graph" => {
            (200, JSON, graph_json(&edges).to_string())
        }
        "/kiali/healthz" | "/healthz" => (200, "text/plain", String::new()),
        _ => (
            404,
            "text/plain; charset=utf-8",
            "404 page not found\n".into(),
        ),
    }
}

/// The kiali Deployment exists and one of its pods is ready.
fn running(store: &SimStore) -> bool {
    if store.get(DEPLOYMENTS, "istio-system", "kiali").is_none() {
        return false;
    }
    store.list(PODS, Some("istio-system")).0.iter().any(|pod| {
        pod.pointer("/metadata/labels/app").and_then(Value::as_str) == Some("kiali")
            && pod
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                })
    })
}

type Edges = BTreeMap<(String, String), EdgeStats>;

/// Each edge's share of the requests leaving its source, in percent.
fn share(edges: &Edges, source: &str, stats: &EdgeStats) -> f64 {
    let total: u64 = edges
        .iter()
        .filter(|((from, _), _)| from == source)
        .map(|(_, s)| s.requests)
        .sum();
    if total == 0 {
        0.0
    } else {
        stats.requests as f64 * 100.0 / total as f64
    }
}

fn graph_json(edges: &Edges) -> Value {
    let nodes: Vec<Value> = LAYOUT
        .iter()
        .map(|(workload, _, _)| {
            let (app, version) = workload.rsplit_once('-').unwrap_or((workload, ""));
            json!({"data": {"id": workload, "workload": workload, "app": app, "version": version}})
        })
        .collect();
    let edges: Vec<Value> = edges
        .iter()
        .map(|((from, to), stats)| {
            json!({"data": {"source": from, "target": to, "traffic": {"protocol": "http",
                "requests": stats.requests, "errors": stats.errors,
                "percentReq": format!("{:.1}", share(edges, from, stats))}}})
        })
        .collect();
    json!({"elements": {"nodes": nodes, "edges": edges}, "graphType": "versionedApp"})
}

fn position(workload: &str) -> Option<(u32, u32)> {
    LAYOUT
        .iter()
        .find(|(w, _, _)| *w == workload)
        .map(|(_, x, y)| (*x, *y))
}

fn page(edges: &Edges) -> String {
    let mut svg = String::new();
    for ((from, to), stats) in edges {
        let (Some((x1, y1)), Some((x2, y2))) = (position(from), position(to)) else {
            continue;
        };
        let colour = if stats.errors > 0 {
            "#c9190b"
        } else {
            "#3e8635"
        };
        let (mx, my) = ((x1 + x2) / 2, (y1 + y2) / 2);
        svg.push_str(&format!(
            "<line x1=\"{}\" y1=\"{y1}\" x2=\"{}\" y2=\"{y2}\" stroke=\"{colour}\" stroke-width=\"3\" marker-end=\"url(#arrow)\"/>\n\
             <text class=\"edge\" x=\"{mx}\" y=\"{}\">{} req · {:.1}%</text>\n",
            x1 + 55,
            x2 - 60,
            my - 6,
            stats.requests,
            share(edges, from, stats),
        ));
    }
    for (workload, x, y) in LAYOUT {
        let used = edges.keys().any(|(a, b)| a == workload || b == workload);
        if !used && workload != "productpage-v1" {
            continue;
        }
        let shape = if workload == "istio-ingressgateway" || workload == "unknown" {
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"110\" height=\"40\" rx=\"6\" class=\"node\"/>",
                x - 55,
                y - 20
            )
        } else {
            format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"22\" class=\"node\"/>")
        };
        svg.push_str(&format!(
            "{shape}\n<text class=\"label\" x=\"{x}\" y=\"{}\">{workload}</text>\n",
            y + 40
        ));
    }
    let total: u64 = edges
        .iter()
        .filter(|((_, to), _)| to.starts_with("productpage"))
        .map(|(_, s)| s.requests)
        .sum();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Kiali</title>\n<style>\
         body{{margin:0;font-family:'Red Hat Text',system-ui,sans-serif;background:#f0f0f0;color:#151515}}\
         header{{background:#151515;color:#fff;padding:12px 24px;font-size:1.4rem;font-weight:600}}\
         nav{{float:left;width:180px;background:#212427;color:#ccc;min-height:calc(100vh - 52px);padding:16px}}\
         nav div{{padding:8px 0}}nav .on{{color:#fff;border-left:3px solid #06c;padding-left:8px}}\
         main{{margin-left:212px;padding:16px}}.card{{background:#fff;padding:16px;border-radius:4px}}\
         .node{{fill:#fff;stroke:#06c;stroke-width:3}}.label{{font-size:15px;text-anchor:middle}}\
         .edge{{font-size:13px;fill:#3c3f42;text-anchor:middle}}</style>\n</head>\n<body>\n\
         <header>Kiali</header>\n<nav><div>Overview</div><div class=\"on\">Graph</div><div>Applications</div>\
         <div>Workloads</div><div>Services</div><div>Istio Config</div></nav>\n<main>\n<div class=\"card\">\n\
         <h2>Graph · Namespace: default · Versioned app graph</h2>\n<p>Requests to productpage: {total}</p>\n\
         <svg viewBox=\"0 0 920 460\" width=\"100%\" role=\"img\" aria-label=\"Bookinfo graph\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0 0L10 5L0 10z\" fill=\"#3c3f42\"/></marker></defs>\n{svg}</svg>\n</div>\n</main>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graph_shows_the_shares_of_served_traffic() {
        let telemetry = Telemetry::default();
        for _ in 0..3 {
            telemetry.record_edge("productpage-v1", "reviews-v1", 200);
        }
        telemetry.record_edge("productpage-v1", "reviews-v3", 200);
        telemetry.record_edge("istio-ingressgateway", "productpage-v1", 200);
        let edges = telemetry.edges();
        let html = page(&edges);
        assert!(html.contains("3 req · 75.0%"), "{html}");
        assert!(html.contains("1 req · 25.0%"), "{html}");
        assert!(!html.contains(">reviews-v2<"), "unused nodes are not drawn");
        let json = graph_json(&edges);
        assert_eq!(json["elements"]["edges"].as_array().unwrap().len(), 3);
        let (status, _, _) = serve(&SimStore::new(), &telemetry, "/kiali/");
        assert_eq!(status, 503, "no kiali deployment, no endpoints");
    }
}
