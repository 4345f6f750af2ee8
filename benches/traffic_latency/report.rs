//! The benchmark's statistics and its printed table of metric, target and measured value.

use std::time::{Duration, Instant};

const P99_TARGET: Duration = Duration::from_millis(150);
const RATE_TARGET: f64 = 10.0;
const MIN_INTERVAL: Duration = istio_lab::features::traffic::debounce::MIN_INTERVAL;

/// What holding a key did.
pub struct Repeat {
    pub presses: usize,
    /// From the first press to the last.
    pub held: Duration,
    /// When the app sent each patch.
    pub sends: Vec<Instant>,
    /// When the sim's store changed the VirtualService.
    pub changes: Vec<Instant>,
    /// The store ended on the last press's weights, changed after that press.
    pub last_value_wins: bool,
    pub last_key_to_value: Option<Duration>,
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
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Rows of metric, target, measured value and verdict (empty when the row has no target).
#[derive(Default)]
struct Table(Vec<[String; 4]>);

impl Table {
    fn row(&mut self, metric: String, target: &str, measured: String, met: Option<bool>) {
        let verdict = match met {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        };
        self.0
            .push([metric, target.into(), measured, verdict.into()]);
    }

    fn print(&self) {
        let header = ["metric", "target", "measured", ""].map(String::from);
        let rows: Vec<&[String; 4]> = std::iter::once(&header).chain(&self.0).collect();
        let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
        let widths = [width(0), width(1), width(2)];
        for row in rows {
            let mut line = String::new();
            for (cell, width) in row.iter().zip(widths) {
                let pad = width - cell.chars().count();
                line.push_str(&format!("{cell}{:pad$}  ", ""));
            }
            line.push_str(&row[3]);
            println!("{}", line.trim_end());
        }
    }
}

/// Prints the table; returns whether every target was met.
pub fn report(latencies: &[Duration], repeat: &Repeat, total: Duration) -> bool {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let p99 = percentile(&sorted, 0.99);
    let (send_rate, change_rate) = (rate(&repeat.sends), rate(&repeat.changes));
    let sent_gap = min_gap(&repeat.sends);
    let gap = |g: Option<Duration>| g.map_or("-".into(), ms);
    let met = [
        p99 < P99_TARGET,
        send_rate <= RATE_TARGET,
        change_rate <= RATE_TARGET,
        sent_gap.is_none_or(|g| g >= MIN_INTERVAL),
        repeat.last_value_wins,
    ];
    let mut table = Table::default();
    let samples = sorted.len();
    let p50 = ms(percentile(&sorted, 0.50));
    table.row(
        format!("key → patch in sim, p50 ({samples} presses)"),
        "",
        p50,
        None,
    );
    table.row(
        "key → patch in sim, p99".into(),
        "< 150 ms",
        ms(p99),
        Some(met[0]),
    );
    let max = ms(sorted.last().copied().unwrap_or_default());
    table.row("key → patch in sim, max".into(), "", max, None);
    let held = format!(
        "held key: {} presses in {}",
        repeat.presses,
        ms(repeat.held)
    );
    let counts = format!(
        "{} sent, {} stored",
        repeat.sends.len(),
        repeat.changes.len()
    );
    table.row(held, "", counts, None);
    let sent = format!("{send_rate:.2}/s");
    table.row(
        "held key: patches/s sent".into(),
        "<= 10/s",
        sent,
        Some(met[1]),
    );
    let stored = format!("{change_rate:.2}/s");
    table.row(
        "held key: changes/s in sim".into(),
        "<= 10/s",
        stored,
        Some(met[2]),
    );
    let gaps = format!(
        "{} (in sim {})",
        gap(sent_gap),
        gap(min_gap(&repeat.changes))
    );
    table.row(
        "held key: shortest gap between patches".into(),
        ">= 100 ms",
        gaps,
        Some(met[3]),
    );
    let wins = if repeat.last_value_wins { "yes" } else { "no" }.into();
    table.row(
        "held key: last value wins".into(),
        "yes",
        wins,
        Some(met[4]),
    );
    let last = gap(repeat.last_key_to_value);
    table.row(
        "held key: last press → its value in sim".into(),
        "",
        last,
        None,
    );
    println!();
    table.print();
    println!("(total {:.1} s)", total.as_secs_f64());
    met.iter().all(|ok| *ok)
}
