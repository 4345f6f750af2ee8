//! Fault-injection benchmark: the app against the demo cluster behind a loopback proxy that
//! drops, delays and freezes connections on a schedule, while pods churn in the sim and a
//! slider moves.
//!
//! The app runs headless exactly as the TUI drives it (pure `update`, `EffectRunner`,
//! `next_batch`) with the client the runtime builds (`client_from_config`: connect timeout
//! 10 s, read timeout 35 s), pointed at the proxy. Schedule, from t = 0:
//!
//! - 0–10 s normal; at 10 s every open connection is reset (the proxy keeps accepting);
//! - 15–25 s every forwarded chunk is held 300 ms; 25–30 s normal;
//! - 30–75 s freeze: nothing is forwarded, nothing is closed, new connections are frozen
//!   too, and frozen connections stay frozen afterwards (half-open, as after a laptop sleep
//!   or a VPN drop). 45 s is longer than the detection bound, so a correct app must say so
//!   while it lasts;
//! - from 75 s normal, until the app has converged.
//!
//! Until 75 s a pod is created, made ready or deleted in the sim's store every 500 ms and a
//! slider key (← ← → …) is pressed every 2 s. It measures how long the app shows
//! "connected" over a frozen connection, how long it takes after the faults to show the
//! sim's pods and to have the last slider value in the sim's VirtualService, and which
//! requests the sim served (lists against watches). It prints markdown tables and exits
//! non-zero when an invariant is violated. Run with `cargo bench --bench faults`; set
//! `FAULTS_LOG` to a tracing filter (e.g. `kube_runtime=debug`) to see what the client did,
//! stamped with the time since the schedule began.

#[path = "../tests/common/fault_proxy.rs"]
mod fault_proxy;
#[path = "faults/lab.rs"]
mod lab;
#[path = "faults/report.rs"]
mod report;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use istio_lab::features::cluster::client::TIMEOUTS;

use fault_proxy::Fault;
use lab::{FaultLab, Weights, connected};
use report::{CatchUp, Check, Outcome, Record, longest};

const DROP_AT: Duration = Duration::from_secs(10);
const DELAY_FROM: Duration = Duration::from_secs(15);
const DELAY: Duration = Duration::from_millis(300);
const DELAY_UNTIL: Duration = Duration::from_secs(25);
const FREEZE_FROM: Duration = Duration::from_secs(30);
const FAULTS_END: Duration = Duration::from_secs(75);

const CHURN_EVERY: Duration = Duration::from_millis(500);
const PRESS_EVERY: Duration = Duration::from_secs(2);
const PRESS_FIRST: Duration = Duration::from_secs(1);
/// Moves v1 down two and up one, so every press changes the split and the last value differs
/// from the 80/20 the run starts with.
const PRESSES: [KeyCode; 3] = [KeyCode::Left, KeyCode::Left, KeyCode::Right];
/// How often the loop looks at the schedule and the tables when no message arrives.
const TICK: Duration = Duration::from_millis(50);

/// How long the app may show "connected" over a frozen connection, as the client and the
/// watchers promise it (`TIMEOUTS`, `WATCH_TIMEOUT_SECS`): every request, watches included,
/// fails after the client's read timeout of silence (the server is asked to end each watch
/// after 25 s, sooner than that) and the failure is reported at once; 5 s covers scheduling
/// on a busy machine.
const DETECTION_BOUND: Duration = TIMEOUTS.read.saturating_add(Duration::from_secs(5));
/// How long after the faults the app may take to catch up: a request sent over a frozen
/// connection just before the end waits out the read timeout, and a pooled connection that
/// was frozen can cost one more.
const CONVERGE_LIMIT: Duration = TIMEOUTS.read.saturating_mul(2);
/// How long the converged state must hold before the final checks.
const HOLD: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    // `cargo test --all-targets` runs benches without `--bench`; the two-minute run is only
    // for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("faults: run with `cargo bench --bench faults`");
        return ExitCode::SUCCESS;
    }
    if let Ok(filter) = std::env::var("FAULTS_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_timer(SinceSchedule)
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .init();
    }
    lab::harness::bench_main("faults", run())
}

/// When the schedule began, for the log's timestamps.
static SCHEDULE_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Log lines stamped with the seconds since the schedule began (negative during set-up).
struct SinceSchedule;

impl tracing_subscriber::fmt::time::FormatTime for SinceSchedule {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        match SCHEDULE_START.get() {
            Some(t0) => write!(w, "t={:7.3}", t0.elapsed().as_secs_f64()),
            None => write!(w, "t=  setup"),
        }
    }
}

/// A switch of the proxy at a point of the schedule, and the phase it begins.
enum Action {
    Drop,
    Set(Fault),
}

