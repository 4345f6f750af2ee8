//! The event loop: terminal events, signals and effect results become `Msg`s; one draw per drained batch.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::cluster_effects::ClusterEffects;
use super::msg::{Effect, Msg};
use super::progress::{self, ProgressBook};
use super::terminal::{self, TerminalGuard};
use super::{Model, osc52, update};
use crate::ui;

/// How often the progress file may be written while the learner scrolls.
const PROGRESS_WRITE_INTERVAL: Duration = Duration::from_millis(500);

pub struct Context {
    pub progress_path: Option<PathBuf>,
    pub progress_book: ProgressBook,
    /// The cluster to watch; `None` when no client could be built (the lessons still work).
    pub client: Option<kube::Client>,
    /// Whether the probe may try GATEWAY_URL (not on the demo cluster, whose address is fictional).
    pub try_gateway: bool,
}

const TICK: Duration = Duration::from_secs(1);

pub async fn run(
    mut model: Model,
    initial: Vec<Effect>,
    context: Context,
) -> color_eyre::Result<()> {
    let mut guard = TerminalGuard::enter()?;
    let (tx, mut rx) = unbounded_channel();
    let size = guard.terminal.size()?;
    let mut effects = initial;
    effects.extend(update(
        &mut model,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    ));

    let input = tokio::spawn(forward_terminal_events(tx.clone()));
    let signals = tokio::spawn(forward_signals(tx.clone()));
    let ticks = tokio::spawn(forward_ticks(tx.clone()));
    let mut runner = EffectRunner::new(tx.clone(), context);
    runner.run_all(effects);

    while !model.quit {
        if model.dirty {
            guard.terminal.draw(|frame| ui::draw(frame, &model))?;
            model.dirty = false;
        }
        let effects = next_batch(&mut model, &mut rx).await;
        runner.run_all(effects);
    }
    input.abort();
    signals.abort();
    ticks.abort();
    runner.cluster.stop();
    runner.flush_progress().await;
    drop(guard);
    Ok(())
}

/// Waits for one message, then applies every message already queued, so a burst costs one draw.
pub async fn next_batch(model: &mut Model, rx: &mut UnboundedReceiver<Msg>) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(first) = rx.recv().await else {
        model.quit = true;
        return effects;
    };
    model.clock = Instant::now();
    effects.extend(update(model, first));
    while let Ok(msg) = rx.try_recv() {
        effects.extend(update(model, msg));
    }
    effects
}

async fn forward_terminal_events(tx: UnboundedSender<Msg>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let msg = match event {
            Ok(Event::Key(key)) => Msg::Key(key),
            Ok(Event::Mouse(mouse)) => Msg::Mouse(mouse),
            Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
            Ok(Event::Paste(text)) => Msg::Paste(text),
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!("terminal event error: {e}");
                continue;
            }
        };
        if tx.send(msg).is_err() {
            break;
        }
    }
}

async fn forward_ticks(tx: UnboundedSender<Msg>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        if tx.send(Msg::Tick(jiff::Timestamp::now())).is_err() {
            break;
        }
    }
}

#[cfg(unix)]
async fn forward_signals(tx: UnboundedSender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::hangup(),
    ];
    let mut streams: Vec<_> = kinds.into_iter().filter_map(|k| signal(k).ok()).collect();
    if streams.is_empty() {
        return;
    }
    let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
    let _ = futures::future::select_all(waits).await;
    let _ = tx.send(Msg::Terminate);
}

#[cfg(not(unix))]
async fn forward_signals(tx: UnboundedSender<Msg>) {
    if tokio::signal::ctrl_c().await.is_ok() {
        let _ = tx.send(Msg::Terminate);
    }
}

/// Performs effects; every result comes back as a `Msg`. Public so tests and benchmarks can
/// drive update and effects against a cluster without a terminal.
pub struct EffectRunner {
    tx: UnboundedSender<Msg>,
    context: Context,
    inside_tmux: bool,
    progress_dirty: bool,
    last_progress_write: Option<Instant>,
    cluster: ClusterEffects,
}

impl EffectRunner {
    pub fn new(tx: UnboundedSender<Msg>, context: Context) -> EffectRunner {
        let cluster = ClusterEffects::new(tx.clone(), context.client.clone(), context.try_gateway);
        EffectRunner {
            tx,
            context,
            inside_tmux: std::env::var_os("TMUX").is_some(),
            progress_dirty: false,
            last_progress_write: None,
            cluster,
        }
    }

    pub fn run_all(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
        if self.progress_dirty
            && self
                .last_progress_write
                .is_none_or(|at| at.elapsed() >= PROGRESS_WRITE_INTERVAL)
        {
            self.write_progress();
        }
    }

    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::CopyToClipboard(text) => {
                if let Err(e) = terminal::write_raw(&osc52::sequence(&text, self.inside_tmux)) {
                    tracing::warn!("clipboard write failed: {e}");
                }
            }
            Effect::SaveProgress(progress) => {
                self.context.progress_book.set(&progress);
                self.progress_dirty = true;
            }
            Effect::WatchNamespace {
                namespace,
                generation,
            } => self.cluster.watch(&namespace, generation),
            Effect::PatchVirtualService {
                namespace,
                name,
                body,
            } => {
                self.cluster.patch_virtual_service(namespace, name, body);
            }
            Effect::ApplyManifest { namespace, yaml } => {
                self.cluster.apply_manifest(namespace, yaml)
            }
            Effect::ReplaceObject {
                kind,
                namespace,
                name,
                object,
            } => {
                self.cluster.replace_object(kind, namespace, name, object);
            }
            Effect::Probe {
                namespace,
                rate,
                generation,
            } => self.cluster.probe(namespace, rate, generation),
            Effect::Timer { after, msg } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(msg.into());
                });
            }
        }
    }

    fn write_progress(&mut self) {
        let Some(path) = self.context.progress_path.clone() else {
            return;
        };
        self.progress_dirty = false;
        self.last_progress_write = Some(Instant::now());
        let book = self.context.progress_book.clone();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result =
                progress::save(&path, &book).map_err(|e| format!("{}: {e}", path.display()));
            let _ = tx.send(Msg::ProgressSaved(result));
        });
    }

    async fn flush_progress(&mut self) {
        let Some(path) = self.context.progress_path.clone() else {
            return;
        };
        let book = self.context.progress_book.clone();
        let result = tokio::task::spawn_blocking(move || progress::save(&path, &book)).await;
        if let Ok(Err(e)) = result {
            tracing::warn!("could not save progress: {e}");
        }
    }
}
