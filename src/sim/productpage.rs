//! Bookinfo's productpage as the demo cluster serves it (through the gateway, the API
//! server's service proxy or a pod's curl): each page picks a reviews pod by the `reviews`
//! VirtualService weights and the DestinationRule subsets, as the mesh would, and says which
//! pods took part, so the access logs and Kiali's graph show the calls that were made.
//! The markup is `productpage_html`'s.

use serde_json::Value;

use super::productpage_html::{Reviews, page};

/// What one page depends on, read from the store.
#[derive(Debug, Default)]
pub struct Mesh<'a> {
    pub virtual_services: Vec<&'a Value>,
    pub destination_rules: Vec<&'a Value>,
    /// Pods of the namespace (all of them; reviews and productpage are picked out here).
    pub pods: Vec<&'a Value>,
}

/// The page for one request: status, body, and the pods that served it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub status: u16,
    pub body: String,
    pub calls: Calls,
}

/// The pods one page's calls reached (None: that call was not made or found no pod).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls {
    pub productpage: Option<PodRef>,
    pub details: Option<PodRef>,
    pub reviews: Option<PodRef>,
    pub ratings: Option<PodRef>,
}

/// A pod as the logs name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRef {
    pub name: String,
    pub ip: String,
    pub version: String,
}

impl PodRef {
    pub fn of(pod: &Value) -> PodRef {
        PodRef {
            name: name(pod).to_string(),
            ip: pod
                .pointer("/status/podIP")
                .and_then(Value::as_str)
                .unwrap_or("10.244.0.1")
                .to_string(),
            version: label(pod, "version").unwrap_or("v1").to_string(),
        }
    }
}

/// `roll` is a uniform random number in 0..100_000 (the caller owns the randomness).
pub fn serve(mesh: &Mesh, roll: u32) -> Page {
    let Some(productpage) = pick(&ready_pods(&mesh.pods, "productpage", None), roll) else {
        return Page {
            status: 503,
            body: no_endpoints("productpage"),
            calls: Calls::default(),
        };
    };
    let mut calls = Calls {
        productpage: Some(PodRef::of(productpage)),
        details: pick(&ready_pods(&mesh.pods, "details", None), roll).map(PodRef::of),
        ..Calls::default()
    };
    let reviews = match pick_reviews(mesh, roll) {
        Ok(Some(pod)) => {
            let pod = PodRef::of(pod);
            // v1 never calls ratings.
            if pod.version != "v1" {
                calls.ratings =
                    pick(&ready_pods(&mesh.pods, "ratings", None), roll).map(PodRef::of);
            }
            calls.reviews = Some(pod);
            calls.reviews.as_ref().map(|pod| Reviews::Served {
                version: &pod.version,
                pod: &pod.name,
                ratings: calls.ratings.is_some(),
            })
        }
        // No reviews pod behind the chosen subset, or a subset without a DestinationRule: the
        // mesh answers productpage's call with 503 and productpage prints its error.
        Ok(None) | Err(()) => None,
    };
    let body = page(
        reviews.as_ref().unwrap_or(&Reviews::Unavailable),
        calls.details.is_some(),
    );
    Page {
        status: 200,
        body,
        calls,
    }
}

/// A ready pod of `app`, picked by `roll`.
pub fn ready_pod(pods: &[&Value], app: &str, roll: u32) -> Option<PodRef> {
    pick(&ready_pods(pods, app, None), roll).map(PodRef::of)
}

/// The reviews pod that serves this request: by the weighted route when a VirtualService for
/// reviews exists, else any ready reviews pod (plain Kubernetes service balancing).
/// `Err` when the route names a subset that no DestinationRule defines.
fn pick_reviews<'a>(mesh: &Mesh<'a>, roll: u32) -> Result<Option<&'a Value>, ()> {
    let pods = ready_pods(&mesh.pods, "reviews", None);
    let Some(route) = reviews_route(mesh) else {
        return Ok(pick(&pods, roll));
    };
    let total: u64 = route.iter().map(|(_, w)| *w).sum();
    if total == 0 {
        return Err(());
    }
    let mut point = u64::from(roll) * total / 100_000;
    let subset = route
        .iter()
        .find(|(_, weight)| {
            if point < *weight {
                return true;
            }
            point -= weight;
            false
        })
        .map(|(subset, _)| subset.as_str());
    let Some(subset) = subset else {
        return Err(());
    };
    if subset.is_empty() {
        return Ok(pick(&pods, roll));
    }
    let labels = subset_labels(mesh, subset).ok_or(())?;
    let behind: Vec<&Value> = pods
        .into_iter()
        .filter(|pod| {
            labels
                .iter()
                .all(|(k, v)| label(pod, k) == Some(v.as_str()))
        })
        .collect();
    Ok(pick(&behind, roll))
}

/// (subset, weight) of the first http route of the reviews VirtualService.
fn reviews_route(mesh: &Mesh) -> Option<Vec<(String, u64)>> {
    let vs = mesh.virtual_services.iter().find(|vs| {
        vs.pointer("/spec/hosts")
            .and_then(Value::as_array)
            .is_some_and(|hosts| hosts.iter().any(|h| h.as_str().is_some_and(is_reviews)))
    })?;
    let route = vs.pointer("/spec/http/0/route")?.as_array()?;
    let single = route.len() == 1;
    Some(
        route
            .iter()
            .map(|d| {
                let subset = d
                    .pointer("/destination/subset")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let weight = d
                    .get("weight")
                    .and_then(Value::as_u64)
                    .unwrap_or(if single { 100 } else { 0 });
                (subset.to_string(), weight)
            })
            .collect(),
    )
}

