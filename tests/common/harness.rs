//! One harness for tests and benchmarks (benches include this file by path): the app's first
//! model over the built-in lessons, and the app wired to the demo cluster the way the runtime
//! wires it: update, the effect runner, batches of messages.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::init::{Start, new_model};
use istio_lab::app::model::Target;
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::cluster::apply::apply_manifest;
use istio_lab::runtime::{Context, EffectRunner, next_batch};
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions};
use istio_lab::ui::layout::Pane;
use jiff::Timestamp;
use kube::Client;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub const NAMESPACE: &str = "default";
const LABEL: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    istio-injection: enabled\n";
pub const BOOKINFO: &str = include_str!("../../assets/bookinfo/bookinfo.yaml");
pub const RULE: &str = include_str!("../../assets/bookinfo/destination-rule-reviews.yaml");
pub const ROUTE: &str = include_str!("../../assets/bookinfo/virtual-service-reviews-80-20.yaml");

/// How the app starts on the demo cluster: the built-in Korean lessons, lab namespace
/// `default`, no remembered progress, colour on, no watchers, the clock at the epoch.
pub fn start(width: u16, height: u16) -> Start {
    Start {
        lessons: istio_lab::features::lesson::builtin("ko").expect("built-in lessons parse"),
        lesson_source: "builtin:ko".into(),
        progress: None,
        target: Target {
            demo: true,
            context: istio_lab::sim::CONTEXT_NAME.into(),
            server: "127.0.0.1:6443".into(),
            namespace: NAMESPACE.into(),
        },
        color: true,
        now: Timestamp::UNIX_EPOCH,
        watch: false,
        width,
        height,
        warning: None,
        unavailable: None,
    }
}

/// The app's model and the effects it starts with, without a cluster.
pub fn model(width: u16, height: u16) -> Model {
    new_model(start(width, height)).0
}

/// The app against a demo cluster that holds Bookinfo, the guide's DestinationRule and the
/// 80/20 VirtualService, with the traffic pane focused.
pub struct SimLab {
    pub model: Model,
    pub rx: UnboundedReceiver<Msg>,
    pub runner: EffectRunner,
    pub client: Client,
    pub sim: SimHandle,
}

/// The demo cluster holding Bookinfo, the guide's DestinationRule and the 80/20
/// VirtualService; `speed` scales its pod start-up (50: Bookinfo is ready in well under a second).
pub async fn guide_cluster(speed: f64) -> Result<SimHandle, String> {
    let scenario = Scenario::demo().map_err(|e| format!("demo scenario: {e}"))?;
    let sim = sim::start(SimOptions {
        port: 0,
        speed,
        scenario,
    })
    .await
    .map_err(|e| format!("sim: {e}"))?;
    let client = Client::try_from(sim.kube_config()).map_err(|e| format!("client: {e}"))?;
    for manifest in [LABEL, BOOKINFO, RULE, ROUTE] {
        apply_manifest(&client, NAMESPACE, manifest)
            .await
            .map_err(|e| format!("applying the guide's objects: {e:?}"))?;
    }
    Ok(sim)
}

impl SimLab {
    /// The app on the guide's cluster, talking to it directly.
    pub async fn start(speed: f64) -> Result<SimLab, String> {
        let sim = guide_cluster(speed).await?;
        let client = Client::try_from(sim.kube_config()).map_err(|e| format!("client: {e}"))?;
        Ok(SimLab::attach(sim, client))
    }

    /// The app started on `sim` through `client` (which may go through a proxy), with the
    /// traffic pane focused, its first effects running.
    pub fn attach(sim: SimHandle, client: Client) -> SimLab {
        let (mut model, effects) = new_model(Start {
            color: false,
            now: Timestamp::now(),
            watch: true,
            ..start(120, 40)
        });
        model.focus = Pane::Traffic;
        let (tx, rx) = unbounded_channel();
        let context = Context {
            progress_path: None,
            progress_book: Default::default(),
            client: Some(client.clone()),
            try_gateway: false,
            credentials: None,
        };
        let mut runner = EffectRunner::new(tx, context);
        runner.run_all(effects);
        SimLab {
            model,
            rx,
            runner,
            client,
            sim,
        }
    }

    /// Waits for the next batch of messages and applies it, as the runtime's loop does.
    pub async fn batch(&mut self) -> Vec<Effect> {
        next_batch(&mut self.model, &mut self.rx).await
    }

    /// Presses a key as the terminal would deliver it and runs the effects it asks for.
    pub fn press(&mut self, code: KeyCode) -> Vec<Effect> {
        let key = Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
        update(&mut self.model, key, Timestamp::now())
    }
}

/// A benchmark's `main`: `run` on a two-worker runtime, as this project's machines have; it
/// returns whether every target held, and the process exits with that, or 1 with the error.
pub fn bench_main(
    name: &str,
    run: impl std::future::Future<Output = Result<bool, String>>,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{name}: cannot build the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
