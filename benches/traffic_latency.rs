//! Traffic-lab latency benchmark: key press to patch in the demo cluster, and patch rate under key repeat.
//!
//! Runs the app headless against the embedded demo cluster, exactly as the TUI drives it
//! (pure `update`, `EffectRunner`, `next_batch`), and times weight changes by watching the
//! sim's store from a plain thread, so the timestamps do not depend on the app's runtime.
//! Run with `cargo bench --bench traffic_latency`; it prints a table and exits non-zero
//! when a target is missed.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::init::{Start, new_model};
use istio_lab::app::model::{Pane, Target};
use istio_lab::app::runtime::{Context, EffectRunner, next_batch};
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::cluster::apply::apply_manifest;
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions, SimStore};
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

const LABEL: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    istio-injection: enabled\n";
const BOOKINFO: &str = include_str!("../assets/bookinfo/bookinfo.yaml");
const RULE: &str = include_str!("../assets/bookinfo/destination-rule-reviews.yaml");
const ROUTE: &str = include_str!("../assets/bookinfo/virtual-service-reviews-80-20.yaml");

const SAMPLES: usize = 200;
/// Longer than the pacing interval (100 ms), so every sampled press starts from idle pacing.
const SAMPLE_GAP: Duration = Duration::from_millis(160);
const REPEAT_EVERY: Duration = Duration::from_millis(25);
const REPEATS: usize = 120;
/// The held key moves v1 up this many steps, then down for the rest, so every repeat
/// changes the weights and the final value differs from the starting one.
const REPEATS_UP: usize = 70;
const GIVE_UP: Duration = Duration::from_secs(5);

const P99_TARGET: Duration = Duration::from_millis(150);
const RATE_TARGET: f64 = 10.0;

/// Weights by subset, zero weights left out (a route may list a subset at 0 or omit it).
type Weights = BTreeMap<String, u64>;

/// One change of the reviews VirtualService in the sim's store, stamped when the store made it.
struct Change {
    at: Instant,
    weights: Weights,
}

struct Bench {
    model: Model,
    rx: UnboundedReceiver<Msg>,
    runner: EffectRunner,
    sim: SimHandle,
    change_rx: UnboundedReceiver<Change>,
    changes: Vec<Change>,
    /// When the app handed each patch to its client.
    sends: Vec<Instant>,
}

