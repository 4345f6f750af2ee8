//! The kube-rs watchers: pods and services in the lab namespace and `istio-system`, Istio
//! kinds in the lab namespace, each one stream for its whole life (`run`), listing through
//! streaming lists where the server serves them (`strategy`), paced with backoff after
//! errors and reported through one channel.

mod assembler;
mod health;
mod mesh;
mod run;
mod strategy;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::runtime::reflector::{self, Store, store::Writer};
use kube::{Client, Resource};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use super::events::{Change, ClusterEvent};
use super::rows::{PodRow, ServiceRow};
use super::status::{StatusBoard, StatusUpdate, WatchKey};
pub use assembler::{BATCH_INTERVAL, BATCH_ROWS};
use kube::api::Api;
pub use strategy::{ListModes, ListStrategy};

/// Where Istio's own pods and the ingress gateway service live.
pub const ISTIO_SYSTEM_NAMESPACE: &str = "istio-system";

/// The running watchers. Dropping it (or calling [`WatchHandle::stop`]) aborts all of them;
/// to switch namespace, drop it and call [`spawn_watchers`] again.
#[derive(Debug)]
pub struct WatchHandle {
    namespace: String,
    tasks: JoinSet<()>,
    /// Reflector caches of the watched Services, per namespace: reads need no request.
    services: BTreeMap<String, Store<Service>>,
    modes: ListModes,
}

impl WatchHandle {
    /// The lab namespace these watchers follow.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The watch cache of Services in `namespace` (the lab namespace or `istio-system`).
    pub fn services(&self, namespace: &str) -> Option<&Store<Service>> {
        self.services.get(namespace)
    }

    /// Which resources are listed in pages because the server refused streaming lists:
    /// hand it to the next [`spawn_watchers_with`] so the session asks only once.
    pub fn list_modes(&self) -> ListModes {
        self.modes.clone()
    }

    /// Stops every watcher now.
    pub fn stop(mut self) {
        self.tasks.abort_all();
    }
}

/// The namespaces whose pods and services are watched, without duplicates.
pub fn watched_namespaces(lab_namespace: &str) -> Vec<String> {
    let mut namespaces = vec![lab_namespace.to_string()];
    if lab_namespace != ISTIO_SYSTEM_NAMESPACE {
        namespaces.push(ISTIO_SYSTEM_NAMESPACE.to_string());
    }
    namespaces
}

/// Starts every watcher. Must be called inside a Tokio runtime.
///
/// Events arrive on `tx`: table changes already converted to rows, and a
/// [`ClusterEvent::Connection`] whenever the combined connection state changes.
/// The tasks never stop on their own while `tx` has a receiver; errors are retried
/// with backoff, never returned.
pub fn spawn_watchers(
    client: Client,
    lab_namespace: &str,
    tx: UnboundedSender<ClusterEvent>,
) -> WatchHandle {
    spawn_watchers_with(client, lab_namespace, tx, ListModes::default())
}

/// [`spawn_watchers`] remembering the list strategies decided by earlier watchers of the
/// same cluster ([`WatchHandle::list_modes`]).
pub fn spawn_watchers_with(
    client: Client,
    lab_namespace: &str,
    tx: UnboundedSender<ClusterEvent>,
    modes: ListModes,
) -> WatchHandle {
    let (status_tx, status_rx) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();
    let mut service_stores = BTreeMap::new();
    tasks.spawn(publish_status(status_rx, tx.clone()));
    for namespace in watched_namespaces(lab_namespace) {
        let pods = Target {
            api: Api::<Pod>::namespaced(client.clone(), &namespace),
            // Pods are the bulk of a cluster; their rows are all the app needs, so no cache.
            cache: None,
            key: WatchKey::new("pods", &namespace),
            show_first_list: true,
            convert: |pod: &Pod| PodRow::from(pod),
            wrap: {
                let namespace = namespace.clone();
                Box::new(move |change| ClusterEvent::Pods {
                    namespace: namespace.clone(),
                    change,
                })
            },
        };
        tasks.spawn(run::run_watch(
            pods,
            modes.clone(),
            tx.clone(),
            status_tx.clone(),
        ));
        let (service_store, service_cache) = reflector::store();
        service_stores.insert(namespace.clone(), service_store);
        let services = Target {
            api: Api::<Service>::namespaced(client.clone(), &namespace),
            cache: Some(service_cache),
            key: WatchKey::new("services", &namespace),
            show_first_list: true,
            convert: |service: &Service| ServiceRow::from(service),
            wrap: {
                let namespace = namespace.clone();
                Box::new(move |change| ClusterEvent::Services {
                    namespace: namespace.clone(),
                    change,
                })
            },
        };
        tasks.spawn(run::run_watch(
            services,
            modes.clone(),
            tx.clone(),
            status_tx.clone(),
        ));
    }
    let namespace = lab_namespace.to_string();
    let mesh = mesh::watch_mesh(client, namespace, modes.clone(), tx, status_tx);
    tasks.spawn(mesh);
    WatchHandle {
        namespace: lab_namespace.to_string(),
        tasks,
        services: service_stores,
        modes,
    }
}

/// One watched resource: how to reach it and how its changes become events.
struct Target<K, T>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    api: Api<K>,
    /// The reflector's writer, where something reads the objects: every watch event is
    /// applied to its store, so the store always holds the objects the tables show.
    cache: Option<Writer<K>>,
    key: WatchKey,
    /// Whether the first list is shown while it arrives (`assembler`).
    show_first_list: bool,
    convert: fn(&K) -> T,
    wrap: Box<dyn Fn(Change<T>) -> ClusterEvent + Send + Sync>,
}

/// Turns status reports into [`ClusterEvent::Connection`] whenever the combined state changes.
async fn publish_status(
    mut updates: UnboundedReceiver<StatusUpdate>,
    tx: UnboundedSender<ClusterEvent>,
) {
    let mut board = StatusBoard::default();
    let mut last = board.overall();
    if tx.send(ClusterEvent::Connection(last.clone())).is_err() {
        return;
    }
    while let Some(update) = updates.recv().await {
        board.apply(update);
        // Fold a burst of reports into one published state.
        while let Ok(more) = updates.try_recv() {
            board.apply(more);
        }
        let state = board.overall();
        if state != last {
            if tx.send(ClusterEvent::Connection(state.clone())).is_err() {
                return;
            }
            last = state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istio_system_is_watched_once() {
        assert_eq!(watched_namespaces("default"), ["default", "istio-system"]);
        assert_eq!(watched_namespaces("istio-system"), ["istio-system"]);
    }
}
