//! The first pods table at 5,000 and 50,000 pods: from starting the watchers to the first
//! rows in the model, and to the complete table, with streaming lists and with paged lists
//! (the demo cluster refusing streaming lists as a server without RequestWatchProgress
//! does), plus the frames the runtime would draw meanwhile and the RSS after.
//!
//! The demo cluster runs in a child process of its own, as an API server would, so the RSS
//! is the app's alone; each case gets fresh processes, since RSS never shrinks back.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use istio_lab::sim::StreamingLists;

use common::{mib, next_batch, rss_kib, standalone_pod};

const ROLE_VAR: &str = "ISTIO_LAB_BENCH_FIRST_ROWS_ROLE";
const PODS_VAR: &str = "ISTIO_LAB_BENCH_FIRST_ROWS_PODS";
const MODE_VAR: &str = "ISTIO_LAB_BENCH_FIRST_ROWS_MODE";
const URL_VAR: &str = "ISTIO_LAB_BENCH_FIRST_ROWS_URL";
const TOKEN_VAR: &str = "ISTIO_LAB_BENCH_FIRST_ROWS_TOKEN";
const CA_VAR: &str = "ISTIO_LAB_BENCH_FIRST_ROWS_CA";
/// Generous: only a broken setup takes this long.
const LIMIT: Duration = Duration::from_secs(600);
/// Lets the last batches and buffers settle before reading RSS.
const SETTLE: Duration = Duration::from_millis(500);

const CASES: [(usize, Mode); 4] = [
    (5_000, Mode::Streaming),
    (5_000, Mode::Paged),
    (50_000, Mode::Streaming),
    (50_000, Mode::Paged),
];
/// Targets: first rows, and RSS, per pod count.
const FIRST_ROWS_TARGET: [(usize, Duration); 2] = [
    (5_000, Duration::from_millis(500)),
    (50_000, Duration::from_secs(1)),
];
const RSS_TARGET_MIB: [(usize, f64); 2] = [(5_000, 60.0), (50_000, 100.0)];

#[derive(Clone, Copy)]
enum Mode {
    Streaming,
    Paged,
}

