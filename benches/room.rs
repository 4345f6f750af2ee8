//! One demo cluster serving a workshop room of 30 learners for a minute: each learner, with
//! their own kubeconfig, applies Bookinfo and the guide's 80/20 routing into their namespace,
//! runs the app's watchers, probes productpage through the API server's service proxy 5
//! times a second and moves the reviews slider every 2 seconds.
//!
//! The demo cluster runs in a child process, as `istio-lab sim --learners 30` would, so its
//! RSS and CPU time are its own. Prints them, the patch round trips and the delays until each
//! learner's watchers showed their patch, with targets; exits non-zero on a miss.

mod common;
#[path = "room/learner.rs"]
mod learner;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::Engine;
use futures::future::join_all;
use istio_lab::sim::{Scenario, SimOptions};

use common::child::{self, Server};
use common::mib;
use learner::{Learner, Measured, PATCH_EVERY};

const LEARNERS: u16 = 30;
const RUN: Duration = Duration::from_secs(60);
/// The demo cluster's pod start-up, sped up so 30 Bookinfos are ready in seconds; the
/// serving measured afterwards does not depend on it.
const SPEED: f64 = 10.0;
const SETUP_LIMIT: Duration = Duration::from_secs(180);
const TARGET_RSS_MIB: f64 = 300.0;
const TARGET_PATCH_P99: Duration = Duration::from_millis(50);
const TARGET_WATCH_MAX: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    if child::is_server() {
        return serve();
    }
    // `cargo test --all-targets` runs benches without `--bench`; this one is for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("room: run with `cargo bench --bench room`");
        return ExitCode::SUCCESS;
    }
    let server = match Server::start(&[]) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("room: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = common::harness::bench_main("room", run(&server));
    server.stop();
    code
}

/// The child: the demo cluster with a room, each learner's kubeconfig on a line of its own
/// (`LEARNER name base64`), as `istio-lab sim --learners` writes them to files.
fn serve() -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    runtime.block_on(async {
        let scenario = Scenario::demo()
            .expect("the demo scenario loads")
            .with_room(LEARNERS);
        let sim = istio_lab::sim::start(SimOptions {
            port: 0,
            speed: SPEED,
            scenario,
        })
        .await
        .expect("the demo cluster starts");
        let lines: Vec<String> = (1..=LEARNERS)
            .filter_map(|n| {
                let name = format!("learner-{n:02}");
                let text = sim.room_kubeconfig(&name)?;
                let text = base64::engine::general_purpose::STANDARD.encode(text);
                Some(format!("LEARNER {name} {text}"))
            })
            .collect();
        child::serve(sim, &lines).await;
    });
    ExitCode::SUCCESS
}

