//! The observed traffic split: the last probe results, a per-second request rate, and a
//! statistical verdict on whether they agree with the configured weights.

use std::collections::{BTreeMap, VecDeque};

use super::host::natural_cmp;
use super::probe::{ErrorKind, Served};
use crate::features::cluster::mesh::Weight;

/// How many recent results the split is computed over.
pub const WINDOW: usize = 100;
/// Below this many classified results no verdict is given.
pub const MIN_SAMPLES: usize = 20;
/// How many seconds of request rate are kept for the sparkline.
pub const RATE_SECONDS: usize = 120;
/// The label failed requests are reported under.
pub const ERRORS: &str = "오류";

/// Chi-square critical values at p = 0.01 for 1..=10 degrees of freedom.
const CHI2_CRITICAL_1PCT: [f64; 10] = [
    6.635, 9.210, 11.345, 13.277, 15.086, 16.812, 18.475, 20.090, 21.666, 23.209,
];
/// The standard normal quantile at 0.99, for the Wilson–Hilferty approximation.
const Z_99: f64 = 2.326_348;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub versions: BTreeMap<String, u32>,
    pub errors: BTreeMap<ErrorKind, u32>,
    pub unknown: u32,
}

impl Counts {
    pub fn error_total(&self) -> u32 {
        self.errors.values().sum()
    }

    /// Results that count towards the split: versions and errors, not unrecognised pages.
    pub fn classified(&self) -> u32 {
        self.versions.values().sum::<u32>() + self.error_total()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Matches,
    Differs {
        /// The subset (or [`ERRORS`]) furthest from its expected share.
        worst: String,
        observed_pct: u8,
        expected_pct: u8,
    },
    TooFewSamples,
}

impl Verdict {
    /// A short Korean line for the traffic pane, e.g. "80/20과 일치 (표본 오차 범위)".
    pub fn describe(&self, expected: &[(String, Weight)]) -> String {
        match self {
            Verdict::Matches => {
                let split = expected
                    .iter()
                    .map(|(_, w)| w.to_string())
                    .collect::<Vec<_>>()
                    .join("/");
                let last = expected.last().map_or(0, |(_, w)| *w);
                format!("{split}{} 일치 (표본 오차 범위)", and_particle(last))
            }
            Verdict::Differs {
                worst,
                observed_pct,
                expected_pct,
            } => format!("예상과 다름: {worst} {observed_pct}% (기대 {expected_pct}%)"),
            Verdict::TooFewSamples => format!("표본 부족 (최소 {MIN_SAMPLES}개 필요)"),
        }
    }
}

/// 와 after a number read ending in a vowel (2 이, 4 사, 5 오, 9 구), 과 otherwise
/// (영, 일, 삼, 육, 칠, 팔, and 십/백 for multiples of ten).
fn and_particle(number: Weight) -> &'static str {
    match number % 10 {
        2 | 4 | 5 | 9 => "와",
        _ => "과",
    }
}

#[derive(Debug, Clone, Default)]
pub struct ObservedSplit {
    samples: VecDeque<Served>,
    rate: VecDeque<u64>,
    latest_second: Option<u64>,
}

impl ObservedSplit {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one probe result that completed at `at_secs` (seconds on any monotonic clock).
    pub fn record(&mut self, at_secs: u64, served: Served) {
        if self.samples.len() == WINDOW {
            self.samples.pop_front();
        }
        self.samples.push_back(served);
        self.advance(at_secs);
        let latest = self.latest_second.unwrap_or(at_secs);
        let back = usize::try_from(latest.saturating_sub(at_secs)).unwrap_or(usize::MAX);
        if let Some(index) = self.rate.len().checked_sub(back + 1) {
            self.rate[index] += 1;
        }
    }

    /// Moves the rate clock to `now_secs` so idle seconds show as zero in the sparkline.
    pub fn advance(&mut self, now_secs: u64) {
        let Some(latest) = self.latest_second else {
            self.rate.push_back(0);
            self.latest_second = Some(now_secs);
            return;
        };
        if now_secs <= latest {
            return;
        }
        let gap = usize::try_from(now_secs - latest).unwrap_or(usize::MAX);
        if gap >= RATE_SECONDS {
            self.rate.clear();
        }
        for _ in 0..gap.min(RATE_SECONDS) {
            self.rate.push_back(0);
        }
        while self.rate.len() > RATE_SECONDS {
            self.rate.pop_front();
        }
        self.latest_second = Some(now_secs);
    }

