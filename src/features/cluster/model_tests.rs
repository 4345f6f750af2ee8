//! Tests of the cluster tables' state: rows, resets, mesh objects and pod groups.
use super::*;
use crate::features::cluster::Health;
use kube::api::DynamicObject;

fn pod(name: &str, status: &str) -> PodRow {
    PodRow {
        namespace: "default".into(),
        name: name.into(),
        ready: (2, 2),
        status: status.into(),
        restarts: 0,
        last_restart: None,
        created: None,
        health: Health::Good,
        labels: BTreeMap::new(),
        deleting: false,
    }
}

fn pods(ns: &str, change: Change<PodRow>) -> ClusterEvent {
    ClusterEvent::Pods {
        namespace: ns.into(),
        change,
    }
}

#[test]
fn reset_replaces_applied_upserts_deleted_removes() {
    let mut view = ClusterView::new(Timestamp::UNIX_EPOCH);
    view.apply(pods(
        "default",
        Change::Reset(vec![pod("b", "Running"), pod("a", "Running")]),
    ));
    let names: Vec<_> = view.pods["default"].keys().cloned().collect();
    assert_eq!(names, ["a", "b"]);
    view.apply(pods("default", Change::Applied(pod("a", "Terminating"))));
    view.apply(pods("default", Change::Applied(pod("c", "Pending"))));
    view.apply(pods("default", Change::Deleted { name: "b".into() }));
    let rows: Vec<_> = view.pods["default"]
        .values()
        .map(|p| (p.name.as_str(), p.status.as_str()))
        .collect();
    assert_eq!(rows, [("a", "Terminating"), ("c", "Pending")]);
    // A re-list after a 410 replaces the table in one step.
    view.apply(pods("default", Change::Reset(vec![pod("c", "Running")])));
    assert_eq!(view.pod_count(), 1);
}

#[test]
fn switching_namespace_keeps_istio_system_rows() {
    let mut view = ClusterView::new(Timestamp::UNIX_EPOCH);
    view.apply(pods("default", Change::Applied(pod("a", "Running"))));
    view.apply(pods(
        ISTIO_SYSTEM,
        Change::Applied(pod("istiod", "Running")),
    ));
    view.switch_namespace(7);
    assert_eq!(view.generation, 7);
    assert!(!view.pods.contains_key("default"));
    assert_eq!(view.pods[ISTIO_SYSTEM].len(), 1);
    assert_eq!(view.connection, ConnectionState::Connecting);
}

#[test]
fn istio_objects_are_stored_as_read_when_their_event_arrives() {
    let rule = |name: &str, host: &str| -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": "default", "resourceVersion": "7"},
            "spec": {"host": host, "subsets": [{"name": "v1", "labels": {"version": "v1"}}]}
        }))
        .unwrap()
    };
    let mesh = |change| ClusterEvent::Mesh {
        kind: MeshKind::DestinationRule,
        change,
    };
    let mut view = ClusterView::new(Timestamp::UNIX_EPOCH);
    view.apply(mesh(Change::Reset(vec![
        rule("a", "reviews"),
        rule("b", "ratings"),
    ])));
    view.apply(mesh(Change::Applied(rule("c", "reviews.other"))));
    view.apply(mesh(Change::Deleted { name: "b".into() }));
    let rules = &view.mesh[&MeshKind::DestinationRule];
    let hosts: Vec<(&str, &str)> = rules
        .values()
        .filter_map(|o| {
            Some((
                o.name.as_str(),
                o.destination_rule()?.service.namespace.as_str(),
            ))
        })
        .collect();
    assert_eq!(hosts, [("a", "default"), ("c", "other")]);
    assert_eq!(rules["a"].resource_version.as_deref(), Some("7"));
    assert_eq!(rules["a"].raw["spec"]["host"], "reviews");

    let before = view.mesh.clone();
    view.apply(pods("default", Change::Applied(pod("x", "Running"))));
    assert_eq!(
        view.mesh, before,
        "pod events leave the Istio objects alone"
    );
}

#[test]
fn an_unchanged_connection_state_is_not_a_change() {
    let mut view = ClusterView::new(Timestamp::UNIX_EPOCH);
    assert_eq!(
        view.apply(ClusterEvent::Connection(ConnectionState::Connected {
            kinds: 7
        })),
        Applied::Changed
    );
    assert_eq!(
        view.apply(ClusterEvent::Connection(ConnectionState::Connected {
            kinds: 7
        })),
        Applied::Unchanged
    );
}

proptest::proptest! {
    /// Whatever the watchers send, the label-set counts equal counting the table afresh,
    /// and a change is reported exactly when the shape the traffic lab reads changed.
    #[test]
    fn pod_groups_stay_in_step_with_the_table(
        ops in proptest::collection::vec((0u8..3, 0u8..5, 0u8..3, proptest::bool::ANY), 1..60)
    ) {
        let mut view = ClusterView::new(Timestamp::UNIX_EPOCH);
        for (op, name, version, ready) in ops {
            let mut row = pod(&format!("reviews-{name}"), "Running");
            row.labels.insert("app".into(), "reviews".into());
            row.labels.insert("version".into(), format!("v{version}"));
            if !ready {
                row.ready = (1, 2);
            }
            let change = match op {
                0 => Change::Applied(row),
                1 => Change::Deleted { name: row.name },
                _ => Change::Reset(vec![row]),
            };
            let shape_before: Vec<_> = view
                .pod_groups("default")
                .shape()
                .map(|(labels, ready)| (labels.clone(), ready))
                .collect();
            let applied = view.apply(pods("default", change));
            let recounted = PodGroups::from_rows(view.pods["default"].values());
            proptest::prop_assert_eq!(view.pod_groups("default"), &recounted);
            let reshaped = !recounted.shape().eq(shape_before.iter().map(|(l, r)| (l, *r)));
            proptest::prop_assert_eq!(applied == Applied::PodsReshaped, reshaped);
        }
    }
}
