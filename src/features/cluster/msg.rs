//! What the cluster feature hears from its watchers, and the effects it asks for.

use super::events::ClusterEvent;

// One watch event per message on the hottest path: see `app::Msg`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ClusterMsg {
    /// A watcher event; `generation` tells events of replaced watchers apart.
    Event {
        generation: u64,
        event: ClusterEvent,
    },
    /// What the kubeconfig's credential plugin is doing or said.
    Auth(super::credentials::AuthNotice),
    /// The lab namespace the watchers of `generation` follow does not exist in the cluster.
    NamespaceMissing { generation: u64, namespace: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterEffect {
    /// (Re)start the watchers for a lab namespace, replacing the previous ones.
    Watch { namespace: String, generation: u64 },
}
