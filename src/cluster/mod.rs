//! Talking to a Kubernetes cluster: client, watchers, row types, mesh resources, apply.

pub mod apply;
pub mod client;
pub mod connection;
pub mod discovery;
pub mod events;
pub mod mesh;
pub mod probe;
pub mod rows;
pub mod status;
pub mod watch;

#[cfg(test)]
mod watch_tests;

pub use client::{ClientError, client_from_config, client_from_kubeconfig, kubeconfig_exists};
pub use connection::ConnectionState;
pub use discovery::{IstioDiscovery, discover_istio};
pub use events::{Change, ClusterEvent, MeshKind};
pub use rows::{Health, PodRow, ServiceRow, format_age};
pub use watch::{WatchHandle, spawn_watchers};
