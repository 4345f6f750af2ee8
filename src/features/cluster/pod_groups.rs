//! Pods of one namespace counted by identical label sets, kept in step with the pods table,
//! so the traffic lab's per-event checks cost O(label sets) rather than O(pods).
//!
//! A Deployment's pods share every label (pod-template-hash included), so a namespace with
//! thousands of pods still has only a handful of groups.

use std::collections::BTreeMap;

use crate::features::cluster::PodRow;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodCount {
    pub ready: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodGroups {
    groups: BTreeMap<Labels, PodCount>,
}

impl PodGroups {
    pub const EMPTY: PodGroups = PodGroups {
        groups: BTreeMap::new(),
    };

    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a PodRow>) -> PodGroups {
        let mut groups = PodGroups::default();
        for row in rows {
            groups.add(row);
        }
        groups
    }

    /// Counts `row` in; returns whether the groups' shape changed (see [`PodGroups::shape`]).
    pub fn add(&mut self, row: &PodRow) -> bool {
        let ready = usize::from(row.is_ready());
        // Labels are cloned only for a label set not seen before.
        if let Some(count) = self.groups.get_mut(&row.labels) {
            let was_ready = count.ready > 0;
            count.ready += ready;
            count.total += 1;
            was_ready != (count.ready > 0)
        } else {
            self.groups
                .insert(row.labels.clone(), PodCount { ready, total: 1 });
            true
        }
    }

    /// Counts `row` out; returns whether the groups' shape changed.
    pub fn remove(&mut self, row: &PodRow) -> bool {
        let Some(count) = self.groups.get_mut(&row.labels) else {
            return false;
        };
        let was_ready = count.ready > 0;
        count.ready = count.ready.saturating_sub(usize::from(row.is_ready()));
        count.total = count.total.saturating_sub(1);
        if count.total == 0 {
            self.groups.remove(&row.labels);
            return true;
        }
        was_ready != (count.ready > 0)
    }

    /// Which label sets exist and whether each has a ready pod: all the traffic lab's checks
    /// and subset names depend on. Counts alone changing leaves it as it was.
    pub fn shape(&self) -> impl Iterator<Item = (&Labels, bool)> {
        self.iter().map(|(labels, count)| (labels, count.ready > 0))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Labels, PodCount)> {
        self.groups.iter().map(|(labels, count)| (labels, *count))
    }

    /// Ready and total pods whose labels include every pair of `selector`.
    pub fn count_matching(&self, selector: &[(&str, &str)]) -> PodCount {
        self.iter()
            .filter(|(labels, _)| {
                selector
                    .iter()
                    .all(|(key, value)| labels.get(*key).map(String::as_str) == Some(*value))
            })
            .fold(PodCount::default(), |sum, (_, count)| PodCount {
                ready: sum.ready + count.ready,
                total: sum.total + count.total,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::cluster::Health;

    fn row(name: &str, version: &str, ready: bool) -> PodRow {
        PodRow {
            namespace: "default".into(),
            name: name.into(),
            ready: if ready { (2, 2) } else { (1, 2) },
            status: "Running".into(),
            restarts: 0,
            last_restart: None,
            created: None,
            health: Health::Good,
            labels: [("app", "reviews"), ("version", version)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            deleting: false,
        }
    }

    #[test]
    fn counts_follow_adds_and_removes_and_empty_groups_vanish() {
        let mut groups = PodGroups::from_rows(&[
            row("a", "v1", true),
            row("b", "v1", false),
            row("c", "v2", true),
        ]);
        assert_eq!(groups.iter().count(), 2);
        assert_eq!(
            groups.count_matching(&[("version", "v1")]),
            PodCount { ready: 1, total: 2 }
        );
        assert_eq!(
            groups.count_matching(&[("app", "reviews")]),
            PodCount { ready: 2, total: 3 }
        );
        groups.remove(&row("c", "v2", true));
        assert_eq!(groups.iter().count(), 1);
        assert_eq!(
            groups.count_matching(&[("version", "v2")]),
            PodCount::default()
        );
        // Removing a row never added leaves the counts alone.
        groups.remove(&row("z", "v9", true));
        assert_eq!(groups.count_matching(&[]), PodCount { ready: 1, total: 2 });
    }
}
