//! Tests of the slider model: examples first, then properties over random operation sequences.

use super::*;
use proptest::prelude::*;

fn sliders(weights: &[Weight]) -> Sliders {
    Sliders {
        subsets: weights
            .iter()
            .enumerate()
            .map(|(i, w)| Subset {
                name: format!("v{}", i + 1),
                weight: *w,
                locked: false,
            })
            .collect(),
        selected: 0,
    }
}

fn weights_of(s: &Sliders) -> Vec<Weight> {
    s.subsets.iter().map(|s| s.weight).collect()
}

#[test]
fn moving_one_slider_scales_the_others_proportionally() {
    let mut s = sliders(&[60, 30, 10]);
    s.set(0, 20);
    assert_eq!(weights_of(&s), [20, 60, 20]);
}

#[test]
fn zero_others_share_evenly_with_the_remainder_to_the_first() {
    let mut s = sliders(&[100, 0, 0]);
    s.set(0, 95);
    assert_eq!(weights_of(&s), [95, 3, 2]);
}

#[test]
fn rounding_keeps_the_total_at_100() {
    let mut s = sliders(&[34, 33, 33]);
    s.set(0, 1);
    assert_eq!(s.total(), 100);
    assert_eq!(weights_of(&s), [1, 50, 49]);
}

#[test]
fn a_locked_slider_keeps_its_value_and_bounds_the_moved_one() {
    let mut s = sliders(&[50, 30, 20]);
    s.toggle_lock(2);
    s.set(0, 95);
    assert_eq!(weights_of(&s), [80, 0, 20]);
    s.set(2, 0);
    assert_eq!(s.subsets[2].weight, 20);
}

#[test]
fn with_every_other_slider_locked_the_moved_one_is_pinned() {
    let mut s = sliders(&[50, 30, 20]);
    s.toggle_lock(1);
    s.toggle_lock(2);
    s.set(0, 10);
    assert_eq!(weights_of(&s), [50, 30, 20]);
}

#[test]
fn set_clamps_out_of_range_values() {
    let mut s = sliders(&[80, 20]);
    s.set(1, 250);
    assert_eq!(weights_of(&s), [0, 100]);
    s.nudge(1, -150);
    assert_eq!(weights_of(&s), [100, 0]);
}

#[test]
fn nudge_moves_by_the_delta() {
    let mut s = sliders(&[80, 20, 0]);
    s.nudge(1, 10);
    assert_eq!(weights_of(&s), [70, 30, 0]);
    s.nudge(1, -1);
    assert_eq!(weights_of(&s), [71, 29, 0]);
}

#[test]
fn out_of_range_index_changes_nothing() {
    let mut s = sliders(&[80, 20]);
    s.set(5, 10);
    s.nudge(5, 10);
    s.toggle_lock(5);
    assert_eq!(weights_of(&s), [80, 20]);
}

#[test]
fn presets_address_subsets_in_order() {
    let mut s = sliders(&[34, 33, 33]);
    assert!(s.preset(2));
    assert_eq!(weights_of(&s), [80, 20, 0]);
    assert!(s.preset(5));
    assert_eq!(weights_of(&s), [0, 0, 100]);
    assert!(s.preset(4));
    assert_eq!(weights_of(&s), [0, 100, 0]);
}

#[test]
fn even_split_gives_the_remainder_to_the_first_subsets() {
    let mut s = sliders(&[100, 0, 0]);
    assert!(s.preset(0));
    assert_eq!(weights_of(&s), [34, 33, 33]);
    let mut four = sliders(&[100, 0, 0, 0]);
    assert!(four.preset(0));
    assert_eq!(weights_of(&four), [25, 25, 25, 25]);
}

#[test]
fn with_fewer_subsets_a_preset_applies_its_prefix_or_is_refused() {
    let mut s = sliders(&[50, 50]);
    assert!(s.preset(2));
    assert_eq!(weights_of(&s), [80, 20]);
    assert!(!s.preset(5));
    assert_eq!(weights_of(&s), [80, 20]);
}

#[test]
fn a_preset_that_would_move_a_locked_slider_is_refused() {
    let mut s = sliders(&[80, 20, 0]);
    s.toggle_lock(1);
    assert!(!s.preset(4));
    assert_eq!(weights_of(&s), [80, 20, 0]);
    assert!(s.preset(2), "the locked value agrees with the preset");
}

#[test]
fn unknown_presets_are_refused() {
    let mut s = sliders(&[80, 20]);
    assert!(!s.preset(9));
    assert!(!Sliders::default().preset(1));
}

#[test]
fn from_routes_adds_known_subsets_and_keeps_unknown_routed_ones() {
    let known = ["v10".to_string(), "v3".into(), "v1".into(), "v2".into()];
    let route = [("v1".to_string(), 80), ("v2".into(), 20), ("v9".into(), 0)];
    let s = Sliders::from_routes(&known, &route);
    let names: Vec<&str> = s.subsets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["v1", "v2", "v3", "v9", "v10"]);
    assert_eq!(weights_of(&s), [80, 20, 0, 0, 0]);
    assert!(s.subsets.iter().all(|s| !s.locked));
}