impl Mode {
    fn key(self) -> &'static str {
        match self {
            Mode::Streaming => "streaming",
            Mode::Paged => "paged",
        }
    }

    fn served(self) -> StreamingLists {
        match self {
            Mode::Streaming => StreamingLists::Served,
            Mode::Paged => StreamingLists::WithoutWatchProgress,
        }
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

fn main() {
    match std::env::var(ROLE_VAR).as_deref() {
        Ok("server") => runtime().block_on(serve()),
        Ok("app") => runtime().block_on(watch()),
        _ => orchestrate(),
    }
}

/// The demo cluster with `PODS` injected pods in the lab namespace, serving until its
/// stdin closes.
async fn serve() {
    let pods: usize = env(PODS_VAR).parse().expect("a pod count");
    let mode = match env(MODE_VAR).as_str() {
        "paged" => Mode::Paged,
        _ => Mode::Streaming,
    };
    let sim = common::demo_cluster().await;
    sim.set_streaming_lists(mode.served());
    let store = sim.store();
    let template = common::bookinfo_pod_value();
    for index in 0..pods {
        store
            .put(standalone_pod(&template, &common::pod_name(index)))
            .expect("the sim stores a pod");
    }
    // The run's token and CA go to the app side with the address (TLS, as `--demo` uses).
    let ca = base64::engine::general_purpose::STANDARD.encode(sim.ca_der());
    println!("READY {} {} {ca}", sim.server_url(), sim.token());
    std::io::stdout().flush().expect("stdout");
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await;
    sim.shutdown().await;
}

/// The app's side: watchers into the model, timed; prints one RESULT line.
async fn watch() {
    let pods: usize = env(PODS_VAR).parse().expect("a pod count");
    let mut config = kube::Config::new(env(URL_VAR).parse().expect("a server URL"));
    config.default_namespace = common::NAMESPACE.into();
    config.auth_info = serde_json::from_value(serde_json::json!({ "token": env(TOKEN_VAR) }))
        .expect("a token user");
    let ca = base64::engine::general_purpose::STANDARD
        .decode(env(CA_VAR))
        .expect("the CA");
    config.root_cert = Some(vec![ca]);
    let client = istio_lab::features::cluster::client_from_config(config).expect("a client");
    let mut model = common::model();
    let started = Instant::now();
    let mut watching = common::watch_client(client, model.cluster.generation);
    let mut frames = 0usize;
    let first = tokio::time::timeout(LIMIT, async {
        while common::default_pods(&model) == 0 {
            assert!(next_batch(&mut model, &mut watching.rx).await);
            frames += 1;
        }
        started.elapsed()
    })
    .await
    .expect("the first rows");
    let complete = tokio::time::timeout(LIMIT, async {
        while !(common::connected(&model) && common::default_pods(&model) == pods) {
            assert!(next_batch(&mut model, &mut watching.rx).await);
            frames += 1;
        }
        started.elapsed()
    })
    .await
    .expect("the complete table");
    tokio::time::sleep(SETTLE).await;
    // Anything that came meanwhile, so the model is as current as the screen would be.
    while let Ok(msg) = watching.rx.try_recv() {
        istio_lab::app::update(&mut model, msg, jiff::Timestamp::now());
    }
    let rss = rss_kib().unwrap_or(0);
    let peak = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "RESULT {} {} {frames} {rss} {peak}",
        first.as_micros(),
        complete.as_micros()
    );
    watching.handle.stop();
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

struct Outcome {
    first: Duration,
    complete: Duration,
    frames: usize,
    rss_kib: u64,
    peak_kib: u64,
}

fn run_case(pods: usize, mode: Mode) -> Outcome {
    let exe = std::env::current_exe().expect("the bench binary's path");
    eprintln!("{pods} pods, {}: starting the demo cluster", mode.key());
    let mut server = Command::new(&exe)
        .env(ROLE_VAR, "server")
        .env(PODS_VAR, pods.to_string())
        .env(MODE_VAR, mode.key())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the demo cluster starts");
    let stdout = server.stdout.take().expect("the server's stdout");
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("READY ").map(str::to_string))
        .expect("the demo cluster says where it serves");
    let mut parts = ready.split(' ').map(str::to_string);
    let (url, token, ca) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    eprintln!("{pods} pods, {}: watching {url}", mode.key());
    let app = Command::new(&exe)
        .env(ROLE_VAR, "app")
        .env(PODS_VAR, pods.to_string())
        .env(URL_VAR, &url)
        .env(TOKEN_VAR, &token)
        .env(CA_VAR, &ca)
        .stderr(Stdio::inherit())
        .output()
        .expect("the app side runs");
    // Closing its stdin ends the server.
    drop(server.stdin.take());
    let _ = server.wait();
    assert!(app.status.success(), "the app side failed");
    let text = String::from_utf8_lossy(&app.stdout);
    let fields: Vec<u64> = text
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .expect("a RESULT line")
        .split(' ')
        .map(|f| f.parse().expect("a number"))
        .collect();
    Outcome {
        first: Duration::from_micros(fields[0]),
        complete: Duration::from_micros(fields[1]),
        frames: usize::try_from(fields[2]).unwrap_or(usize::MAX),
        rss_kib: fields[3],
        peak_kib: fields[4],
    }
}

fn target<T: Copy>(targets: &[(usize, T)], pods: usize) -> T {
    targets
        .iter()
        .find(|(n, _)| *n == pods)
        .map(|(_, t)| *t)
        .expect("a target for every pod count")
}

fn orchestrate() {
    let outcomes: Vec<(usize, Mode, Outcome)> = CASES
        .iter()
        .map(|&(pods, mode)| (pods, mode, run_case(pods, mode)))
        .collect();
    println!();
    println!("first pods table (demo cluster in its own process, kube-rs watchers, update)");
    println!(
        "| pods | lists | first rows | target | complete table | frames until complete | RSS after | target | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (pods, mode, o) in outcomes {
        let first_target = target(&FIRST_ROWS_TARGET, pods);
        let rss_target = target(&RSS_TARGET_MIB, pods);
        let rss = mib(o.rss_kib);
        println!(
            "| {pods} | {} | {:.3} s | {} | {:.3} s | {} | {rss:.1} MiB | {} | {:.1} MiB |",
            mode.key(),
            o.first.as_secs_f64(),
            if o.first < first_target {
                "met"
            } else {
                "MISSED"
            },
            o.complete.as_secs_f64(),
            o.frames,
            if rss < rss_target { "met" } else { "MISSED" },
            mib(o.peak_kib),
        );
    }
}
