//! Tests of the observed split, the rate series and the verdict.

use super::*;

fn v(name: &str) -> Served {
    Served::Version(name.to_string())
}

fn expected(pairs: &[(&str, Weight)]) -> Vec<(String, Weight)> {
    pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

/// A split holding exactly `counts[i]` results of each version, interleaved.
fn split_of(counts: &[(&str, usize)]) -> ObservedSplit {
    let mut split = ObservedSplit::new();
    let mut left: Vec<(&str, usize)> = counts.to_vec();
    let mut second = 0;
    while left.iter().any(|(_, c)| *c > 0) {
        for (name, count) in &mut left {
            if *count > 0 {
                *count -= 1;
                split.record(second / 10, v(name));
                second += 1;
            }
        }
    }
    split
}

#[test]
fn exact_80_20_matches() {
    let split = split_of(&[("v1", 80), ("v2", 20)]);
    let want = expected(&[("v1", 80), ("v2", 20), ("v3", 0)]);
    assert_eq!(split.verdict(&want), Verdict::Matches);
    assert_eq!(
        split.verdict(&want).describe(&want),
        "80/20/0과 일치 (표본 오차 범위)"
    );
}

#[test]
fn sampling_noise_within_the_test_level_matches() {
    let want = expected(&[("v1", 80), ("v2", 20)]);
    assert_eq!(
        split_of(&[("v1", 70), ("v2", 30)]).verdict(&want),
        Verdict::Matches
    );
}

#[test]
fn fifty_fifty_against_80_20_differs() {
    let split = split_of(&[("v1", 50), ("v2", 50)]);
    let want = expected(&[("v1", 80), ("v2", 20)]);
    let verdict = split.verdict(&want);
    assert_eq!(
        verdict,
        Verdict::Differs {
            worst: "v2".to_string(),
            observed_pct: 50,
            expected_pct: 20
        }
    );
    assert_eq!(verdict.describe(&want), "예상과 다름: v2 50% (기대 20%)");
}

#[test]
fn a_clear_shift_differs() {
    let want = expected(&[("v1", 80), ("v2", 20)]);
    assert!(matches!(
        split_of(&[("v1", 65), ("v2", 35)]).verdict(&want),
        Verdict::Differs { .. }
    ));
}

#[test]
fn fewer_than_twenty_samples_give_no_verdict() {
    let split = split_of(&[("v1", 10), ("v2", 9)]);
    assert_eq!(
        split.verdict(&expected(&[("v1", 0), ("v2", 100)])),
        Verdict::TooFewSamples
    );
}

#[test]
fn unknown_pages_do_not_count_as_samples() {
    let mut split = split_of(&[("v2", 19)]);
    for _ in 0..30 {
        split.record(5, Served::Unknown);
    }
    assert_eq!(
        split.verdict(&expected(&[("v2", 100)])),
        Verdict::TooFewSamples
    );
}

#[test]
fn a_version_with_zero_weight_showing_up_differs() {
    let split = split_of(&[("v2", 99), ("v1", 1)]);
    let want = expected(&[("v1", 0), ("v2", 100)]);
    assert_eq!(
        split.verdict(&want),
        Verdict::Differs {
            worst: "v1".to_string(),
            observed_pct: 1,
            expected_pct: 0
        }
    );
}

#[test]
fn all_traffic_to_the_single_routed_version_matches() {
    let want = expected(&[("v1", 0), ("v2", 100)]);
    let split = split_of(&[("v2", 40)]);
    assert_eq!(split.verdict(&want), Verdict::Matches);
    assert_eq!(
        split.verdict(&want).describe(&want),
        "0/100과 일치 (표본 오차 범위)"
    );
}

#[test]
fn errors_make_the_split_differ() {
    let mut split = split_of(&[("v1", 40)]);
    for _ in 0..10 {
        split.record(9, Served::Error(ErrorKind::Http503));
    }
    let verdict = split.verdict(&expected(&[("v1", 100)]));
    assert_eq!(
        verdict,
        Verdict::Differs {
            worst: ERRORS.to_string(),
            observed_pct: 20,
            expected_pct: 0
        }
    );
}

#[test]
fn the_ring_keeps_the_last_hundred() {
    let mut split = split_of(&[("v1", 100)]);
    for _ in 0..30 {
        split.record(20, v("v2"));
    }
    assert_eq!(split.len(), WINDOW);
    let counts = split.counts();
    assert_eq!(counts.versions["v1"], 70);
    assert_eq!(counts.versions["v2"], 30);
    split.clear();
    assert!(split.is_empty());
}

#[test]
fn fractions_follow_natural_order_and_list_errors_last() {
    let mut split = split_of(&[("v10", 25), ("v2", 25), ("v1", 25)]);
    split.record(9, Served::Error(ErrorKind::ReviewsUnavailable));
    split.record(9, Served::Unknown);
    let fractions = split.fractions();
    let names: Vec<&str> = fractions.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["v1", "v2", "v10", ERRORS]);
    assert!((fractions[0].1 - 25.0 / 76.0).abs() < 1e-9);
    assert!(ObservedSplit::new().fractions().is_empty());
}

#[test]
fn the_rate_series_counts_requests_per_second_with_idle_zeros() {
    let mut split = ObservedSplit::new();
    split.record(100, v("v1"));
    split.record(100, v("v1"));
    split.record(102, v("v2"));
    split.record(101, v("v1"));
    split.advance(104);
    assert_eq!(split.rate_series(6), [0, 2, 1, 1, 0, 0]);
    assert_eq!(split.rate_series(2), [0, 0]);
}

#[test]
fn the_rate_series_forgets_after_a_long_gap() {
    let mut split = ObservedSplit::new();
    split.record(10, v("v1"));
    split.record(10 + RATE_SECONDS as u64 + 5, v("v1"));
    assert_eq!(split.rate_series(3), [0, 0, 1]);
    assert_eq!(split.rate_series(RATE_SECONDS + 5).iter().sum::<u64>(), 1);
}

#[test]
fn critical_values_beyond_the_table_are_close_to_the_exact_ones() {
    assert_eq!(chi2_critical_1pct(1), 6.635);
    // Exact value for 20 degrees of freedom: 37.566.
    assert!((chi2_critical_1pct(20) - 37.566).abs() < 0.1);
}

#[test]
fn particles_follow_the_korean_reading_of_the_number() {
    assert_eq!(and_particle(20), "과");
    assert_eq!(and_particle(25), "와");
    assert_eq!(and_particle(100), "과");
    assert_eq!(and_particle(0), "과");
    assert_eq!(and_particle(9), "와");
}