async fn run(server: &Server) -> Result<bool, String> {
    let kubeconfigs: Vec<(String, String)> = server
        .extra
        .iter()
        .filter_map(|line| {
            let mut parts = line.strip_prefix("LEARNER ")?.split(' ');
            let name = parts.next()?.to_string();
            let text = base64::engine::general_purpose::STANDARD
                .decode(parts.next()?)
                .ok()?;
            Some((name, String::from_utf8(text).ok()?))
        })
        .collect();
    if kubeconfigs.len() != usize::from(LEARNERS) {
        return Err(format!("{} learners' kubeconfigs", kubeconfigs.len()));
    }
    let setup = Instant::now();
    let learners: Vec<Learner> = join_all(
        kubeconfigs
            .iter()
            .map(|(name, text)| Learner::start(name.clone(), text, SETUP_LIMIT)),
    )
    .await
    .into_iter()
    .collect::<Result<_, _>>()?;
    eprintln!(
        "room: {LEARNERS} learners ready in {:.1} s; running for {RUN:?}",
        setup.elapsed().as_secs_f64()
    );

    let cpu_before = server.cpu_seconds().ok_or("the demo cluster's CPU time")?;
    let started = Instant::now();
    let count = u32::from(LEARNERS);
    let measured: Vec<Measured> = join_all(learners.into_iter().enumerate().map(|(i, l)| {
        let offset = PATCH_EVERY * u32::try_from(i).unwrap_or(0) / count;
        tokio::spawn(l.work(RUN, offset))
    }))
    .await
    .into_iter()
    .collect::<Result<_, _>>()
    .map_err(|e| format!("a learner's task: {e}"))?;
    let cpu = server.cpu_seconds().ok_or("the demo cluster's CPU time")? - cpu_before;
    let elapsed = started.elapsed();
    let rss = server.rss_kib().ok_or("the demo cluster's RSS")?;
    let peak = server.peak_rss_kib().unwrap_or(0);
    Ok(report(
        &measured,
        cpu / elapsed.as_secs_f64() * 100.0,
        mib(rss),
        mib(peak),
    ))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn all(measured: &[Measured], field: impl Fn(&Measured) -> &Vec<Duration>) -> Vec<Duration> {
    let mut all: Vec<Duration> = measured.iter().flat_map(|m| field(m).clone()).collect();
    all.sort();
    all
}

fn report(measured: &[Measured], cpu_percent: f64, rss: f64, peak: f64) -> bool {
    let patches = all(measured, |m| &m.patch_latencies);
    let delays = all(measured, |m| &m.watch_delays);
    let probes = all(measured, |m| &m.probe_latencies);
    let errors: Vec<&String> = measured.iter().flat_map(|m| &m.patch_errors).collect();
    let unseen: usize = measured.iter().map(|m| m.unseen_patches).sum();
    let probes_ok: usize = measured.iter().map(|m| m.probes_ok).sum();
    let probes_other: usize = measured.iter().map(|m| m.probes_other).sum();
    let not_connected: Vec<&String> = measured
        .iter()
        .filter_map(|m| m.not_connected.as_ref())
        .collect();
    let max_delay = delays.last().copied().unwrap_or_default();
    let patch_p99 = percentile(&patches, 0.99);

    let rss_met = rss < TARGET_RSS_MIB;
    let patch_met = !patches.is_empty() && patch_p99 < TARGET_PATCH_P99 && errors.is_empty();
    let watch_met = !delays.is_empty() && unseen == 0 && max_delay <= TARGET_WATCH_MAX;
    let connected_met = not_connected.is_empty();
    println!();
    println!(
        "one demo cluster (own process) serving {LEARNERS} learners for {} s: watchers, probe 5/s, slider patch every 2 s each",
        RUN.as_secs()
    );
    println!("| measure | value | target | |");
    println!("|---|---|---|---|");
    println!(
        "| sim RSS after the run (peak) | {rss:.1} MiB ({peak:.1} MiB) | < {TARGET_RSS_MIB:.0} MiB | {} |",
        met(rss_met)
    );
    println!("| sim CPU over the run | {cpu_percent:.0}% of one core | | |");
    println!(
        "| patch round trip p50 / p99 / max ({} patches, {} failed) | {} / {} / {} | p99 < {} | {} |",
        patches.len(),
        errors.len(),
        millis(percentile(&patches, 0.5)),
        millis(patch_p99),
        millis(patches.last().copied().unwrap_or_default()),
        millis(TARGET_PATCH_P99),
        met(patch_met)
    );
    println!(
        "| patch sent -> watcher saw it p50 / p99 / max ({} seen, {unseen} never seen) | {} / {} / {} | max <= {} | {} |",
        delays.len(),
        millis(percentile(&delays, 0.5)),
        millis(percentile(&delays, 0.99)),
        millis(max_delay),
        millis(TARGET_WATCH_MAX),
        met(watch_met)
    );
    println!(
        "| probe round trip p50 / p99 ({probes_ok} productpage, {probes_other} other) | {} / {} | | |",
        millis(percentile(&probes, 0.5)),
        millis(percentile(&probes, 0.99)),
    );
    println!(
        "| learners whose watchers ended connected | {} of {LEARNERS} | all | {} |",
        measured.len() - not_connected.len(),
        met(connected_met)
    );
    for state in not_connected.iter().take(5) {
        eprintln!("room: watchers not connected: {state}");
    }
    for error in errors.iter().take(5) {
        eprintln!("room: {error}");
    }
    rss_met && patch_met && watch_met && connected_met
}
