//! The watchers end to end against the embedded demo cluster, every event applied to the
//! app's `ClusterView` as the running app does: the tables read as `kubectl get` would, through
//! Istio's installation, sidecar injection, pod start-up and deletion.

mod common {
    pub mod watch;
}

use std::net::Ipv4Addr;

use common::watch::{
    ALL_KINDS, BOOKINFO, PodHistory, Tables, all_bookinfo_pods_read, apply_manifest, demo_cluster,
    pods_by_app,
};
use istio_lab::features::cluster::model::ClusterView;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn demo_cluster_shows_istio_running_and_the_ingress_gateway_like_kubectl() {
    let (sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    tables
        .wait_until("istio-system pods Running 1/1", |view| {
            let pods = pods_by_app(view, "istio-system");
            ["istiod", "istio-ingressgateway", "istio-egressgateway"]
                .iter()
                .all(|app| pods.get(*app) == Some(&("1/1".into(), "Running".into())))
        })
        .await;

    let stored = Api::<Service>::namespaced(client, "istio-system")
        .get("istio-ingressgateway")
        .await
        .unwrap();
    let stored = serde_json::to_value(&stored).unwrap();
    let address = stored["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .unwrap()
        .to_string();
    let ports: Vec<String> = stored["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let node_port = p["nodePort"].as_u64().unwrap();
            assert!((30000..=32767).contains(&node_port), "{p}");
            format!("{}:{node_port}/TCP", p["port"])
        })
        .collect();
    // The http2 port is where the gateway really listens: 80 unless another process (a test
    // running beside this one) holds it.
    let http2 = format!("{}:", sim.gateway_addr().port());
    assert!(ports.iter().any(|p| p.starts_with(&http2)), "{ports:?}");
    assert!(ports.iter().any(|p| p.starts_with("443:")), "{ports:?}");
    tables
        .wait_until("the ingress gateway row", |view| {
            view.services
                .get("istio-system")
                .and_then(|s| s.get("istio-ingressgateway"))
                .is_some()
        })
        .await;
    let row = &tables.view.services["istio-system"]["istio-ingressgateway"];
    assert_eq!(row.type_, "LoadBalancer");
    assert_eq!(row.external_ip, address);
    assert_eq!(row.ports, ports.join(","));
    assert!(
        row.cluster_ip.parse::<Ipv4Addr>().is_ok(),
        "{}",
        row.cluster_ip
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_bookinfo_pods_progress_to_two_of_two() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    let label = json!({"metadata": {"labels": {"istio-injection": "enabled"}}});
    Api::<Namespace>::all(client.clone())
        .patch("default", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();
    apply_manifest(&client, BOOKINFO, "default").await;

    let mut history = PodHistory::default();
    tables
        .wait_until("six bookinfo pods 2/2 Running", |view| {
            history.record(view, "default");
            all_bookinfo_pods_read(view, "default", "2/2")
        })
        .await;
    // A native sidecar: istio-init runs, then istio-proxy starts before the application.
    history.assert_follows(&[
        ("0/2", "Pending"),
        ("0/2", "Init:0/2"),
        ("0/2", "PodInitializing"),
        ("1/2", "Running"),
        ("2/2", "Running"),
    ]);
    assert_eq!(history.0.len(), 6, "{:?}", history.0.keys());
    assert!(
        history.distinct_states().len() >= 4,
        "hardly any progress seen: {:?}",
        history.0
    );

    tables
        .wait_until("bookinfo services", |view| {
            ["details", "ratings", "reviews", "productpage"]
                .iter()
                .all(|name| {
                    view.services
                        .get("default")
                        .is_some_and(|s| s.contains_key(*name))
                })
        })
        .await;
    for name in ["details", "ratings", "reviews", "productpage"] {
        let row = &tables.view.services["default"][name];
        assert_eq!(
            (
                row.type_.as_str(),
                row.external_ip.as_str(),
                row.ports.as_str()
            ),
            ("ClusterIP", "<none>", "9080/TCP")
        );
        assert!(
            row.cluster_ip.parse::<Ipv4Addr>().is_ok(),
            "{name}: {}",
            row.cluster_ip
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_without_the_injection_label_read_one_of_one() {
    let (_sim, client) = demo_cluster().await;
    let plain = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some("plain".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &plain)
        .await
        .unwrap();
    let mut tables = Tables::start(client.clone(), "plain");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    apply_manifest(&client, BOOKINFO, "plain").await;

    let mut history = PodHistory::default();
    tables
        .wait_until("six bookinfo pods 1/1 Running", |view| {
            history.record(view, "plain");
            all_bookinfo_pods_read(view, "plain", "1/1")
        })
        .await;
    history.assert_follows(&[
        ("0/1", "Pending"),
        ("0/1", "ContainerCreating"),
        ("1/1", "Running"),
    ]);
    assert_eq!(history.0.len(), 6, "{:?}", history.0.keys());
    assert!(!tables.view.pods.contains_key("default"));
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_pods_show_terminating_then_disappear() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    apply_manifest(&client, BOOKINFO, "default").await;
    tables
        .wait_until("bookinfo running", |view| {
            all_bookinfo_pods_read(view, "default", "1/1")
        })
        .await;
    let pod_of = |view: &ClusterView, app: &str| {
        view.pods["default"]
            .values()
            .find(|p| p.labels.get("app").map(String::as_str) == Some(app))
            .map(|p| p.name.clone())
            .unwrap()
    };

    // A Deployment's deletion cascades to its pods, which terminate gracefully.
    let ratings = pod_of(&tables.view, "ratings");
    Api::<Deployment>::namespaced(client.clone(), "default")
        .delete("ratings-v1", &DeleteParams::default())
        .await
        .unwrap();
    let mut seen = Vec::new();
    tables
        .wait_until("the ratings pod gone", |view| {
            let row = view.pods["default"].get(&ratings);
            seen.push(row.map(|p| p.status.clone()));
            seen.dedup();
            row.is_none()
        })
        .await;
    let terminating = Some("Terminating".to_string());
    assert_eq!(seen.iter().rev().nth(1), Some(&terminating), "{seen:?}");

    // A pod deleted with a grace period: Terminating, gone, and its ReplicaSet replaces it.
    let details = pod_of(&tables.view, "details");
    Api::<Pod>::namespaced(client.clone(), "default")
        .delete(&details, &DeleteParams::default().grace_period(1))
        .await
        .unwrap();
    let mut seen = Vec::new();
    tables
        .wait_until("the details pod replaced", |view| {
            let row = view.pods["default"].get(&details);
            seen.push(row.map(|p| p.status.clone()));
            seen.dedup();
            row.is_none() && pods_by_app(view, "default").contains_key("details-v1")
        })
        .await;
    assert!(seen.contains(&terminating), "{seen:?}");
    assert_eq!(seen.last(), Some(&None));
    let apps = pods_by_app(&tables.view, "default");
    assert!(!apps.contains_key("ratings-v1"), "{apps:?}");
    assert_eq!(apps.len(), 5, "{apps:?}");
}
