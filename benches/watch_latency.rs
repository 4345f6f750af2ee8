//! Watch event → redrawn frame against the demo cluster over real HTTP: a pod write in the
//! sim's store, the kube-rs watcher, the app channel, `update`, and a 200×60 frame.

mod common;

use std::time::{Duration, Instant};

use istio_lab::app::Model;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;

use common::{HEIGHT, NAMESPACE, WIDTH, apply_until, standalone_pod};

const SAMPLES: usize = 600;
const TARGET_P99: Duration = Duration::from_millis(20);
/// Generous: only a broken setup takes this long.
const SETUP_LIMIT: Duration = Duration::from_secs(60);
const SAMPLE_LIMIT: Duration = Duration::from_secs(5);
/// A pause between writes, so each sample is one event arriving at an idle app.
const PAUSE: Duration = Duration::from_millis(3);
const PROBE_POD: &str = "reviews-v1-latency-probe";
const PROBE_LABEL: &str = "bench.istio-lab/seq";

struct Case {
    label: &'static str,
    /// Standalone pods written into the lab namespace before measuring.
    background_pods: usize,
    samples: usize,
}

struct Summary {
    label: &'static str,
    rows: usize,
    samples: Vec<Duration>,
    /// Of each sample, the part until the model held the change (before the draw).
    delivered: Vec<Duration>,
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let cases = [
        Case {
            label: "demo cluster",
            background_pods: 0,
            samples: SAMPLES,
        },
        Case {
            label: "5,000 pods",
            background_pods: 5_000,
            samples: SAMPLES,
        },
    ];
    let summaries: Vec<Summary> = cases
        .iter()
        .map(|case| runtime.block_on(measure(case)))
        .collect();
    print_table(&summaries);
}

async fn measure(case: &Case) -> Summary {
    let sim = common::demo_cluster().await;
    let store = sim.store();
    let template = common::bookinfo_pod_value();
    for index in 0..case.background_pods {
        store
            .put(standalone_pod(&template, &common::pod_name(index)))
            .expect("the sim stores a pod");
    }
    let mut probe = standalone_pod(&template, PROBE_POD);
    set_label(&mut probe, 0);
    store.put(probe.clone()).expect("the sim stores a pod");

    let mut model = common::model();
    let mut watching = common::watch(&sim, model.cluster.generation);
    let expected_rows = case.background_pods + 1;
    apply_until(
        &mut model,
        &mut watching.rx,
        SETUP_LIMIT,
        "the watchers to list every pod",
        |m| common::connected(m) && common::default_pods(m) == expected_rows,
    )
    .await;

    let mut terminal =
        Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal never fails");
    draw(&mut terminal, &mut model);

    let mut samples = Vec::with_capacity(case.samples);
    let mut delivered = Vec::with_capacity(case.samples);
    for seq in 1..=case.samples {
        set_label(&mut probe, seq);
        let write = probe.clone();
        tokio::time::sleep(PAUSE).await;
        let started = Instant::now();
        store.put(write).expect("the sim stores a pod");
        apply_until(
            &mut model,
            &mut watching.rx,
            SAMPLE_LIMIT,
            "the probe pod's change",
            |m| probe_seq(m) == Some(seq),
        )
        .await;
        delivered.push(started.elapsed());
        draw(&mut terminal, &mut model);
        samples.push(started.elapsed());
    }
    watching.handle.stop();
    sim.shutdown().await;
    Summary {
        label: case.label,
        rows: expected_rows,
        samples,
        delivered,
    }
}

fn set_label(pod: &mut Value, seq: usize) {
    pod["metadata"]["labels"][PROBE_LABEL] = Value::String(seq.to_string());
}

fn probe_seq(model: &Model) -> Option<usize> {
    model
        .cluster
        .pods
        .get(NAMESPACE)?
        .get(PROBE_POD)?
        .labels
        .get(PROBE_LABEL)?
        .parse()
        .ok()
}

/// Draws as the runtime's loop does: after every batch.
fn draw(terminal: &mut Terminal<TestBackend>, model: &mut Model) {
    terminal
        .draw(|frame| istio_lab::app::view::draw(frame, model))
        .expect("drawing into a test backend never fails");
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn print_table(summaries: &[Summary]) {
    println!();
    println!(
        "watch event -> redrawn {WIDTH}x{HEIGHT} frame (sim over HTTP, kube-rs watcher, update, draw)"
    );
    println!(
        "| case | pods in table | samples | p50 | p95 | p99 | max | p99 target {} | p50 until the model has it |",
        millis(TARGET_P99)
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for summary in summaries {
        let mut sorted = summary.samples.clone();
        sorted.sort();
        let p99 = percentile(&sorted, 0.99);
        let mut delivered = summary.delivered.clone();
        delivered.sort();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            summary.label,
            summary.rows,
            sorted.len(),
            millis(percentile(&sorted, 0.50)),
            millis(percentile(&sorted, 0.95)),
            millis(p99),
            millis(sorted[sorted.len() - 1]),
            if p99 < TARGET_P99 { "met" } else { "MISSED" },
            millis(percentile(&delivered, 0.50)),
        );
    }
}
