//! What the run saw, over time: the app's connection state at every change, the phases of the
//! fault schedule with the requests the sim logged in each, and the markdown tables and
//! invariant checks printed at the end.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use istio_lab::features::cluster::ConnectionState;
use istio_lab::sim::{REQUEST_LOG_LIMIT, RequestRecord};

/// The app's connection state from some instant on.
pub struct Shown {
    pub at: Instant,
    pub state: ConnectionState,
}

/// One stretch of the schedule.
pub struct Phase {
    pub name: String,
    pub start: Instant,
    /// Where this phase's requests begin in the sim's request log.
    pub first_request: usize,
}

/// Everything recorded while the schedule ran.
pub struct Record {
    pub t0: Instant,
    pub shown: Vec<Shown>,
    pub phases: Vec<Phase>,
}

impl Record {
    pub fn new(t0: Instant, state: &ConnectionState) -> Record {
        Record {
            t0,
            shown: vec![Shown {
                at: t0,
                state: state.clone(),
            }],
            phases: Vec::new(),
        }
    }

    /// Notes the state the app shows now, if it changed.
    pub fn observe(&mut self, state: &ConnectionState) {
        if self.shown.last().is_none_or(|s| s.state != *state) {
            self.shown.push(Shown {
                at: Instant::now(),
                state: state.clone(),
            });
        }
    }

    pub fn phase(&mut self, name: &str, start: Instant, first_request: usize) {
        self.phases.push(Phase {
            name: name.to_string(),
            start,
            first_request,
        });
    }

    /// Seconds since the schedule started.
    pub fn secs(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.t0).as_secs_f64()
    }

    /// The stretches in [from, to) during which the app showed "connected".
    pub fn connected_within(&self, from: Instant, to: Instant) -> Vec<(Instant, Instant)> {
        let mut stretches = Vec::new();
        for (index, shown) in self.shown.iter().enumerate() {
            let end = self.shown.get(index + 1).map_or(to, |next| next.at);
            let (start, end) = (shown.at.max(from), end.min(to));
            if is_connected(&shown.state) && start < end {
                stretches.push((start, end));
            }
        }
        stretches
    }

    /// The first change away from "connected" at or after `from` (`from` itself if the app
    /// was not showing "connected" then).
    pub fn left_connected(&self, from: Instant) -> Option<&Shown> {
        let at_from = self.shown.iter().rev().find(|s| s.at <= from);
        if at_from.is_some_and(|s| !is_connected(&s.state)) {
            return at_from;
        }
        self.shown
            .iter()
            .find(|s| s.at >= from && !is_connected(&s.state))
    }

    /// The first change back to "connected" after `from`.
    pub fn back_connected(&self, from: Instant) -> Option<&Shown> {
        self.shown
            .iter()
            .find(|s| s.at > from && is_connected(&s.state))
    }
}

/// After the faults: since when each part of convergence has held without a break, and how
/// long the app showed "connected" over a pods table that differed from the sim's (nothing
/// changes in the sim after the faults, so a difference is a table the watch left stale).
#[derive(Debug, Default)]
pub struct CatchUp {
    pub pods_since: Option<Instant>,
    pub route_since: Option<Instant>,
    pub connected_since: Option<Instant>,
    pub stale_connected: Duration,
    stale_from: Option<Instant>,
}

impl CatchUp {
    /// Notes the three parts at `now`; returns whether all hold.
    pub fn observe(&mut self, now: Instant, pods: bool, route: bool, connected: bool) -> bool {
        let since = |slot: &mut Option<Instant>, holds: bool| {
            if holds {
                slot.get_or_insert(now);
            } else {
                *slot = None;
            }
        };
        since(&mut self.pods_since, pods);
        since(&mut self.route_since, route);
        since(&mut self.connected_since, connected);
        let stale = connected && !pods;
        match (stale, self.stale_from) {
            (true, None) => self.stale_from = Some(now),
            (false, Some(from)) => {
                self.stale_connected += now.duration_since(from);
                self.stale_from = None;
            }
            _ => {}
        }
        pods && route && connected
    }

    /// Closes a stale stretch still open at `now`.
    pub fn finish(&mut self, now: Instant) {
        if let Some(from) = self.stale_from.take() {
            self.stale_connected += now.duration_since(from);
        }
    }
}

pub fn is_connected(state: &ConnectionState) -> bool {
    matches!(state, ConnectionState::Connected { .. })
}

