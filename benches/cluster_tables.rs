//! Live cluster tables: pod row conversion, a 5,000-pod table drawn at 200×60, and
//! 10,000 watch events applied to the model.

mod common;

use istio_lab::features::cluster::msg::ClusterMsg;
use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::{Model, Msg, update};
use istio_lab::features::cluster::{Change, ClusterEvent, PodRow};
use k8s_openapi::api::core::v1::Pod;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::{HEIGHT, NAMESPACE, WIDTH, bookinfo_pod, pod_name};

const TABLE_PODS: usize = 5_000;
const EVENTS: usize = 10_000;

/// The fixture pod renamed, with a restart count that varies so RESTARTS cells differ.
fn variant(template: &Pod, index: usize) -> Pod {
    let mut pod = template.clone();
    pod.metadata.name = Some(pod_name(index));
    if let Some(statuses) = pod
        .status
        .as_mut()
        .and_then(|s| s.container_statuses.as_mut())
    {
        for status in statuses {
            status.restart_count = i32::try_from(index % 4).unwrap_or(0);
        }
    }
    pod
}

fn rows(template: &Pod, count: usize) -> Vec<PodRow> {
    (0..count)
        .map(|i| PodRow::from(&variant(template, i)))
        .collect()
}

fn pods_event(model: &Model, change: Change<PodRow>) -> Msg {
    Msg::Cluster(ClusterMsg::Event {
        generation: model.cluster.generation,
        event: ClusterEvent::Pods {
            namespace: NAMESPACE.into(),
            change,
        },
    })
}

fn model_with_pods(rows: Vec<PodRow>) -> Model {
    let mut model = common::model();
    let count = rows.len();
    let reset = pods_event(&model, Change::Reset(rows));
    update(&mut model, reset, common::T0);
    assert_eq!(common::default_pods(&model), count, "the reset was applied");
    model
}

/// A small deterministic generator, so every run replays the same event mix.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound
    }
}

/// 10,000 watch events over the 5,000-pod table: 60 % modifications of known pods, 30 %
/// new pods, 10 % deletions. Returns the messages and the pod count they leave behind.
fn watch_events(model: &Model, template: &Pod) -> (Vec<Msg>, usize) {
    let mut rng = Lcg(0x1571_0ab5);
    let mut names: BTreeSet<usize> = (0..TABLE_PODS).collect();
    let mut next_new = TABLE_PODS;
    let mut known = TABLE_PODS;
    let mut messages = Vec::with_capacity(EVENTS);
    for _ in 0..EVENTS {
        let roll = rng.below(100);
        let picked = rng.below(known);
        let change = if roll < 60 {
            let mut pod = variant(template, picked);
            if let Some(status) = pod.status.as_mut() {
                status.phase = Some(
                    if roll.is_multiple_of(2) {
                        "Running"
                    } else {
                        "Pending"
                    }
                    .into(),
                );
            }
            names.insert(picked);
            Change::Applied(PodRow::from(&pod))
        } else if roll < 90 {
            names.insert(next_new);
            let row = PodRow::from(&variant(template, next_new));
            next_new += 1;
            known = next_new;
            Change::Applied(row)
        } else {
            names.remove(&picked);
            Change::Deleted {
                name: pod_name(picked),
            }
        };
        messages.push(pods_event(model, change));
    }
    (messages, names.len())
}

fn pod_rows(c: &mut Criterion) {
    let pod = bookinfo_pod();
    let row = PodRow::from(&pod);
    assert_eq!(row.ready, (2, 2), "native sidecar counted as a container");
    assert_eq!(row.status, "Running");
    c.bench_function("pod_row/from_injected_bookinfo_pod", |b| {
        b.iter(|| PodRow::from(black_box(&pod)))
    });
}

