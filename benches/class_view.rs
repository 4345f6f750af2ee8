//! The instructor's class view with 200 learners: 200 progress ConfigMaps in a demo cluster
//! served by a child process, the class view's watch feeding `update` and a 200×60 frame
//! drawn after every batch here, then 300 learners' steps done one at a time, each timed
//! from the ConfigMap's write being sent to the first frame whose row shows the new step.
//! Prints the p50/p99 and this process's RSS with their targets; exits non-zero on a miss.

mod common;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use istio_lab::features::class::doc::{
    FIELD_MANAGER, LessonProgress, PART_OF_LABEL, PROGRESS_CONFIGMAP, StepTitleState,
};
use istio_lab::features::class::effects::{Scope, watch};
use istio_lab::features::class::{ClassModel, ClassMsg, ProgressDoc, StepState, Watching};
use istio_lab::features::class::{update, view};
use istio_lab::ui::theme::Theme;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Client;
use kube::api::{Api, Patch, PatchParams, PostParams};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use common::child::{self, Server};
use common::{HEIGHT, WIDTH, mib, rss_kib};

const LEARNERS: usize = 200;
const CHANGES: usize = 300;
const LESSONS: usize = 12;
const STEPS: usize = 8;
/// Between changes, so each one reaches an idle view, as an instructor's screen mostly is.
const PAUSE: Duration = Duration::from_millis(20);
/// The row of the sorted table whose learner gets the next step done: a step done only moves
/// a learner up (by progress), so the row stays on the 60-line screen.
const CHANGED_ROW: usize = 40;
const TARGET_P99: Duration = Duration::from_millis(100);
const TARGET_RSS_MIB: f64 = 50.0;
/// Generous: only a broken setup takes this long.
const SETUP_LIMIT: Duration = Duration::from_secs(120);
const SAMPLE_LIMIT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    if child::is_server() {
        let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
        runtime.block_on(async {
            let sim = common::demo_cluster().await;
            child::serve(sim, &[]).await;
        });
        return ExitCode::SUCCESS;
    }
    // `cargo test --all-targets` runs benches without `--bench`; this one is for `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("class_view: run with `cargo bench --bench class_view`");
        return ExitCode::SUCCESS;
    }
    let server = match Server::start(&[]) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("class_view: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = server.admin_config();
    let code = common::harness::bench_main("class_view", async move { run(config?).await });
    server.stop();
    code
}

fn namespace(i: usize) -> String {
    format!("class-{i:03}")
}

fn learner(i: usize) -> String {
    format!("student-{i:03}")
}

/// The marker of step `step` (0-based) of lesson `lesson` (1-based) in the table's "current
/// step" cell: unique among all steps, and ASCII, so it is found in the frame as drawn.
fn step_title(lesson: usize, step: usize) -> String {
    format!("L{lesson:02}-S{} 단계를 확인합니다", step + 1)
}

/// A learner's document with the first `done` steps of the course done.
fn doc(i: usize, done: usize, now: Timestamp) -> ProgressDoc {
    let lessons: Vec<LessonProgress> = (1..=LESSONS)
        .map(|number| LessonProgress {
            number,
            title: format!("{number}단원"),
            steps: (0..STEPS)
                .map(|s| StepTitleState {
                    title: step_title(number, s),
                    state: if (number - 1) * STEPS + s < done {
                        StepState::Auto
                    } else {
                        StepState::Todo
                    },
                })
                .collect(),
        })
        .collect();
    let next = done.min(LESSONS * STEPS - 1);
    ProgressDoc {
        version: 1,
        learner: learner(i),
        lesson: next / STEPS + 1,
        step: Some(next % STEPS),
        lessons,
        weights: BTreeMap::from([("v1".into(), 80), ("v2".into(), 20)]),
        active: now,
        progressed: now,
    }
}

/// Server-side apply of the learner's progress ConfigMap, as learners' apps publish it.
async fn publish(client: &Client, ns: &str, doc: &ProgressDoc) -> Result<(), String> {
    let body = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": PROGRESS_CONFIGMAP,
            "labels": BTreeMap::from([PART_OF_LABEL]),
        },
        "data": doc.to_data(),
    });
    Api::<ConfigMap>::namespaced(client.clone(), ns)
        .patch(
            PROGRESS_CONFIGMAP,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Apply(&body),
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("publishing {ns}'s progress: {e}"))
}

struct View {
    model: ClassModel,
    rx: UnboundedReceiver<ClassMsg>,
    terminal: Terminal<TestBackend>,
    theme: Theme,
    frames: usize,
}

impl View {
    /// Waits for one message, applies every one already queued and draws, as
    /// `istio-lab class` does.
    async fn batch(&mut self) -> Result<(), String> {
        let msg = self.rx.recv().await.ok_or("the class watch ended")?;
        update(&mut self.model, msg);
        while let Ok(msg) = self.rx.try_recv() {
            update(&mut self.model, msg);
        }
        let (model, theme) = (&self.model, self.theme);
        self.terminal
            .draw(|frame| view::render(model, frame, theme))
            .map_err(|e| format!("drawing: {e}"))?;
        self.frames += 1;
        Ok(())
    }

