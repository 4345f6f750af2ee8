//! The watchers and Istio's kinds on the demo cluster: without the CRDs the core tables still
//! follow the cluster, and VirtualService changes arrive as applied objects.

mod common {
    pub mod watch;
    pub mod watch_proxy;
}

use std::collections::BTreeMap;

use common::watch::{ALL_KINDS, Tables, apply_manifest, cluster, demo_cluster, running_pod};
use common::watch_proxy::proxied_client;
use istio_lab::features::cluster::mesh::{HttpRouteView, VirtualServiceView};
use istio_lab::features::cluster::{Change, ClusterEvent, ConnectionState, MeshKind};
use istio_lab::sim::Scenario;
use kube::ResourceExt;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use serde_json::json;

const REVIEWS_80_20: &str = include_str!("../assets/bookinfo/virtual-service-reviews-80-20.yaml");

#[tokio::test(flavor = "multi_thread")]
async fn without_istio_crds_pods_are_still_watched() {
    let (sim, _) = cluster(Scenario::empty()).await;
    let client = proxied_client(&sim, true).await;
    let mut tables = Tables::start(client, "default");
    tables
        .wait_until("Istio reported missing", |view| {
            view.connection == ConnectionState::IstioNotInstalled
        })
        .await;
    sim.store().put(running_pod("default", "alpha", 0)).unwrap();
    tables
        .wait_until("the pod row", |view| {
            view.pods
                .get("default")
                .is_some_and(|p| p.contains_key("alpha"))
        })
        .await;
    assert_eq!(tables.view.connection, ConnectionState::IstioNotInstalled);
    assert!(tables.view.mesh.values().all(BTreeMap::is_empty));
}

#[tokio::test(flavor = "multi_thread")]
async fn virtual_service_changes_arrive_as_applied_objects() {
    let (_sim, client) = demo_cluster().await;
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    let weights_in = |event: &ClusterEvent| match event {
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(object),
        } if object.name_any() == "reviews" => VirtualServiceView::from_object(object)
            .route_to("reviews")
            .map(HttpRouteView::effective_weights),
        _ => None,
    };

    apply_manifest(&client, REVIEWS_80_20, "default").await;
    tables
        .wait_event("the 80/20 split", |_, event| {
            weights_in(event) == Some(vec![80, 20])
        })
        .await;

    let even_split = json!({"spec": {"http": [{"route": [
        {"destination": {"host": "reviews", "subset": "v1"}, "weight": 50},
        {"destination": {"host": "reviews", "subset": "v2"}, "weight": 50}]}]}});
    let resource = tables.view.mesh[&MeshKind::VirtualService]["reviews"]
        .types
        .clone()
        .unwrap();
    let gvk = GroupVersionKind::try_from(&resource).unwrap();
    let (resource, _) = kube::discovery::pinned_kind(&client, &gvk).await.unwrap();
    Api::<DynamicObject>::namespaced_with(client, "default", &resource)
        .patch(
            "reviews",
            &PatchParams::default(),
            &Patch::Merge(even_split),
        )
        .await
        .unwrap();
    tables
        .wait_event("the 50/50 split", |_, event| {
            weights_in(event) == Some(vec![50, 50])
        })
        .await;
    assert_eq!(tables.view.mesh[&MeshKind::VirtualService].len(), 1);
}
