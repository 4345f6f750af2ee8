//! Lesson steps that tick themselves: each step's `check` evaluated against the watch caches.

use std::collections::BTreeMap;

use crate::features::cluster::MeshKind;
use crate::features::cluster::mesh::{MeshObject, ServiceRef};
use crate::features::cluster::model::ClusterView;
use crate::features::lesson::Lesson;
use crate::features::lesson::check::Check;
use crate::features::traffic::weighted_route;

/// Per step: `Some(true)` when its check holds, `Some(false)` when not yet, `None` without a check.
pub fn states(lesson: &Lesson, cluster: &ClusterView, lab_namespace: &str) -> Vec<Option<bool>> {
    lesson
        .steps
        .iter()
        .map(|step| {
            step.check
                .as_ref()
                .map(|check| holds(check, cluster, lab_namespace))
        })
        .collect()
}

pub fn holds(check: &Check, cluster: &ClusterView, lab_namespace: &str) -> bool {
    let ns = |namespace: &Option<String>| {
        namespace
            .clone()
            .unwrap_or_else(|| lab_namespace.to_string())
    };
    match check {
        Check::PodsReady {
            namespace,
            selector,
            min,
        } => {
            let selector = Check::selector_pairs(selector.as_deref());
            let pods: Vec<_> = cluster
                .pods
                .get(&ns(namespace))
                .into_iter()
                .flat_map(BTreeMap::values)
                .filter(|pod| {
                    selector
                        .iter()
                        .all(|(k, v)| pod.labels.get(*k).map(String::as_str) == Some(*v))
                })
                .filter(|pod| !pod.deleting)
                .collect();
            pods.len() >= min.unwrap_or(1) && pods.iter().all(|pod| pod.is_ready())
        }
        Check::Service { namespace, name } => cluster
            .services
            .get(&ns(namespace))
            .is_some_and(|s| s.contains_key(name)),
        Check::ExternalIp { namespace, name } => cluster
            .services
            .get(&ns(namespace))
            .and_then(|s| s.get(name))
            .is_some_and(|service| {
                !matches!(service.external_ip.as_str(), "<pending>" | "<none>" | "")
            }),
        Check::Mesh { kind, name } => mesh_kind(kind)
            .and_then(|kind| cluster.mesh.get(&kind))
            .is_some_and(|objects| objects.contains_key(name)),
        Check::Weights { name, weights } => cluster
            .mesh
            .get(&MeshKind::VirtualService)
            .and_then(|o| o.get(name))
            .is_some_and(|vs| route_weights(vs) == *weights),
    }
}

fn mesh_kind(kind: &str) -> Option<MeshKind> {
    MeshKind::ALL
        .into_iter()
        .find(|k| k.kind_name().eq_ignore_ascii_case(kind))
}

/// Subset → weight of the route the traffic lab drives (the default route, not a `match` one)
/// to the VirtualService's first host, leaving out zero weights (absent and 0 read the same).
/// Widened to the lesson file's numbers, which may be written out of range and then never hold.
fn route_weights(vs: &MeshObject) -> BTreeMap<String, u32> {
    let host = vs
        .virtual_service()
        .and_then(|view| view.hosts.first())
        .map_or("", String::as_str);
    weighted_route(vs, &ServiceRef::resolve(host, &vs.namespace))
        .map(|route| {
            route
                .weights
                .into_iter()
                .filter(|(_, w)| *w > 0)
                .map(|(subset, w)| (subset, u32::from(w)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::cluster::{Change, ClusterEvent, Health, PodRow};

    fn pod(name: &str, app: &str, status: &str, ready: (u32, u32)) -> PodRow {
        PodRow {
            namespace: "default".into(),
            name: name.into(),
            ready,
            status: status.into(),
            restarts: 0,
            last_restart: None,
            created: None,
            health: Health::Good,
            labels: [("app".to_string(), app.to_string())].into(),
            deleting: false,
        }
    }

    fn view(pods: Vec<PodRow>) -> ClusterView {
        let mut view = ClusterView::new(jiff::Timestamp::UNIX_EPOCH);
        view.apply(ClusterEvent::Pods {
            namespace: "default".into(),
            change: Change::Reset(pods),
        });
        view
    }

    #[test]
    fn pods_ready_needs_every_matching_pod_running_and_ready() {
        let check = Check::PodsReady {
            namespace: None,
            selector: Some("app=reviews".into()),
            min: Some(2),
        };
        let ready = view(vec![
            pod("reviews-v1", "reviews", "Running", (2, 2)),
            pod("reviews-v2", "reviews", "Running", (2, 2)),
        ]);
        assert!(holds(&check, &ready, "default"));
        let starting = view(vec![
            pod("reviews-v1", "reviews", "Running", (2, 2)),
            pod("reviews-v2", "reviews", "Running", (1, 2)),
        ]);
        assert!(!holds(&check, &starting, "default"));
        let too_few = view(vec![pod("reviews-v1", "reviews", "Running", (2, 2))]);
        assert!(!holds(&check, &too_few, "default"));
        assert!(
            !holds(&check, &ready, "other"),
            "another namespace has none"
        );
    }

    #[test]
    fn weights_compare_the_first_route_ignoring_zero_entries() {
        let mut view = view(vec![]);
        let vs: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "reviews", "namespace": "default"},
            "spec": {"hosts": ["reviews"], "http": [{"route": [
                {"destination": {"host": "reviews", "subset": "v1"}, "weight": 0},
                {"destination": {"host": "reviews", "subset": "v2"}, "weight": 100}]}]}
        }))
        .unwrap();
        view.apply(ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(vs),
        });
        let wanted = |pairs: &[(&str, u32)]| Check::Weights {
            name: "reviews".into(),
            weights: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        };
        assert!(holds(&wanted(&[("v2", 100)]), &view, "default"));
        assert!(!holds(&wanted(&[("v1", 80), ("v2", 20)]), &view, "default"));
        assert!(holds(
            &Check::Mesh {
                kind: "virtualservice".into(),
                name: "reviews".into()
            },
            &view,
            "default"
        ));
        assert!(!holds(
            &Check::Mesh {
                kind: "Gateway".into(),
                name: "reviews".into()
            },
            &view,
            "default"
        ));
    }
}