fn schedule() -> [(Duration, Action, &'static str); 5] {
    [
        (DROP_AT, Action::Drop, "drop (all connections reset)"),
        (DELAY_FROM, Action::Set(Fault::Delay(DELAY)), "delay 300 ms"),
        (DELAY_UNTIL, Action::Set(Fault::Normal), "normal"),
        (FREEZE_FROM, Action::Set(Fault::Freeze), "freeze"),
        (FAULTS_END, Action::Set(Fault::Normal), "recovery (normal)"),
    ]
}

/// The schedule and the checks; Ok(false) when an invariant is violated.
async fn run() -> Result<bool, String> {
    let started = Instant::now();
    let mut lab = FaultLab::start().await?;
    let setup = started.elapsed();
    eprintln!(
        "faults: set up in {:.1} s; running the {} s schedule",
        setup.as_secs_f64(),
        FAULTS_END.as_secs()
    );
    lab.lab.sim.clear_requests();
    let t0 = Instant::now();
    let _ = SCHEDULE_START.set(t0);
    let mut record = Record::new(t0, &lab.lab.model.cluster.connection);
    record.phase("normal", t0, 0);
    let faults_end = t0 + FAULTS_END;
    let give_up = faults_end + CONVERGE_LIMIT;

    let mut schedule = schedule().into_iter().peekable();
    let mut next_churn = t0 + CHURN_EVERY;
    let mut next_press = t0 + PRESS_FIRST;
    let mut presses = 0;
    let mut last_pressed: Weights = lab.slider_weights();
    let mut converged = None;
    let mut catch_up = CatchUp::default();
    loop {
        let now = Instant::now();
        while let Some((_, action, name)) = schedule.next_if(|(at, _, _)| now >= t0 + *at) {
            match action {
                Action::Drop => lab.proxy.drop_all(),
                Action::Set(fault) => lab.proxy.set(fault),
            }
            record.phase(name, now, lab.lab.sim.requests().len());
            eprintln!("faults: {:5.1} s {name}", record.secs(now));
        }
        if now < faults_end {
            if now >= next_churn {
                lab.churn.step()?;
                next_churn += CHURN_EVERY;
            }
            if now >= next_press {
                lab.key(PRESSES[presses % PRESSES.len()]);
                presses += 1;
                last_pressed = lab.slider_weights();
                next_press += PRESS_EVERY;
            }
        } else if catch_up.observe(
            now,
            lab.tables_match(),
            lab.stored_weights().as_ref() == Some(&last_pressed)
                && lab.slider_weights() == last_pressed,
            connected(&lab.lab.model),
        ) {
            converged = Some(now);
            break;
        } else if now >= give_up {
            break;
        }
        let mut wake = now + TICK;
        if now < faults_end {
            wake = wake.min(next_churn).min(next_press);
        }
        if let Some((at, _, _)) = schedule.peek() {
            wake = wake.min(t0 + *at);
        }
        lab.step(wake).await;
        record.observe(&lab.lab.model.cluster.connection);
    }
    catch_up.finish(Instant::now());
    if let Some(at) = converged {
        eprintln!(
            "faults: converged {:.1} s after the faults; holding {HOLD:?}",
            at.duration_since(faults_end).as_secs_f64()
        );
    } else {
        eprintln!("faults: gave up {CONVERGE_LIMIT:?} after the faults");
    }
    // Nothing changes in the sim any more: the converged state must stay.
    lab.drive(Instant::now() + HOLD, |_| false).await;
    record.observe(&lab.lab.model.cluster.connection);

    let requests = lab.lab.sim.requests();
    let freeze = (t0 + FREEZE_FROM, faults_end);
    let detected = record
        .left_connected(freeze.0)
        .map(|shown| (shown.at, shown.state.clone()));
    let frozen_connected = longest(&record.connected_within(freeze.0, freeze.1));
    let recovery = &record.phases[record.phases.len() - 1];
    let recovery_lists =
        report::Counts::of(&requests[recovery.first_request.min(requests.len())..]).lists;
    let stored = lab.stored_weights();
    let shown_pods = lab.shown_pods();
    let stored_pods = lab.stored_pods();
    let checks = vec![
        Check {
            what: format!(
                "the app's pods table equals the sim's pods in `{}` (names and ready counts: {} pods)",
                lab::NAMESPACE,
                stored_pods.len()
            ),
            held: shown_pods == stored_pods,
        },
        Check {
            what: format!(
                "the sim's VirtualService holds the last slider value ({})",
                weights_text(&last_pressed)
            ),
            held: stored.as_ref() == Some(&last_pressed),
        },
        Check {
            what: "the slider still shows the last value pressed".into(),
            held: lab.slider_weights() == last_pressed,
        },
        Check {
            what: "the app shows \"connected\" at the end".into(),
            held: connected(&lab.lab.model),
        },
        Check {
            what: format!(
                "converged within {} s of the faults' end",
                CONVERGE_LIMIT.as_secs()
            ),
            held: converged.is_some(),
        },
        Check {
            what: format!(
                "\"connected\" was never shown over the frozen connections for longer than {} s \
                 (the read timeout of {} s + 5 s)",
                DETECTION_BOUND.as_secs(),
                TIMEOUTS.read.as_secs()
            ),
            held: frozen_connected <= DETECTION_BOUND,
        },
        Check {
            what: format!(
                "recovery resumed the watches without listing again ({recovery_lists} lists after the faults)"
            ),
            held: recovery_lists == 0,
        },
    ];
    let outcome = Outcome {
        setup,
        total: started.elapsed(),
        freeze,
        faults_end,
        detection_bound: DETECTION_BOUND,
        converge_limit: CONVERGE_LIMIT,
        detected,
        converged,
        catch_up,
        presses,
        patches_sent: lab.patches_sent,
        churn_writes: lab.churn.writes,
        proxy: lab.proxy.stats(),
        last_slider: weights_text(&last_pressed),
        stored_slider: stored.as_ref().map_or("none".into(), weights_text),
    };
    report::print(&record, &requests, &outcome, &checks);
    if shown_pods != stored_pods {
        eprintln!("faults: pods shown {shown_pods:?}\nfaults: pods in the sim {stored_pods:?}");
    }
    lab.proxy.stop();
    lab.lab.runner.shutdown().await;
    lab.lab.sim.shutdown().await;
    Ok(checks.iter().all(|c| c.held))
}

fn weights_text(weights: &Weights) -> String {
    weights
        .iter()
        .map(|(subset, weight)| format!("{subset} {weight}"))
        .collect::<Vec<_>>()
        .join(" / ")
}
