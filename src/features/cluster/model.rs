//! The live cluster tables' state: rows from the watchers, first lists still loading,
//! connection, filter, scroll.

mod loading;

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::features::cluster::mesh::MeshObject;
use crate::features::cluster::pod_groups::PodGroups;
use crate::features::cluster::{
    Change, ClusterEvent, ConnectionState, MeshKind, PodRow, ServiceRow,
};
use loading::apply_batch;
pub use loading::{Loading, LoadingTable};

pub const ISTIO_SYSTEM: &str = "istio-system";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Pods,
    Services,
}

/// Rows of one kind, per namespace, sorted by name (BTreeMap order) as `kubectl get` sorts them.
pub type Rows<T> = BTreeMap<String, BTreeMap<String, T>>;

/// What one watcher event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Unchanged,
    Changed,
    /// A pods change that also changed which label sets exist in its namespace or which of
    /// them has a ready pod: what the traffic lab's checks read.
    PodsReshaped,
}

#[derive(Debug, Clone)]
pub struct ClusterView {
    pub pods: Rows<PodRow>,
    /// `pods` per namespace counted by label set; only `apply` and `switch_namespace` write
    /// either, so the two never disagree.
    pod_groups: BTreeMap<String, PodGroups>,
    pub services: Rows<ServiceRow>,
    /// Istio objects per kind and name, each read once as its watch event arrives. A kind is
    /// here only once its first list is complete: before that, nothing may be said missing.
    pub mesh: BTreeMap<MeshKind, BTreeMap<String, MeshObject>>,
    /// The tables whose first list is still arriving, and how far it has come.
    pub loading: BTreeMap<LoadingTable, Loading>,
    pub connection: ConnectionState,
    /// When the connection state last changed, for the "next try in Xs" countdown.
    pub connection_since: Timestamp,
    /// Which watcher generation is current; events of older ones are dropped.
    pub generation: u64,
    pub table: Table,
    pub pod_scroll: usize,
    pub service_scroll: usize,
    pub filter: String,
    pub now: Timestamp,
    /// Why there is no cluster client at all (a broken kubeconfig, a demo cluster that could
    /// not start): shown for as long as it holds, not as a passing message.
    pub unavailable: Option<String>,
    /// The credential plugin's latest notice, shown with the connection.
    pub auth: Option<super::credentials::AuthNotice>,
}

impl ClusterView {
    pub fn new(now: Timestamp) -> ClusterView {
        ClusterView {
            pods: Rows::new(),
            pod_groups: BTreeMap::new(),
            services: Rows::new(),
            mesh: BTreeMap::new(),
            loading: BTreeMap::new(),
            connection: ConnectionState::Connecting,
            connection_since: now,
            generation: 0,
            table: Table::Pods,
            pod_scroll: 0,
            service_scroll: 0,
            filter: String::new(),
            now,
            unavailable: None,
            auth: None,
        }
    }

    /// Applies one watcher event and says what it changed.
    pub fn apply(&mut self, event: ClusterEvent) -> Applied {
        match event {
            ClusterEvent::Pods { namespace, change } => {
                let groups = self.pod_groups.entry(namespace.clone()).or_default();
                let loading = (&mut self.loading, LoadingTable::Pods(namespace.clone()));
                let table = self.pods.entry(namespace).or_default();
                if apply_pod_change(table, groups, loading, change) {
                    Applied::PodsReshaped
                } else {
                    Applied::Changed
                }
            }
            ClusterEvent::Services { namespace, change } => {
                let loading = (&mut self.loading, LoadingTable::Services(namespace.clone()));
                let table = self.services.entry(namespace).or_default();
                apply_change(table, loading, change, |r| &r.name);
                Applied::Changed
            }
            ClusterEvent::Mesh { kind, change } => {
                // The one conversion of an Istio object: every later read (sliders, checks,
                // patches, editor, lesson steps) uses this reading, and pod events never
                // touch it.
                let read = |object: &_| MeshObject::read(kind, object);
                let change = change.map(read);
                // Istio kinds arrive as one reset after their first list, never in batches, so
                // a kind's entry exists exactly once it has been listed.
                let loading = (&mut self.loading, LoadingTable::Mesh(kind));
                apply_change(self.mesh.entry(kind).or_default(), loading, change, |o| {
                    &o.name
                });
                Applied::Changed
            }
            ClusterEvent::Connection(state) => {
                if state == self.connection {
                    return Applied::Unchanged;
                }
                self.connection = state;
                self.connection_since = self.now;
                Applied::Changed
            }
        }
    }