    async fn until(
        &mut self,
        limit: Duration,
        what: &str,
        done: impl Fn(&View) -> bool,
    ) -> Result<(), String> {
        let waiting = async {
            while !done(self) {
                self.batch().await?;
            }
            Ok::<(), String>(())
        };
        tokio::time::timeout(limit, waiting)
            .await
            .map_err(|_| format!("timed out after {limit:?} waiting for {what}"))?
    }

    /// Whether a line of the last frame shows `name` with `text`.
    fn shows(&self, name: &str, text: &str) -> bool {
        let buffer = self.terminal.backend().buffer();
        (0..buffer.area.height).any(|y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line.contains(name) && line.contains(text)
        })
    }
}

async fn run(config: kube::Config) -> Result<bool, String> {
    let client = istio_lab::features::cluster::client_from_config(config)
        .map_err(|e| format!("a client: {e:?}"))?;
    let now = Timestamp::now();
    let mut done: Vec<usize> = (0..LEARNERS).map(|i| i % 7).collect();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for (i, steps) in done.iter().enumerate() {
        let ns = namespace(i);
        let object: Namespace = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns},
        }))
        .map_err(|e| e.to_string())?;
        namespaces
            .create(&PostParams::default(), &object)
            .await
            .map_err(|e| format!("creating namespace {ns}: {e}"))?;
        publish(&client, &ns, &doc(i, *steps, now)).await?;
    }

    let (tx, rx) = unbounded_channel();
    let watcher = tokio::spawn(watch(client.clone(), Scope::default(), tx));
    let titles = (1..=LESSONS).map(|n| format!("{n}단원")).collect();
    let mut model = ClassModel::new(titles, None, Timestamp::now());
    update(
        &mut model,
        ClassMsg::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    let mut view = View {
        model,
        rx,
        terminal: Terminal::new(TestBackend::new(WIDTH, HEIGHT))
            .map_err(|e| format!("a test terminal: {e}"))?,
        theme: Theme::new(true),
        frames: 0,
    };
    let listed = Instant::now();
    view.until(SETUP_LIMIT, "every learner listed", |v| {
        v.model.learners.len() == LEARNERS && matches!(v.model.watching, Watching::Live(_))
    })
    .await?;
    let first_list = listed.elapsed();

    let mut samples = Vec::with_capacity(CHANGES);
    for change in 0..CHANGES {
        tokio::time::sleep(PAUSE).await;
        let changed = view
            .model
            .visible()
            .get(CHANGED_ROW)
            .map(|l| l.namespace.clone())
            .ok_or("fewer rows than expected")?;
        let i: usize = changed
            .trim_start_matches("class-")
            .parse()
            .map_err(|e| format!("namespace {changed}: {e}"))?;
        done[i] += 1;
        let next = doc(i, done[i], Timestamp::now());
        let expected = step_title(next.lesson, next.step.unwrap_or(0));
        let marker = expected.split(' ').next().unwrap_or_default().to_string();
        let name = learner(i);
        let sent = Instant::now();
        let writer = client.clone();
        let write = tokio::spawn(async move { publish(&writer, &changed, &next).await });
        view.until(
            SAMPLE_LIMIT,
            &format!("change {change}: {name} at {marker}"),
            |v| v.shows(&name, &marker),
        )
        .await?;
        samples.push(sent.elapsed());
        write.await.map_err(|e| e.to_string())??;
    }
    // What arrived after the last sample (nothing should) is drawn before RSS is read.
    tokio::time::sleep(Duration::from_millis(200)).await;
    while !view.rx.is_empty() {
        view.batch().await?;
    }
    let rss = mib(rss_kib().unwrap_or(0));
    watcher.abort();
    Ok(report(&mut samples, rss, first_list, view.frames))
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(samples: &mut [Duration], rss: f64, first_list: Duration, frames: usize) -> bool {
    samples.sort();
    let p99 = percentile(samples, 0.99);
    let p99_met = p99 < TARGET_P99;
    let rss_met = rss < TARGET_RSS_MIB;
    println!();
    println!(
        "class view, {LEARNERS} learners: progress ConfigMap written -> {WIDTH}x{HEIGHT} frame showing it (demo cluster in its own process)"
    );
    println!(
        "| changes | p50 | p95 | p99 | max | p99 target {} | RSS after | RSS target {TARGET_RSS_MIB:.0} MiB | first list | frames |",
        millis(TARGET_P99)
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} | {} | {} | {rss:.1} MiB | {} | {:.3} s | {frames} |",
        samples.len(),
        millis(percentile(samples, 0.50)),
        millis(percentile(samples, 0.95)),
        millis(p99),
        millis(samples[samples.len() - 1]),
        if p99_met { "met" } else { "MISSED" },
        if rss_met { "met" } else { "MISSED" },
        first_list.as_secs_f64(),
    );
    p99_met && rss_met
}
