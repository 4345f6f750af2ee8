//! What the watchers send to the app: table changes and connection states, in one enum.

use kube::api::DynamicObject;

use super::connection::ConnectionState;
use super::rows::{PodRow, ServiceRow};

/// Istio networking kinds the lab watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeshKind {
    VirtualService,
    DestinationRule,
    Gateway,
}

impl MeshKind {
    pub const ALL: [MeshKind; 3] = [
        MeshKind::VirtualService,
        MeshKind::DestinationRule,
        MeshKind::Gateway,
    ];

    /// The `kind` as discovery reports it.
    pub fn kind_name(self) -> &'static str {
        match self {
            MeshKind::VirtualService => "VirtualService",
            MeshKind::DestinationRule => "DestinationRule",
            MeshKind::Gateway => "Gateway",
        }
    }

    /// The resource's plural name in URLs and RBAC messages.
    pub fn plural(self) -> &'static str {
        match self {
            MeshKind::VirtualService => "virtualservices",
            MeshKind::DestinationRule => "destinationrules",
            MeshKind::Gateway => "gateways",
        }
    }
}

/// One message from the cluster side.
// Each event is moved once through a channel; boxing the larger variants would only
// make every consumer's pattern matching noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ClusterEvent {
    Pods {
        namespace: String,
        change: Change<PodRow>,
    },
    Services {
        namespace: String,
        change: Change<ServiceRow>,
    },
    /// Istio resources in the lab namespace.
    Mesh {
        kind: MeshKind,
        change: Change<DynamicObject>,
    },
    Connection(ConnectionState),
}

/// A change to one table.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// A complete list: replace the whole table. Sent once a re-list has finished, so a
    /// re-list never shows an empty table in between.
    Reset(Vec<T>),
    /// Part of a watch's first list, shown while the rest is still arriving.
    Listing(ListBatch<T>),
    /// An object was added or modified (match rows by name).
    Applied(T),
    Deleted {
        name: String,
    },
}

impl<T> Change<T> {
    /// The same change with every row read through `read`.
    pub fn map<U>(self, read: impl Fn(&T) -> U) -> Change<U> {
        match self {
            Change::Reset(rows) => Change::Reset(rows.iter().map(read).collect()),
            Change::Listing(batch) => Change::Listing(ListBatch {
                rows: batch.rows.iter().map(read).collect(),
                first: batch.first,
                loaded: batch.loaded,
                total: batch.total,
                done: batch.done,
            }),
            Change::Applied(row) => Change::Applied(read(&row)),
            Change::Deleted { name } => Change::Deleted { name },
        }
    }
}

/// Rows of a first list, sent in batches (by count and time, not per object) so that a list
/// of 50,000 objects costs tens of redraws, not 50,000.
#[derive(Debug, Clone, PartialEq)]
pub struct ListBatch<T> {
    /// The list starts (or starts over) here: rows already in the table that it does not
    /// name by the time it is done are gone.
    pub first: bool,
    /// Rows to add or replace (match by name).
    pub rows: Vec<T>,
    /// Objects the list has brought so far, these included.
    pub loaded: usize,
    /// How many objects the list holds, when known. Counted by a separate request as the
    /// list started, so it is an estimate: objects may come and go in between.
    pub total: Option<usize>,
    /// The list is complete: the table now holds exactly what it named.
    pub done: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_kind_names() {
        let plurals: Vec<&str> = MeshKind::ALL.iter().map(|k| k.plural()).collect();
        assert_eq!(plurals, ["virtualservices", "destinationrules", "gateways"]);
        assert_eq!(MeshKind::DestinationRule.kind_name(), "DestinationRule");
    }
}