    /// Forgets the results (not the rate), e.g. once a new split is in effect.
    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Requests per second for the last `n` seconds, oldest first, zero-padded at the front.
    pub fn rate_series(&self, n: usize) -> Vec<u64> {
        let kept = self.rate.len().min(n);
        let mut series = vec![0; n - kept];
        series.extend(self.rate.iter().skip(self.rate.len() - kept));
        series
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for served in &self.samples {
            match served {
                Served::Version(v) => *counts.versions.entry(v.clone()).or_default() += 1,
                Served::Error(kind) => *counts.errors.entry(*kind).or_default() += 1,
                Served::Unknown => counts.unknown += 1,
            }
        }
        counts
    }

    /// Share of each version among classified results in natural order, then [`ERRORS`] when
    /// any request failed.
    pub fn fractions(&self) -> Vec<(String, f64)> {
        let counts = self.counts();
        let classified = f64::from(counts.classified());
        if classified == 0.0 {
            return Vec::new();
        }
        let mut shares: Vec<(String, f64)> = counts
            .versions
            .iter()
            .map(|(v, c)| (v.clone(), f64::from(*c) / classified))
            .collect();
        shares.sort_by(|a, b| natural_cmp(&a.0, &b.0));
        if counts.error_total() > 0 {
            shares.push((
                ERRORS.to_string(),
                f64::from(counts.error_total()) / classified,
            ));
        }
        shares
    }

    /// Pearson's chi-square goodness-of-fit test at p = 0.01 of the classified results
    /// against `expected`. A result where the expected share is 0 (an unrouted version, a
    /// failed request) cannot happen under the configured split, so it alone means "differs".
    pub fn verdict(&self, expected: &[(String, Weight)]) -> Verdict {
        let counts = self.counts();
        let n = counts.classified();
        if (n as usize) < MIN_SAMPLES {
            return Verdict::TooFewSamples;
        }
        let expected_total: u32 = expected.iter().map(|(_, w)| u32::from(*w)).sum();
        let share = |name: &str| -> f64 {
            if expected_total == 0 {
                return 0.0;
            }
            expected
                .iter()
                .filter(|(subset, _)| subset == name)
                .map(|(_, w)| f64::from(*w))
                .sum::<f64>()
                / f64::from(expected_total)
        };
        let mut categories: Vec<(String, u32, f64)> = counts
            .versions
            .iter()
            .map(|(v, c)| (v.clone(), *c, share(v)))
            .collect();
        for (subset, _) in expected {
            if !categories.iter().any(|(name, _, _)| name == subset) {
                categories.push((subset.clone(), 0, share(subset)));
            }
        }
        categories.push((ERRORS.to_string(), counts.error_total(), 0.0));

        let total = f64::from(n);
        let differs = |(name, observed, p): &(String, u32, f64)| Verdict::Differs {
            worst: name.clone(),
            observed_pct: percent(f64::from(*observed) / total),
            expected_pct: percent(*p),
        };
        let impossible = categories
            .iter()
            .filter(|(_, observed, p)| *p == 0.0 && *observed > 0)
            .max_by_key(|(_, observed, _)| *observed);
        if let Some(category) = impossible {
            return differs(category);
        }
        let possible: Vec<&(String, u32, f64)> =
            categories.iter().filter(|(_, _, p)| *p > 0.0).collect();
        let residual = |(_, observed, p): &(String, u32, f64)| {
            let e = total * p;
            (f64::from(*observed) - e) / e.sqrt()
        };
        let statistic: f64 = possible.iter().map(|c| residual(c).powi(2)).sum();
        if possible.len() < 2 || statistic <= chi2_critical_1pct(possible.len() - 1) {
            return Verdict::Matches;
        }
        possible
            .into_iter()
            .max_by(|a, b| residual(a).abs().total_cmp(&residual(b).abs()))
            .map_or(Verdict::Matches, differs)
    }
}

fn percent(fraction: f64) -> u8 {
    // The clamp keeps the cast in range; rounding to whole percent is what the pane shows.
    (fraction * 100.0).round().clamp(0.0, 100.0) as u8
}

/// The chi-square value exceeded with probability 0.01, from a table for small degrees of
/// freedom and the Wilson–Hilferty approximation beyond it.
fn chi2_critical_1pct(df: usize) -> f64 {
    if let Some(value) = df.checked_sub(1).and_then(|i| CHI2_CRITICAL_1PCT.get(i)) {
        return *value;
    }
    let k = df as f64;
    let a = 2.0 / (9.0 * k);
    k * (1.0 - a + Z_99 * a.sqrt()).powi(3)
}

#[cfg(test)]
#[path = "observed_tests.rs"]
mod tests;
