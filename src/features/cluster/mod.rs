//! The cluster feature: client, watchers, row types with `kubectl get` semantics, mesh resources,
//! writes; and the live tables' state, keys, view and the watch effects.

pub mod apply;
pub mod client;
pub mod connection;
pub mod credentials;
pub mod discovery;
pub mod effects;
pub mod events;
pub mod explain;
pub mod mesh;
pub mod model;
pub mod msg;
pub mod pod_groups;
pub mod rows;
pub mod status;
pub mod update;
pub mod view;
pub mod view_status;
pub mod watch;

#[cfg(test)]
mod watch_tests;

pub use client::{
    ClientError, KubeconfigLookup, check_namespace, client_from_config, client_with_credentials,
    config_from_kubeconfig, find_kubeconfig, kubeconfig_exists, server_of,
};
pub use connection::ConnectionState;
pub use discovery::{IstioDiscovery, discover_istio};
pub use events::{Change, ClusterEvent, MeshKind};
pub use rows::{Health, PodRow, ServiceRow, format_age};
pub use watch::{WatchHandle, spawn_watchers};
