//! The weight sliders of the traffic lab: one per subset, always summing to 100.
//!
//! Presets honour locks the way Kiali's traffic-shifting wizard does: a locked slider keeps
//! its value, so a preset that would have to move a locked slider is refused and changes
//! nothing.

use super::host::natural_cmp;
use crate::features::cluster::mesh::{FULL, Weight, weight_from};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subset {
    pub name: String,
    pub weight: Weight,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sliders {
    pub subsets: Vec<Subset>,
    pub selected: usize,
}

/// Preset weights for the first three subsets in natural order (v1, v2, v3).
const PRESETS: [(u8, [Weight; 3]); 5] = [
    (1, [100, 0, 0]),
    (2, [80, 20, 0]),
    (3, [50, 50, 0]),
    (4, [0, 100, 0]),
    (5, [0, 0, 100]),
];

impl Sliders {
    /// Builds the sliders from the known subsets (DestinationRule subsets, or pods' `version`
    /// labels when no DestinationRule exists) and the route currently configured.
    ///
    /// A known subset the route lacks starts at 0; a routed subset that is not known is still
    /// shown so the checks can point at it. A subset routed more than once gets the sum of its
    /// weights, capped at 100.
    pub fn from_routes(known_subsets: &[String], route: &[(String, Weight)]) -> Self {
        let mut subsets: Vec<Subset> = Vec::new();
        let names = known_subsets
            .iter()
            .chain(route.iter().map(|(name, _)| name));
        for name in names {
            if !subsets.iter().any(|s| &s.name == name) {
                subsets.push(Subset {
                    name: name.clone(),
                    weight: 0,
                    locked: false,
                });
            }
        }
        for subset in &mut subsets {
            let routed: i64 = route
                .iter()
                .filter(|(name, _)| *name == subset.name)
                .map(|(_, weight)| i64::from(*weight))
                .sum();
            subset.weight = weight_from(routed);
        }
        subsets.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        Sliders {
            subsets,
            selected: 0,
        }
    }

    pub fn total(&self) -> u32 {
        self.subsets.iter().map(|s| u32::from(s.weight)).sum()
    }

    /// The (subset, weight) pairs in display order, as the patch builder and checks take them.
    pub fn weights(&self) -> Vec<(String, Weight)> {
        self.subsets
            .iter()
            .map(|s| (s.name.clone(), s.weight))
            .collect()
    }

    pub fn select_next(&mut self) {
        if !self.subsets.is_empty() {
            self.selected = (self.selected + 1) % self.subsets.len();
        }
    }

    pub fn select_previous(&mut self) {
        if !self.subsets.is_empty() {
            self.selected = (self.selected + self.subsets.len() - 1) % self.subsets.len();
        }
    }

    pub fn toggle_lock(&mut self, index: usize) {
        if let Some(subset) = self.subsets.get_mut(index) {
            subset.locked = !subset.locked;
        }
    }

    /// Moves one slider by `delta` (negative to the left), stopping at 0 and 100. From all
    /// zeros (no route yet) a push to the right sends everything to that subset, rather than
    /// spreading the rest over the others.
    pub fn nudge(&mut self, index: usize, delta: i32) {
        if self.total() == 0 {
            if delta > 0 {
                self.set(index, FULL);
            }
            return;
        }
        if let Some(subset) = self.subsets.get(index) {
            let target = weight_from(i64::from(subset.weight) + i64::from(delta));
            self.set(index, target);
        }
    }

    /// The most slider `index` can take: what the locked others leave free.
    pub fn limit(&self, index: usize) -> Weight {
        let locked: u32 = self
            .subsets
            .iter()
            .enumerate()
            .filter(|(i, s)| *i != index && s.locked)
            .map(|(_, s)| u32::from(s.weight))
            .sum();
        to_weight(u32::from(FULL).saturating_sub(locked))
    }

    /// Moves one slider and rebalances the unlocked others so the total stays 100.
    ///
    /// The value is clamped to what the locked sliders leave free; when every other slider is
    /// locked the moved one is pinned to the remainder. A locked slider never moves.
    pub fn set(&mut self, index: usize, weight: Weight) {
        let Some(moved) = self.subsets.get(index) else {
            return;
        };
        if moved.locked {
            return;
        }
        let locked_total: u32 = self
            .subsets
            .iter()
            .enumerate()
            .filter(|(i, s)| *i != index && s.locked)
            .map(|(_, s)| u32::from(s.weight))
            .sum();
        let free = u32::from(FULL).saturating_sub(locked_total);
        let others: Vec<usize> = (0..self.subsets.len())
            .filter(|i| *i != index && !self.subsets[*i].locked)
            .collect();
        let requested = u32::from(weight.min(FULL));
        let target = if others.is_empty() {
            free
        } else {
            requested.min(free)
        };
        let current: Vec<u32> = others
            .iter()
            .map(|i| u32::from(self.subsets[*i].weight))
            .collect();
        let shares = largest_remainder(&current, free - target);
        self.subsets[index].weight = to_weight(target);
        for (i, share) in others.into_iter().zip(shares) {
            self.subsets[i].weight = to_weight(share);
        }
    }

    /// Applies preset `digit` (see [`PRESETS`]; 0 splits evenly). Returns false, changing
    /// nothing, for an unknown digit, for a preset whose values on the present subsets do not
    /// add up to 100, or when it would move a locked slider.
    pub fn preset(&mut self, digit: u8) -> bool {
        let Some(values) = self.preset_values(digit) else {
            return false;
        };
        if values.iter().map(|v| u32::from(*v)).sum::<u32>() != u32::from(FULL) {
            return false;
        }
        let moves_locked = self
            .subsets
            .iter()
            .zip(&values)
            .any(|(s, v)| s.locked && s.weight != *v);
        if moves_locked {
            return false;
        }
        for (subset, value) in self.subsets.iter_mut().zip(values) {
            subset.weight = value;
        }
        true
    }

    fn preset_values(&self, digit: u8) -> Option<Vec<Weight>> {
        let count = self.subsets.len();
        if count == 0 {
            return None;
        }
        if digit == 0 {
            let even = vec![1; count];
            return Some(
                largest_remainder(&even, u32::from(FULL))
                    .into_iter()
                    .map(to_weight)
                    .collect(),
            );
        }
        let (_, pattern) = PRESETS.iter().find(|(d, _)| *d == digit)?;
        Some(
            (0..count)
                .map(|i| pattern.get(i).copied().unwrap_or(0))
                .collect(),
        )
    }
}

/// A share computed by [`largest_remainder`] as a weight.
fn to_weight(value: u32) -> Weight {
    weight_from(i64::from(value))
}

/// Splits `amount` into integer shares proportional to `current` (evenly when all are zero)
/// using the largest-remainder method, so the shares add up to exactly `amount`. Ties go to
/// the earlier entry, which keeps the result deterministic.
pub fn largest_remainder(current: &[u32], amount: u32) -> Vec<u32> {
    if current.is_empty() {
        return Vec::new();
    }
    let basis: Vec<u64> = if current.iter().all(|w| *w == 0) {
        vec![1; current.len()]
    } else {
        current.iter().map(|w| u64::from(*w)).collect()
    };
    let basis_total: u64 = basis.iter().sum();
    let amount = u64::from(amount);
    let mut shares: Vec<u64> = basis.iter().map(|b| b * amount / basis_total).collect();
    let mut order: Vec<usize> = (0..basis.len()).collect();
    // Remainders compared as numerators over the common denominator `basis_total`.
    order.sort_by_key(|i| std::cmp::Reverse(basis[*i] * amount % basis_total));
    let handed_out: u64 = shares.iter().sum();
    let leftover = usize::try_from(amount - handed_out).unwrap_or(0);
    for i in order.into_iter().take(leftover) {
        shares[i] += 1;
    }
    shares
        .into_iter()
        .map(|s| u32::try_from(s).unwrap_or(u32::MAX))
        .collect()
}

#[cfg(test)]
#[path = "slider_tests.rs"]
mod tests;
