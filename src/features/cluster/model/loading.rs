//! First lists shown while they arrive: which tables are still loading, how far they have
//! come, and which of the rows already there the list has yet to confirm.

use std::collections::{BTreeMap, BTreeSet};

use crate::features::cluster::MeshKind;
use crate::features::cluster::events::ListBatch;
use crate::features::cluster::model::{ClusterView, Table};

/// The table a first list fills.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum LoadingTable {
    Pods(String),
    Services(String),
    Mesh(MeshKind),
}

/// A first list still arriving.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loading {
    /// Objects received so far.
    pub loaded: usize,
    /// The list's size as counted when it started, if known.
    pub total: Option<usize>,
    /// Rows that were in the table when the list started and that it has not named yet
    /// (`istio-system`'s rows after a namespace switch, or a list that started over): the
    /// ones still here when it is done are gone from the cluster.
    unconfirmed: BTreeSet<String>,
}

/// Applies one batch of a first list to `table`: adds or replaces its rows and, once the
/// list is done, drops the rows it never named and returns them. `replaced(new, old)` lets
/// callers keep what they derive from the rows (the pod groups) in step.
pub fn apply_batch<T>(
    loading: &mut BTreeMap<LoadingTable, Loading>,
    key: LoadingTable,
    table: &mut BTreeMap<String, T>,
    batch: ListBatch<T>,
    name_of: impl Fn(&T) -> &str,
    mut replaced: impl FnMut(&T, Option<T>),
) -> Vec<T> {
    if batch.first {
        let unconfirmed = table.keys().cloned().collect();
        loading.insert(
            key.clone(),
            Loading {
                unconfirmed,
                ..Loading::default()
            },
        );
    }
    let state = loading.entry(key.clone()).or_default();
    for row in batch.rows {
        let name = name_of(&row).to_string();
        state.unconfirmed.remove(&name);
        replaced(&row, table.remove(&name));
        table.insert(name, row);
    }
    state.loaded = batch.loaded;
    state.total = batch.total;
    if !batch.done {
        return Vec::new();
    }
    let finished = loading.remove(&key).unwrap_or_default();
    finished
        .unconfirmed
        .iter()
        .filter_map(|name| table.remove(name))
        .collect()
}

impl ClusterView {
    /// How far the first lists of `table` in `namespaces` have come: objects received, and
    /// the total when every loading one knows its own. None when none is loading.
    pub fn progress(&self, table: Table, namespaces: &[&str]) -> Option<(usize, Option<usize>)> {
        let key = |namespace: &str| match table {
            Table::Pods => LoadingTable::Pods(namespace.to_string()),
            Table::Services => LoadingTable::Services(namespace.to_string()),
        };
        let lists: Vec<&Loading> = namespaces
            .iter()
            .filter_map(|namespace| self.loading.get(&key(namespace)))
            .collect();
        if lists.is_empty() {
            return None;
        }
        let loaded = lists.iter().map(|l| l.loaded).sum();
        let total = lists.iter().map(|l| l.total).sum::<Option<usize>>();
        Some((loaded, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(first: bool, rows: &[&str], loaded: usize, done: bool) -> ListBatch<String> {
        ListBatch {
            first,
            rows: rows.iter().map(|r| r.to_string()).collect(),
            loaded,
            total: Some(4),
            done,
        }
    }

    fn apply(
        loading: &mut BTreeMap<LoadingTable, Loading>,
        table: &mut BTreeMap<String, String>,
        batch: ListBatch<String>,
    ) -> Vec<String> {
        let key = LoadingTable::Pods("default".into());
        apply_batch(loading, key, table, batch, String::as_str, |_, _| {})
    }

    #[test]
    fn rows_grow_with_each_batch_and_the_end_drops_what_the_list_did_not_name() {
        let mut loading = BTreeMap::new();
        let key = LoadingTable::Pods("default".into());
        // Rows from before the list (kept on screen while it runs).
        let mut table: BTreeMap<String, String> = ["gone", "kept"]
            .map(|n| (n.to_string(), n.to_string()))
            .into();
        assert!(apply(&mut loading, &mut table, batch(true, &["a"], 1, false)).is_empty());
        assert_eq!(table.len(), 3);
        assert_eq!(loading[&key].loaded, 1);
        assert_eq!(loading[&key].total, Some(4));
        apply(
            &mut loading,
            &mut table,
            batch(false, &["kept", "b"], 3, false),
        );
        assert_eq!(loading[&key].loaded, 3);
        let dropped = apply(&mut loading, &mut table, batch(false, &["c"], 4, true));
        assert_eq!(dropped, ["gone"]);
        assert!(!loading.contains_key(&key));
        let names: Vec<&str> = table.keys().map(String::as_str).collect();
        assert_eq!(names, ["a", "b", "c", "kept"]);
    }

    #[test]
    fn a_list_that_starts_over_confirms_rows_afresh() {
        let mut loading = BTreeMap::new();
        let mut table = BTreeMap::new();
        apply(&mut loading, &mut table, batch(true, &["a", "b"], 2, false));
        // The stream broke; the second attempt no longer names "b".
        apply(&mut loading, &mut table, batch(true, &["a"], 1, false));
        let dropped = apply(&mut loading, &mut table, batch(false, &[], 1, true));
        assert_eq!(dropped, ["b"]);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn progress_sums_the_loading_namespaces_and_knows_the_total_only_if_all_do() {
        let mut view = ClusterView::new(jiff::Timestamp::UNIX_EPOCH);
        let both = ["default", "istio-system"];
        assert_eq!(view.progress(Table::Pods, &both), None);
        let state = |loaded, total| Loading {
            loaded,
            total,
            ..Loading::default()
        };
        view.loading.insert(
            LoadingTable::Pods("default".into()),
            state(1_250, Some(5_000)),
        );
        assert_eq!(
            view.progress(Table::Pods, &both),
            Some((1_250, Some(5_000)))
        );
        assert_eq!(view.progress(Table::Services, &both), None);
        view.loading
            .insert(LoadingTable::Pods("istio-system".into()), state(3, Some(7)));
        assert_eq!(
            view.progress(Table::Pods, &both),
            Some((1_253, Some(5_007)))
        );
        view.loading
            .insert(LoadingTable::Pods("istio-system".into()), state(3, None));
        assert_eq!(view.progress(Table::Pods, &both), Some((1_253, None)));
        assert_eq!(view.progress(Table::Pods, &["other"]), None);
    }
}
