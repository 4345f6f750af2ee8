//! The watchers through trouble on the demo cluster: an API server restart (reached directly,
//! and behind a proxy whose watches end cleanly so they resume into a 410), and a refused list
//! that is allowed later.

mod common {
    pub mod watch;
    pub mod watch_proxy;
}

use std::collections::BTreeSet;

use common::watch::{ALL_KINDS, Tables, demo_cluster, names, row_names, running_pod};
use common::watch_proxy::proxied_client;
use istio_lab::features::cluster::{Change, ClusterEvent, ConnectionState};
use istio_lab::sim::{SimHandle, StreamingLists};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::Client;
use kube::api::Api;

/// Restarts the API server under running watchers, writes to the store, and waits until the
/// tables show the writes through a complete re-list. Returns the connection states published
/// meanwhile.
async fn restart_and_converge(sim: &mut SimHandle, client: Client) -> Vec<ConnectionState> {
    let store = sim.store();
    for name in ["alpha", "beta"] {
        store.put(running_pod("default", name, 0)).unwrap();
    }
    let mut tables = Tables::start(client.clone(), "default");
    tables
        .wait_until("both pods listed", |view| {
            view.connection == ALL_KINDS && view.pods.get("default").is_some_and(|p| p.len() == 2)
        })
        .await;

    sim.restart().await.unwrap();
    // Written while the watches are down or resuming from a now expired resourceVersion.
    store.put(running_pod("default", "gamma", 0)).unwrap();
    store.put(running_pod("default", "beta", 3)).unwrap();

    let mut relisted = false;
    let mut states = Vec::new();
    tables
        .wait_event("a re-list showing the new writes", |view, event| {
            match event {
                ClusterEvent::Pods {
                    namespace,
                    change: Change::Reset(rows),
                } if namespace == "default" => {
                    let unique: BTreeSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
                    assert_eq!(unique.len(), rows.len(), "duplicate rows in {rows:?}");
                    relisted = true;
                }
                ClusterEvent::Connection(state) => states.push(state.clone()),
                _ => {}
            }
            let pods = view.pods.get("default");
            relisted
                && view.connection == ALL_KINDS
                && pods.and_then(|p| p.get("gamma")).is_some()
                && pods
                    .and_then(|p| p.get("beta"))
                    .is_some_and(|p| p.restarts == 3)
        })
        .await;
    for namespace in ["default", "istio-system"] {
        let pods = names(Api::<Pod>::namespaced(client.clone(), namespace)).await;
        assert_eq!(row_names(&tables.view.pods, namespace), pods);
        let services = names(Api::<Service>::namespaced(client.clone(), namespace)).await;
        assert_eq!(row_names(&tables.view.services, namespace), services);
    }
    assert_eq!(tables.view.pods["default"].len(), 3);
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_converge_after_the_api_server_restarts() {
    let (mut sim, client) = demo_cluster().await;
    // Reached directly, the watchers may find the port closed for a moment and retry; the
    // status bar then shows the retry, never "connecting" again, and ends connected.
    let states = restart_and_converge(&mut sim, client).await;
    assert!(
        states
            .iter()
            .all(|s| *s == ALL_KINDS || matches!(s, ConnectionState::Reconnecting { .. })),
        "{states:?}"
    );
    assert!(states.last().is_none_or(|s| *s == ALL_KINDS), "{states:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_resource_version_after_a_restart_is_a_silent_relist() {
    let (mut sim, _) = demo_cluster().await;
    // Behind a stable endpoint whose watches end cleanly, as a gracefully restarting API server
    // behind a load balancer: the watches resume from their last resourceVersion and get 410.
    let client = proxied_client(&sim, false).await;
    let states = restart_and_converge(&mut sim, client).await;
    assert_eq!(states, [], "a 410 must re-list without reporting a retry");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_list_is_reported_and_retried_until_allowed() {
    let (sim, client) = demo_cluster().await;
    // Lists are asked for where streaming lists are refused; a streaming list is a watch
    // (its refusal: tests/cluster_streaming.rs).
    sim.set_streaming_lists(StreamingLists::GateDisabled);
    let store = sim.store();
    store.put(running_pod("default", "alpha", 0)).unwrap();
    store.set_forbidden("list", "pods", "default");
    let mut tables = Tables::start(client, "default");
    let refused = ConnectionState::Forbidden {
        verb: "list".into(),
        resource: "pods".into(),
        namespace: "default".into(),
    };
    tables
        .wait_until("the refusal", |view| view.connection == refused)
        .await;
    assert!(row_names(&tables.view.pods, "default").is_empty());

    store.clear_forbidden();
    tables
        .wait_until("recovery with the pod listed", |view| {
            view.connection == ALL_KINDS && !row_names(&view.pods, "default").is_empty()
        })
        .await;
    assert_eq!(
        row_names(&tables.view.pods, "default"),
        BTreeSet::from(["alpha".to_string()])
    );
}