pub fn longest(stretches: &[(Instant, Instant)]) -> Duration {
    stretches
        .iter()
        .map(|(start, end)| end.duration_since(*start))
        .max()
        .unwrap_or_default()
}

fn total(stretches: &[(Instant, Instant)]) -> Duration {
    stretches.iter().map(|(s, e)| e.duration_since(*s)).sum()
}

/// Requests by kind: lists, watches, patches, everything else (gets, discovery).
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub lists: usize,
    pub watches: usize,
    pub patches: usize,
    pub other: usize,
}

impl Counts {
    pub fn of(requests: &[RequestRecord]) -> Counts {
        let mut counts = Counts::default();
        for request in requests {
            match request.verb {
                _ if request.is_list() => counts.lists += 1,
                Some("watch") => counts.watches += 1,
                Some("patch") => counts.patches += 1,
                _ => counts.other += 1,
            }
        }
        counts
    }
}

/// One invariant and whether it held.
pub struct Check {
    pub what: String,
    pub held: bool,
}

/// The measured numbers.
pub struct Outcome {
    pub setup: Duration,
    pub total: Duration,
    pub freeze: (Instant, Instant),
    pub faults_end: Instant,
    pub detection_bound: Duration,
    pub converge_limit: Duration,
    /// When the app first stopped showing "connected" after the freeze began, and what it showed.
    pub detected: Option<(Instant, ConnectionState)>,
    pub converged: Option<Instant>,
    pub catch_up: CatchUp,
    pub presses: usize,
    pub patches_sent: usize,
    pub churn_writes: usize,
    pub proxy: crate::fault_proxy::ProxyStats,
    pub last_slider: String,
    pub stored_slider: String,
}