fn main() -> ExitCode {
    // `cargo test --all-targets` runs benches without `--bench`; the minute-long run is only for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("traffic_latency: run with `cargo bench --bench traffic_latency`");
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("traffic_latency: cannot build the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("traffic_latency: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Both measurements; Ok(false) when a target is missed.
async fn run() -> Result<bool, String> {
    let started = Instant::now();
    let mut bench = Bench::start().await?;
    let latency = bench.key_to_patch().await?;
    let repeat = bench.key_repeat().await?;
    bench.sim.shutdown().await;
    Ok(report(&latency, &repeat, started.elapsed()))
}

impl Bench {
    async fn start() -> Result<Bench, String> {
        let scenario = Scenario::demo().map_err(|e| format!("demo scenario: {e}"))?;
        let sim = sim::start(SimOptions {
            port: 0,
            speed: 50.0,
            scenario,
        })
        .await
        .map_err(|e| format!("sim: {e}"))?;
        let client =
            kube::Client::try_from(sim.kube_config()).map_err(|e| format!("client: {e}"))?;
        for manifest in [LABEL, BOOKINFO, RULE, ROUTE] {
            apply_manifest(&client, "default", manifest)
                .await
                .map_err(|e| format!("applying the guide's objects: {e:?}"))?;
        }
        let lessons = istio_lab::lesson::builtin("ko").map_err(|e| format!("lessons: {e}"))?;
        let (mut model, effects) = new_model(Start {
            lessons,
            lesson_source: "builtin:ko".into(),
            progress: None,
            target: Target {
                demo: true,
                context: "istio-lab-demo".into(),
                namespace: "default".into(),
            },
            color: false,
            now: jiff::Timestamp::now(),
            watch: true,
            width: 120,
            height: 40,
            warning: None,
        });
        model.focus = Pane::Traffic;
        let (tx, rx) = unbounded_channel();
        let mut runner = EffectRunner::new(
            tx,
            Context {
                progress_path: None,
                progress_book: Default::default(),
                client: Some(client),
                try_gateway: false,
            },
        );
        runner.run_all(effects);
        let (change_tx, change_rx) = unbounded_channel();
        observe_virtual_service(&sim.store(), change_tx);
        let mut bench = Bench {
            model,
            rx,
            runner,
            sim,
            change_rx,
            changes: Vec::new(),
            sends: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        // Pod start-up churn would otherwise share the sim with the first samples.
        let ready = bench
            .drive(deadline, |b| {
                b.model.traffic.sliders.weights().len() == 3 && bookinfo_ready(&b.model)
            })
            .await;
        if !ready {
            return Err("Bookinfo and the 80/20 split did not show up within 30 s".into());
        }
        Ok(bench)
    }

    /// Runs the app loop (batches, effects, store changes) until `done` holds or `deadline`
    /// passes; returns whether `done` held.
    async fn drive(&mut self, deadline: Instant, done: impl Fn(&Bench) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::select! {
                effects = next_batch(&mut self.model, &mut self.rx) => self.run_effects(effects),
                Some(change) = self.change_rx.recv() => self.changes.push(change),
                () = tokio::time::sleep_until(deadline.into()) => {}
            }
        }
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        let patches = effects
            .iter()
            .filter(|e| matches!(e, Effect::PatchVirtualService { .. }))
            .count();
        let now = Instant::now();
        self.sends.extend(std::iter::repeat_n(now, patches));
        self.runner.run_all(effects);
    }

    /// Presses a key as the terminal would deliver it; returns when.
    fn key(&mut self, code: KeyCode) -> Instant {
        let pressed = Instant::now();
        self.model.clock = pressed;
        let effects = update(
            &mut self.model,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
        self.run_effects(effects);
        pressed
    }

    fn slider_weights(&self) -> Weights {
        self.model
            .traffic
            .sliders
            .weights()
            .into_iter()
            .filter(|(_, w)| *w > 0)
            .map(|(subset, w)| (subset, u64::from(w)))
            .collect()
    }

    /// The first store change at or after `since` that holds `weights`.
    fn arrival(&self, since: Instant, weights: &Weights) -> Option<Instant> {
        self.changes
            .iter()
            .find(|c| c.at >= since && &c.weights == weights)
            .map(|c| c.at)
    }

    fn pacing_idle(&self) -> bool {
        let pacing = &self.model.traffic.debouncer;
        !pacing.in_flight() && !pacing.pending()
    }

    /// Waits until `at` and until the pacing has nothing pending or in flight.
    async fn settle(&mut self, at: Instant) -> Result<(), String> {
        self.drive(at, |_| false).await;
        if self.drive(at + GIVE_UP, Bench::pacing_idle).await {
            Ok(())
        } else {
            Err("the pacing never became idle".into())
        }
    }

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
        self.model.traffic.sliders.selected = 0;

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

struct Repeat {
    held: Duration,
    /// When the app sent each patch.
    sends: Vec<Instant>,
    /// When the sim's store changed the VirtualService.
    changes: Vec<Instant>,
    last_value_wins: bool,
    last_key_to_value: Option<Duration>,
}

fn bookinfo_ready(model: &Model) -> bool {
    model.cluster.pods.get("default").is_some_and(|pods| {
        pods.len() >= 6
            && pods
                .values()
                .all(|p| p.ready.0 == p.ready.1 && p.status == "Running")
    })
}

/// Forwards every change of default/reviews from the store, timestamped on a plain thread
/// that the store's broadcast wakes directly, so the app's busy runtime cannot delay the stamp.
fn observe_virtual_service(store: &SimStore, changes: UnboundedSender<Change>) {
    let mut events = store.subscribe();
    std::thread::spawn(move || {
        loop {
            let event = match events.blocking_recv() {
                Ok(event) => event,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            let at = Instant::now();
            let object = &event.object;
            let ours = event.namespace == "default"
                && object["kind"] == "VirtualService"
                && object["metadata"]["name"] == "reviews";
            if ours
                && changes
                    .send(Change {
                        at,
                        weights: route_weights(object),
                    })
                    .is_err()
            {
                return;
            }
        }
    });
}

fn route_weights(vs: &Value) -> Weights {
    vs["spec"]["http"][0]["route"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let subset = d["destination"]["subset"].as_str()?.to_string();
            let weight = d["weight"].as_u64().unwrap_or(0);
            (weight > 0).then_some((subset, weight))
        })
        .collect()
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Patches per second over the span they cover: intervals between consecutive patches, so a
/// steady 100 ms pace reads as exactly 10/s however the window is cut.
fn rate(times: &[Instant]) -> f64 {
    match (times.first(), times.last()) {
        (Some(first), Some(last)) if times.len() > 1 => {
            (times.len() - 1) as f64 / last.duration_since(*first).as_secs_f64()
        }
        _ => 0.0,
    }
}

fn min_gap(times: &[Instant]) -> Option<Duration> {
    times.windows(2).map(|w| w[1].duration_since(w[0])).min()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

/// Prints the table; returns whether every target was met.
fn report(latencies: &[Duration], repeat: &Repeat, total: Duration) -> bool {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let p50 = percentile(&sorted, 0.50);
    let p99 = percentile(&sorted, 0.99);
    let send_rate = rate(&repeat.sends);
    let change_rate = rate(&repeat.changes);
    let p99_ok = p99 < P99_TARGET;
    let rate_ok = send_rate <= RATE_TARGET && change_rate <= RATE_TARGET;
    let gap = |times: &[Instant]| min_gap(times).map_or("-".into(), ms);
    let rows: Vec<(String, String, String, &str)> = vec![
        (
            format!("key → patch in sim, p50 ({} samples)", sorted.len()),
            "-".into(),
            ms(p50),
            "",
        ),
        (
            "key → patch in sim, p99".into(),
            format!("< {}", ms(P99_TARGET)),
            ms(p99),
            verdict(p99_ok),
        ),
        (
            "key → patch in sim, max".into(),
            "-".into(),
            ms(sorted.last().copied().unwrap_or_default()),
            "",
        ),
        (
            format!("held key: {} repeats over {}", REPEATS, ms(repeat.held)),
            "-".into(),
            format!(
                "{} sent / {} stored",
                repeat.sends.len(),
                repeat.changes.len()
            ),
            "",
        ),
        (
            "held key: patches/s sent by the app".into(),
            format!("<= {RATE_TARGET:.0}/s"),
            format!("{send_rate:.2}/s"),
            verdict(send_rate <= RATE_TARGET),
        ),
        (
            "held key: changes/s stored by the sim".into(),
            format!("<= {RATE_TARGET:.0}/s"),
            format!("{change_rate:.2}/s"),
            verdict(change_rate <= RATE_TARGET),
        ),
        (
            "held key: shortest gap sent / stored".into(),
            format!(">= {}", ms(istio_lab::traffic::debounce::MIN_INTERVAL)),
            format!("{} / {}", gap(&repeat.sends), gap(&repeat.changes)),
            "",
        ),
        (
            "held key: last value wins".into(),
            "yes".into(),
            if repeat.last_value_wins { "yes" } else { "no" }.into(),
            verdict(repeat.last_value_wins),
        ),
        (
            "held key: last key → last value in sim".into(),
            "-".into(),
            repeat.last_key_to_value.map_or("-".into(), ms),
            "",
        ),
    ];
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    println!();
    println!("{:width$}  {:>10}  {:>22}", "metric", "target", "measured");
    for (metric, target, measured, verdict) in &rows {
        let pad = width - metric.chars().count();
        println!(
            "{metric}{:pad$}  {target:>10}  {measured:>22}  {verdict}",
            ""
        );
    }
    println!("(total {:.1} s)", total.as_secs_f64());
    p99_ok && rate_ok && repeat.last_value_wins
}