#[test]
fn from_routes_caps_oversized_weights() {
    // A weight can hold at most 100; a subset routed twice can still add up to more.
    let s = Sliders::from_routes(&[], &[("v1".to_string(), 100), ("v1".to_string(), 100)]);
    assert_eq!(weights_of(&s), [100]);
}

#[test]
fn selection_wraps_around() {
    let mut s = sliders(&[80, 20, 0]);
    s.select_previous();
    assert_eq!(s.selected, 2);
    s.select_next();
    assert_eq!(s.selected, 0);
}

#[test]
fn largest_remainder_hands_out_exactly_the_amount() {
    assert_eq!(largest_remainder(&[1, 1, 1], 100), [34, 33, 33]);
    assert_eq!(largest_remainder(&[0, 0], 7), [4, 3]);
    assert_eq!(largest_remainder(&[70, 30], 50), [35, 15]);
    assert!(largest_remainder(&[], 10).is_empty());
}

#[derive(Debug, Clone)]
enum Op {
    Set(usize, Weight),
    Nudge(usize, i32),
    Preset(u8),
    Lock(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..5, 0..=130 as Weight).prop_map(|(i, w)| Op::Set(i, w)),
        (
            0usize..5,
            prop_oneof![Just(-10), Just(-1), Just(1), Just(10)]
        )
            .prop_map(|(i, d)| Op::Nudge(i, d)),
        (0u8..10).prop_map(Op::Preset),
        (0usize..5).prop_map(Op::Lock),
    ]
}

/// Starting weights summing to 100 for one to four subsets.
fn start() -> impl Strategy<Value = Vec<Weight>> {
    (1usize..=4).prop_flat_map(|n| {
        proptest::collection::vec(0u32..100, n).prop_map(|raw| {
            largest_remainder(&raw, 100)
                .into_iter()
                .map(to_weight)
                .collect()
        })
    })
}

proptest! {
    #[test]
    fn operations_keep_the_invariants(initial in start(), ops in proptest::collection::vec(op(), 1..40)) {
        let mut s = sliders(&initial);
        prop_assert_eq!(s.total(), 100);
        for op in ops {
            let before = s.clone();
            let moved = match op {
                Op::Set(i, w) => {
                    s.set(i, w);
                    Some((i, i32::from(w)))
                }
                Op::Nudge(i, d) => {
                    s.nudge(i, d);
                    Some((i, before.subsets.get(i).map_or(d, |x| i32::from(x.weight) + d)))
                }
                Op::Preset(d) => {
                    if !s.preset(d) {
                        prop_assert_eq!(&s, &before);
                    }
                    None
                }
                Op::Lock(i) => {
                    s.toggle_lock(i);
                    None
                }
            };
            if let Some((i, requested)) = moved {
                let locked_elsewhere: i32 = before.subsets.iter().enumerate()
                    .filter(|(j, x)| *j != i && x.locked)
                    .map(|(_, x)| i32::from(x.weight)).sum();
                let unlocked_elsewhere = before.subsets.iter().enumerate()
                    .any(|(j, x)| j != i && !x.locked);
                let clamped = requested.clamp(0, 100);
                let feasible = before.subsets.get(i).is_some_and(|x| !x.locked)
                    && unlocked_elsewhere
                    && clamped <= 100 - locked_elsewhere;
                if feasible {
                    prop_assert_eq!(i32::from(s.subsets[i].weight), clamped);
                }
            }
            prop_assert_eq!(s.total(), 100);
            for (after, prior) in s.subsets.iter().zip(&before.subsets) {
                prop_assert!(after.weight <= 100);
                if prior.locked && after.locked {
                    prop_assert_eq!(after.weight, prior.weight);
                }
            }
        }
    }
}

#[test]
fn a_push_from_all_zeros_sends_everything_to_that_subset() {
    let mut s = sliders(&[0, 0, 0]);
    assert_eq!(s.total(), 0);
    s.nudge(0, 1);
    assert_eq!(weights_of(&s), [100, 0, 0], "not 1/50/49");
    let mut zero = sliders(&[0, 0]);
    zero.nudge(1, -1);
    assert_eq!(
        weights_of(&zero),
        [0, 0],
        "a push left from zero moves nothing"
    );
}

#[test]
fn the_limit_is_what_the_locked_sliders_leave() {
    let mut s = sliders(&[30, 24, 46]);
    s.toggle_lock(2);
    assert_eq!(s.limit(0), 54);
    assert_eq!(s.limit(2), 100);
    s.set(0, 80);
    assert_eq!(weights_of(&s)[0], 54, "clamped to the limit");
}
