//! Traffic-lab latency benchmark: key press to patch in the demo cluster, and patch rate under key repeat.
//!
//! Runs the app headless against the embedded demo cluster, exactly as the TUI drives it
//! (pure `update`, `EffectRunner`, `next_batch`), and times weight changes by watching the
//! sim's store from a plain thread, so the timestamps do not depend on the app's runtime.
//! Run with `cargo bench --bench traffic_latency`; it prints a table and exits non-zero
//! when a target is missed.

#[path = "traffic_latency/lab.rs"]
mod lab;
#[path = "traffic_latency/report.rs"]
mod report;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;

use lab::{Bench, GIVE_UP, route_weights};
use report::{Repeat, report};

const SAMPLES: usize = 200;
/// Longer than the pacing interval (100 ms), so every sampled press starts from idle pacing.
const SAMPLE_GAP: Duration = Duration::from_millis(160);
const REPEAT_EVERY: Duration = Duration::from_millis(25);
const REPEATS: usize = 120;
/// The held key moves v1 up this many steps, then down for the rest, so every repeat
/// changes the weights and the final value differs from the starting one.
const REPEATS_UP: usize = 70;

fn main() -> ExitCode {
    // `cargo test --all-targets` runs benches without `--bench`; the minute-long run is only for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("traffic_latency: run with `cargo bench --bench traffic_latency`");
        return ExitCode::SUCCESS;
    }
    lab::harness::bench_main("traffic_latency", run())
}

/// Both measurements; Ok(false) when a target is missed.
async fn run() -> Result<bool, String> {
    let started = Instant::now();
    let mut bench = Bench::start().await?;
    let latency = bench.key_to_patch().await?;
    let repeat = bench.key_repeat().await?;
    bench.lab.sim.shutdown().await;
    Ok(report(&latency, &repeat, started.elapsed()))
}

impl Bench {
    /// Measurement 1: single presses from idle pacing, alternating → and ←.
    async fn key_to_patch(&mut self) -> Result<Vec<Duration>, String> {
        self.settle(Instant::now()).await?;
        let mut latencies = Vec::with_capacity(SAMPLES);
        for sample in 0..SAMPLES {
            let code = if sample % 2 == 0 {
                KeyCode::Right
            } else {
                KeyCode::Left
            };
            let pressed = self.key(code);
            let expected = self.slider_weights();
            let arrived = self
                .drive(pressed + GIVE_UP, |b| {
                    b.arrival(pressed, &expected).is_some()
                })
                .await;
            let at = self
                .arrival(pressed, &expected)
                .filter(|_| arrived)
                .ok_or_else(|| format!("sample {sample}: {expected:?} never reached the sim"))?;
            latencies.push(at.duration_since(pressed));
            self.settle(pressed + SAMPLE_GAP).await?;
        }
        Ok(latencies)
    }

    /// Measurement 2: a key held at 25 ms repeat for 3 s.
    async fn key_repeat(&mut self) -> Result<Repeat, String> {
        // v1 at 0 leaves room for the held → to change the weights on every repeat.
        let pressed = self.key(KeyCode::Char('4'));
        let expected = self.slider_weights();
        if !self
            .drive(pressed + GIVE_UP, |b| {
                b.arrival(pressed, &expected).is_some()
            })
            .await
        {
            return Err("the 0/100 preset never reached the sim".into());
        }
        self.settle(Instant::now() + SAMPLE_GAP).await?;
        self.lab.model.traffic.sliders.selected = 0;

        let first_key = Instant::now();
        let (changes_before, sends_before) = (self.changes.len(), self.sends.len());
        let mut last_key = first_key;
        for repeat in 0..REPEATS {
            let due = first_key + REPEAT_EVERY * u32::try_from(repeat).unwrap_or(u32::MAX);
            self.drive(due, |_| false).await;
            let code = if repeat < REPEATS_UP {
                KeyCode::Right
            } else {
                KeyCode::Left
            };
            last_key = self.key(code);
        }
        let last_value = self.slider_weights();
        let arrived = self
            .drive(last_key + GIVE_UP, |b| {
                b.arrival(last_key, &last_value).is_some() && b.pacing_idle()
            })
            .await;
        // Late patches would show up here and break "last value wins".
        self.settle(Instant::now() + Duration::from_millis(300))
            .await?;

        let stored = self
            .lab
            .sim
            .store()
            .get_object(
                "networking.istio.io/v1",
                "VirtualService",
                "default",
                "reviews",
            )
            .map(|vs| route_weights(&vs));
        let changes: Vec<Instant> = self.changes[changes_before..]
            .iter()
            .map(|c| c.at)
            .collect();
        Ok(Repeat {
            presses: REPEATS,
            held: last_key.duration_since(first_key),
            sends: self.sends[sends_before..].to_vec(),
            changes,
            last_value_wins: arrived && stored.as_ref() == Some(&last_value),
            last_key_to_value: self
                .arrival(last_key, &last_value)
                .map(|at| at.duration_since(last_key)),
        })
    }
}