    /// Whether the first list of `kind` is complete, so its absence of an object is real.
    pub fn listed(&self, kind: MeshKind) -> bool {
        self.mesh.contains_key(&kind)
    }

    /// Forgets the lab namespace's rows when the learner switches namespace.
    pub fn switch_namespace(&mut self, generation: u64) {
        self.generation = generation;
        self.pods.retain(|ns, _| ns == ISTIO_SYSTEM);
        self.pod_groups.retain(|ns, _| ns == ISTIO_SYSTEM);
        self.services.retain(|ns, _| ns == ISTIO_SYSTEM);
        self.mesh.clear();
        self.loading.retain(|table, _| match table {
            LoadingTable::Pods(ns) | LoadingTable::Services(ns) => ns == ISTIO_SYSTEM,
            LoadingTable::Mesh(_) => false,
        });
        self.pod_scroll = 0;
        self.service_scroll = 0;
        self.connection = ConnectionState::Connecting;
        self.connection_since = self.now;
    }

    pub fn matches_filter(&self, name: &str) -> bool {
        self.filter.is_empty() || name.contains(self.filter.as_str())
    }

    pub fn pod_count(&self) -> usize {
        self.pods.values().map(BTreeMap::len).sum()
    }

    /// The pods of `namespace` counted by label set (empty when none are known).
    pub fn pod_groups(&self, namespace: &str) -> &PodGroups {
        static NONE: PodGroups = PodGroups::EMPTY;
        self.pod_groups.get(namespace).unwrap_or(&NONE)
    }
}

/// Where a table's first-list progress is kept, and under which key.
type LoadingSlot<'a> = (&'a mut BTreeMap<LoadingTable, Loading>, LoadingTable);

/// Applies a pods change to the table and its groups; returns whether the groups' shape changed.
fn apply_pod_change(
    table: &mut BTreeMap<String, PodRow>,
    groups: &mut PodGroups,
    (loading, key): LoadingSlot<'_>,
    change: Change<PodRow>,
) -> bool {
    match change {
        Change::Listing(batch) => {
            let mut reshaped = false;
            let replaced = |row: &PodRow, old: Option<PodRow>| {
                reshaped |= groups.add(row);
                reshaped |= old.is_some_and(|old| groups.remove(&old));
            };
            let gone = apply_batch(loading, key, table, batch, |r| &r.name, replaced);
            gone.iter()
                .fold(reshaped, |changed, old| groups.remove(old) || changed)
        }
        Change::Reset(rows) => {
            loading.remove(&key);
            let regrouped = PodGroups::from_rows(&rows);
            let reshaped = !regrouped.shape().eq(groups.shape());
            *groups = regrouped;
            *table = rows.into_iter().map(|r| (r.name.clone(), r)).collect();
            reshaped
        }
        Change::Applied(row) => {
            let added = groups.add(&row);
            let removed = table
                .insert(row.name.clone(), row)
                .is_some_and(|old| groups.remove(&old));
            added || removed
        }
        Change::Deleted { name } => table.remove(&name).is_some_and(|old| groups.remove(&old)),
    }
}

fn apply_change<T>(
    table: &mut BTreeMap<String, T>,
    (loading, key): LoadingSlot<'_>,
    change: Change<T>,
    name_of: impl Fn(&T) -> &str,
) {
    match change {
        Change::Listing(batch) => {
            apply_batch(loading, key, table, batch, name_of, |_, _| {});
        }
        Change::Reset(rows) => {
            loading.remove(&key);
            *table = rows
                .into_iter()
                .map(|r| (name_of(&r).to_string(), r))
                .collect();
        }
        Change::Applied(row) => {
            let name = name_of(&row).to_string();
            table.insert(name, row);
        }
        Change::Deleted { name } => {
            table.remove(&name);
        }
    }
}

/// The namespaces shown, lab namespace first, then istio-system.
pub fn shown_namespaces(lab: &str) -> Vec<&str> {
    if lab == ISTIO_SYSTEM {
        vec![lab]
    } else {
        vec![lab, ISTIO_SYSTEM]
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