/// Prints the markdown tables, the states the app showed and the invariants' verdicts.
pub fn print(record: &Record, requests: &[RequestRecord], outcome: &Outcome, checks: &[Check]) {
    let (freeze_start, freeze_end) = outcome.freeze;
    let frozen = record.connected_within(freeze_start, freeze_end);
    let secs = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    let mut out = String::new();

    let _ = writeln!(
        out,
        "\nFault injection: the app against the demo cluster through a loopback proxy \
         ({:.0} s schedule, setup {}, whole run {}).\n",
        record.secs(outcome.faults_end),
        secs(outcome.setup),
        secs(outcome.total)
    );
    let _ = writeln!(out, "| Measurement | Value | Bound |");
    let _ = writeln!(out, "|---|---|---|");
    let detection = outcome
        .detected
        .as_ref()
        .map(|(at, _)| at.saturating_duration_since(freeze_start));
    let _ = writeln!(
        out,
        "| Detection (freeze start → not \"connected\") | {} | ≤ {} |",
        detection.map_or("never".into(), secs),
        secs(outcome.detection_bound)
    );
    let _ = writeln!(
        out,
        "| Longest \"connected\" shown while frozen | {} (of {} frozen; {} in all) | ≤ {} |",
        secs(longest(&frozen)),
        secs(freeze_end.duration_since(freeze_start)),
        secs(total(&frozen)),
        secs(outcome.detection_bound)
    );
    let after = |at: Option<Instant>| {
        at.map_or("never".into(), |at| {
            format!(
                "+{:.1} s",
                at.duration_since(outcome.faults_end).as_secs_f64()
            )
        })
    };
    let _ = writeln!(
        out,
        "| Convergence (faults end → pods table = sim, VirtualService = last slider value, connected) | {} (pods table {}, VirtualService {}, connected {}) | ≤ {} |",
        outcome.converged.map_or("never".into(), |at| secs(
            at.duration_since(outcome.faults_end)
        )),
        after(outcome.catch_up.pods_since),
        after(outcome.catch_up.route_since),
        after(outcome.catch_up.connected_since),
        secs(outcome.converge_limit)
    );
    let _ = writeln!(
        out,
        "| After the faults, \"connected\" shown over a stale pods table | {} | |",
        secs(outcome.catch_up.stale_connected)
    );
    let all = Counts::of(requests);
    let _ = writeln!(
        out,
        "| Requests the sim served during the run (list / watch / patch / other) | {} / {} / {} / {} | |",
        all.lists, all.watches, all.patches, all.other
    );
    let _ = writeln!(
        out,
        "| Slider presses / patches sent by the app / pod writes in the sim | {} / {} / {} | |",
        outcome.presses, outcome.patches_sent, outcome.churn_writes
    );
    let _ = writeln!(
        out,
        "| Proxy: connections accepted / reset / frozen | {} / {} / {} | |",
        outcome.proxy.accepted, outcome.proxy.reset, outcome.proxy.frozen
    );

    let _ = writeln!(
        out,
        "\n| Phase | From | App's connection | list / watch / patch / other |"
    );
    let _ = writeln!(out, "|---|---|---|---|");
    for (index, phase) in record.phases.iter().enumerate() {
        let end = record
            .phases
            .get(index + 1)
            .map_or(outcome.converged.unwrap_or_else(Instant::now), |next| {
                next.start
            });
        let last = record
            .phases
            .get(index + 1)
            .map_or(requests.len(), |next| next.first_request);
        let counts = Counts::of(&requests[phase.first_request.min(last)..last]);
        let _ = writeln!(
            out,
            "| {} | {:.1} s | {} | {} / {} / {} / {} |",
            phase.name,
            record.secs(phase.start),
            describe(record, phase.start, end),
            counts.lists,
            counts.watches,
            counts.patches,
            counts.other
        );
    }

    let _ = writeln!(
        out,
        "\nConnection states the app showed (s since the schedule began):"
    );
    for shown in &record.shown {
        let _ = writeln!(
            out,
            "- {:6.1}  {}",
            record.secs(shown.at),
            state_text(&shown.state)
        );
    }
    let _ = writeln!(
        out,
        "\nLast slider value: {}; the sim's VirtualService: {}.",
        outcome.last_slider, outcome.stored_slider
    );
    let mut others: std::collections::BTreeMap<String, usize> = Default::default();
    for request in requests
        .iter()
        .filter(|r| Counts::of(std::slice::from_ref(r)).other == 1)
    {
        *others
            .entry(format!("{} {}", request.method, request.path))
            .or_default() += 1;
    }
    if !others.is_empty() {
        let listed: Vec<String> = others
            .iter()
            .map(|(request, count)| format!("{count} × {request}"))
            .collect();
        let _ = writeln!(out, "Other requests: {}.", listed.join(", "));
    }
    if requests.len() >= REQUEST_LOG_LIMIT {
        let _ = writeln!(
            out,
            "(The sim's request log keeps {REQUEST_LOG_LIMIT} requests and was full: the counts miss the oldest.)"
        );
    }
    let _ = writeln!(out, "\nInvariants:");
    for check in checks {
        let verdict = if check.held { "ok" } else { "VIOLATED" };
        let _ = writeln!(out, "- [{verdict}] {}", check.what);
    }
    println!("{out}");
}

/// How the connection went in [start, end): "connected throughout", or when it left and came back.
fn describe(record: &Record, start: Instant, end: Instant) -> String {
    let connected = record.connected_within(start, end);
    let span = end.saturating_duration_since(start);
    if total(&connected) == span {
        return "connected throughout".into();
    }
    let mut parts = Vec::new();
    if let Some(left) = record.left_connected(start).filter(|s| s.at < end) {
        parts.push(format!(
            "left \"connected\" at +{:.1} s",
            left.at.saturating_duration_since(start).as_secs_f64()
        ));
        if let Some(back) = record.back_connected(left.at).filter(|s| s.at < end) {
            parts.push(format!(
                "back at +{:.1} s",
                back.at.saturating_duration_since(start).as_secs_f64()
            ));
        }
    }
    parts.push(format!(
        "not connected {:.1} s of {:.1} s",
        (span - total(&connected)).as_secs_f64(),
        span.as_secs_f64()
    ));
    parts.join(", ")
}

pub fn state_text(state: &ConnectionState) -> String {
    match state {
        ConnectionState::Connecting => "connecting".into(),
        ConnectionState::Connected { kinds } => format!("connected ({kinds} kinds)"),
        ConnectionState::Reconnecting {
            attempt,
            next_in,
            reason,
        } => format!(
            "reconnecting, attempt {attempt}, next in {:.1} s: {reason}",
            next_in.as_secs_f64()
        ),
        ConnectionState::Forbidden {
            verb,
            resource,
            namespace,
        } => format!("forbidden: {verb} {resource} in {namespace}"),
        ConnectionState::IstioNotInstalled => "Istio not installed".into(),
    }
}