fn draw_table(c: &mut Criterion) {
    let template = bookinfo_pod();
    let rows = rows(&template, TABLE_PODS);
    let mut group = c.benchmark_group(format!("pods_table_{TABLE_PODS}"));

    let mut model = common::model();
    group.bench_function("reset_rows", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let reset = pods_event(&model, Change::Reset(rows.clone()));
                let started = Instant::now();
                update(&mut model, reset, common::T0);
                spent += started.elapsed();
            }
            spent
        })
    });
    let mut terminal =
        Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal never fails");
    let frame_of = |terminal: &mut Terminal<TestBackend>, model: &Model| {
        terminal
            .draw(|frame| istio_lab::app::view::draw(frame, model))
            .map(|_| ())
            .expect("drawing into a test backend never fails")
    };
    // The same screen without pods: what the lesson pane and the frame cost on their own.
    let empty = common::model();
    group.bench_function(format!("draw_{WIDTH}x{HEIGHT}_no_pods_baseline"), |b| {
        b.iter(|| frame_of(&mut terminal, &empty))
    });

    // A name filter on the command line may have skipped the loop above.
    let reset = pods_event(&model, Change::Reset(rows));
    update(&mut model, reset, common::T0);
    assert_eq!(common::default_pods(&model), TABLE_PODS);
    frame_of(&mut terminal, &model);
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(
        screen.contains(&pod_name(0)),
        "the first pod is on screen at {WIDTH}x{HEIGHT}"
    );

    group.bench_function(format!("draw_{WIDTH}x{HEIGHT}_unchanged"), |b| {
        b.iter(|| frame_of(&mut terminal, &model))
    });
    // Zoomed (`z`), the pods table is the whole screen: 56 rows of 200 columns every frame.
    update(
        &mut model,
        Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)),
        common::T0,
    );
    assert_eq!(
        model.layout.cluster.map(|r| (r.width, r.height)),
        Some((WIDTH, HEIGHT - 2)),
        "zoomed, the cluster pane fills the screen"
    );
    let mut zoomed_step = 0usize;
    group.bench_function(
        format!("draw_{WIDTH}x{HEIGHT}_zoomed_pods_table_scrolling"),
        |b| {
            b.iter(|| {
                zoomed_step += 1;
                model.cluster.pod_scroll = zoomed_step % 2;
                frame_of(&mut terminal, &model)
            })
        },
    );
    // The same frames, timing only the app's rendering into the frame buffer: what is left
    // of `terminal.draw` is ratatui's own work (clearing the buffer, diffing 12,000 cells
    // against the previous frame, writing the changed ones).
    group.bench_function(
        format!("render_{WIDTH}x{HEIGHT}_zoomed_pods_table_only"),
        |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    zoomed_step += 1;
                    model.cluster.pod_scroll = zoomed_step % 2;
                    terminal
                        .draw(|frame| {
                            let started = Instant::now();
                            istio_lab::app::view::draw(frame, &model);
                            spent += started.elapsed();
                        })
                        .expect("drawing into a test backend never fails");
                }
                spent
            })
        },
    );
    update(
        &mut model,
        Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)),
        common::T0,
    );
    // A scroll by one row changes every table line, so the whole diff is written too;
    // the middle of the list also costs skipping the rows above it.
    let middle = TABLE_PODS / 2;
    let mut step = 0usize;
    group.bench_function(format!("draw_{WIDTH}x{HEIGHT}_scrolled_mid_list"), |b| {
        b.iter(|| {
            step += 1;
            model.cluster.pod_scroll = middle + step % 2;
            frame_of(&mut terminal, &model)
        })
    });
    group.finish();
}

fn apply_events(c: &mut Criterion) {
    let template = bookinfo_pod();
    let mut model = model_with_pods(rows(&template, TABLE_PODS));
    let (messages, remaining) = watch_events(&model, &template);

    let table = model.cluster.clone();
    for msg in messages.clone() {
        update(&mut model, msg, common::T0);
    }
    assert_eq!(
        common::default_pods(&model),
        remaining,
        "every event reached the table"
    );

    let mut group = c.benchmark_group("watch_events");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function(format!("apply_{EVENTS}_to_{TABLE_PODS}_pods"), |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                model.cluster = table.clone();
                let batch = messages.clone();
                let started = Instant::now();
                for msg in batch {
                    update(&mut model, msg, common::T0);
                }
                spent += started.elapsed();
            }
            spent
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = pod_rows, draw_table, apply_events
}
criterion_main!(benches);
