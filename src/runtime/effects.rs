//! Performs the effects update asks for: the features' own effect runners for the cluster, and
//! the runtime's clipboard, timers and progress file. Every result comes back as a `Msg`.

use crate::features::class::learner_effects;
use crate::features::notes::runner::NotesRunner;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::{clipboard, progress_file, terminal};
use crate::app::{Effect, Msg};
use crate::features::cluster::effects::ClusterEffects;
use crate::features::lesson::effects::{apply_command, probe, reset};
use crate::features::lesson::msg::LessonEffect;
use crate::features::lesson::progress::ProgressBook;
use crate::features::shell::effects::ShellEffects;
use crate::features::traffic::effects::TrafficEffects;

/// How often the progress file may be written while the learner scrolls.
const PROGRESS_WRITE_INTERVAL: Duration = Duration::from_millis(500);

pub struct Context {
    pub progress_path: Option<PathBuf>,
    pub progress_book: ProgressBook,
    /// The cluster to watch; `None` when no client could be built (the lessons still work).
    pub client: Option<kube::Client>,
    /// Whether the probe may try GATEWAY_URL (the demo cluster's gateway is real too).
    pub try_gateway: bool,
    /// The kubeconfig's exec credential plugin, when there is one: its notices reach the app.
    pub credentials: Option<crate::features::cluster::credentials::ExecCredentials>,
}

/// Public so tests and benchmarks can drive update and effects against a cluster without a
/// terminal.
pub struct EffectRunner {
    tx: UnboundedSender<Msg>,
    context: Context,
    progress_dirty: bool,
    last_progress_write: Option<Instant>,
    cluster: ClusterEffects,
    traffic: TrafficEffects,
    shell: ShellEffects,
    notes: NotesRunner,
}

impl EffectRunner {
    pub fn new(tx: UnboundedSender<Msg>, context: Context) -> EffectRunner {
        let cluster = ClusterEffects::new(tx.clone(), context.client.clone());
        let traffic = TrafficEffects::new(tx.clone(), context.client.clone(), context.try_gateway);
        let shell = ShellEffects::new(tx.clone());
        EffectRunner {
            shell,
            notes: NotesRunner::default(),
            tx,
            context,
            progress_dirty: false,
            last_progress_write: None,
            cluster,
            traffic,
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
                if let Err(e) = terminal::write_raw(&clipboard::sequence(&text)) {
                    tracing::warn!("clipboard write failed: {e}");
                }
            }
            // The loop suspends before effects reach the runner; nothing is left to do here.
            Effect::Suspend => {}
            Effect::Timer { after, msg } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(msg.into());
                });
            }
            Effect::Lesson(LessonEffect::SaveProgress(progress)) => {
                self.context.progress_book.set(&progress);
                self.progress_dirty = true;
            }
            Effect::Lesson(LessonEffect::ApplyCommand { namespace, yaml }) => {
                apply_command(&self.tx, self.context.client.clone(), namespace, yaml);
            }
            Effect::Lesson(LessonEffect::Probe(probes)) => {
                probe(&self.tx, self.context.client.clone(), probes);
            }
            Effect::Lesson(LessonEffect::Reset { namespace, plan }) => {
                reset(&self.tx, self.context.client.clone(), namespace, plan);
            }
            // Update sets `quit` itself when it hands this out; nothing is left to do.
            Effect::Quit => {}
            Effect::Cluster(effect) => self.cluster.run(effect),
            Effect::Traffic(effect) => self.traffic.run(effect, &self.cluster),
            Effect::Shell(effect) => self.shell.run(effect),
            Effect::Workshop(effect) => {
                learner_effects::run(&self.tx, self.context.client.clone(), effect);
            }
            Effect::Notes(position) => self.notes.publish(position),
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
                progress_file::save(&path, &book).map_err(|e| format!("{}: {e}", path.display()));
            let _ = tx.send(Msg::ProgressSaved(result));
        });
    }

    /// Stops the watchers and the probe, and writes the progress file one last time.
    pub async fn shutdown(&mut self) {
        self.cluster.stop();
        self.shell.stop();
        let Some(path) = self.context.progress_path.clone() else {
            return;
        };
        let book = self.context.progress_book.clone();
        let result = tokio::task::spawn_blocking(move || progress_file::save(&path, &book)).await;
        if let Ok(Err(e)) = result {
            tracing::warn!("could not save progress: {e}");
        }
    }
}