fn subset_labels(mesh: &Mesh, subset: &str) -> Option<Vec<(String, String)>> {
    mesh.destination_rules
        .iter()
        .filter(|dr| {
            dr.pointer("/spec/host")
                .and_then(Value::as_str)
                .is_some_and(is_reviews)
        })
        .filter_map(|dr| dr.pointer("/spec/subsets").and_then(Value::as_array))
        .flatten()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(subset))
        .map(|s| {
            s.get("labels")
                .and_then(Value::as_object)
                .map(|labels| {
                    labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default()
        })
}

fn is_reviews(host: &str) -> bool {
    host == "reviews" || host.starts_with("reviews.")
}

fn pick<'a>(pods: &[&'a Value], roll: u32) -> Option<&'a Value> {
    (!pods.is_empty()).then(|| pods[(roll as usize) % pods.len()])
}

fn ready_pods<'a>(pods: &[&'a Value], app: &str, version: Option<&str>) -> Vec<&'a Value> {
    let mut ready: Vec<&Value> = pods
        .iter()
        .copied()
        .filter(|pod| label(pod, "app") == Some(app))
        .filter(|pod| version.is_none_or(|v| label(pod, "version") == Some(v)))
        .filter(|pod| pod.pointer("/metadata/deletionTimestamp").is_none())
        .filter(|pod| {
            pod.pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|conditions| {
                    conditions.iter().any(|c| {
                        c.get("type").and_then(Value::as_str) == Some("Ready")
                            && c.get("status").and_then(Value::as_str) == Some("True")
                    })
                })
        })
        .collect();
    ready.sort_by_key(|pod| name(pod).to_string());
    ready
}

fn label<'a>(pod: &'a Value, key: &str) -> Option<&'a str> {
    pod.pointer("/metadata/labels")?.get(key)?.as_str()
}

fn name(pod: &Value) -> &str {
    pod.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn no_endpoints(service: &str) -> String {
    format!(
        "{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\
         \"message\":\"no endpoints available for service \\\"{service}\\\"\",\"reason\":\"ServiceUnavailable\",\"code\":503}}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::traffic::{Served, classify};
    use serde_json::json;

    fn pod(name: &str, app: &str, version: &str) -> Value {
        json!({"metadata": {"name": name, "labels": {"app": app, "version": version}},
               "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    }

    fn vs(weights: &[(&str, u64)]) -> Value {
        let route: Vec<Value> = weights
            .iter()
            .map(|(s, w)| json!({"destination": {"host": "reviews", "subset": s}, "weight": w}))
            .collect();
        json!({"spec": {"hosts": ["reviews"], "http": [{"route": route}]}})
    }

    fn dr(subsets: &[&str]) -> Value {
        let subsets: Vec<Value> = subsets
            .iter()
            .map(|s| json!({"name": s, "labels": {"version": s}}))
            .collect();
        json!({"spec": {"host": "reviews", "subsets": subsets}})
    }

    fn served(page: &Page) -> Served {
        classify(&page.body, &|_| None)
    }

    #[test]
    fn weights_decide_the_version_and_the_classifier_reads_it_back() {
        let pods = [
            pod("productpage-v1-a", "productpage", "v1"),
            pod("reviews-v1-a", "reviews", "v1"),
            pod("reviews-v2-a", "reviews", "v2"),
            pod("reviews-v3-a", "reviews", "v3"),
        ];
        let route = vs(&[("v1", 80), ("v2", 20)]);
        let rule = dr(&["v1", "v2", "v3"]);
        let mesh = Mesh {
            virtual_services: vec![&route],
            destination_rules: vec![&rule],
            pods: pods.iter().collect(),
        };
        let mut counts = std::collections::BTreeMap::new();
        for roll in (0..100_000).step_by(1000) {
            let page = serve(&mesh, roll);
            assert_eq!(page.status, 200);
            *counts.entry(format!("{:?}", served(&page))).or_insert(0) += 1;
        }
        assert_eq!(counts.get("Version(\"v1\")"), Some(&80));
        assert_eq!(counts.get("Version(\"v2\")"), Some(&20));
        let route = vs(&[("v3", 100)]);
        let mesh = Mesh {
            virtual_services: vec![&route],
            ..mesh
        };
        assert_eq!(served(&serve(&mesh, 5)), Served::Version("v3".into()));
    }

    #[test]
    fn a_subset_without_destination_rule_fails_like_istio() {
        let pods = [
            pod("productpage-v1-a", "productpage", "v1"),
            pod("reviews-v1-a", "reviews", "v1"),
        ];
        let route = vs(&[("v1", 100)]);
        let mesh = Mesh {
            virtual_services: vec![&route],
            destination_rules: vec![],
            pods: pods.iter().collect(),
        };
        let page = serve(&mesh, 1);
        assert!(matches!(served(&page), Served::Error(_)), "{page:?}");
    }

    #[test]
    fn without_productpage_the_proxy_answers_503() {
        let mesh = Mesh::default();
        let page = serve(&mesh, 1);
        assert_eq!(page.status, 503);
        assert!(page.body.contains("no endpoints available"));
    }

    #[test]
    fn without_a_virtual_service_every_reviews_version_serves() {
        let pods = [
            pod("productpage-v1-a", "productpage", "v1"),
            pod("reviews-v1-a", "reviews", "v1"),
            pod("reviews-v3-a", "reviews", "v3"),
        ];
        let mesh = Mesh {
            pods: pods.iter().collect(),
            ..Mesh::default()
        };
        assert_eq!(served(&serve(&mesh, 0)), Served::Version("v1".into()));
        assert_eq!(served(&serve(&mesh, 1)), Served::Version("v3".into()));
    }
}
