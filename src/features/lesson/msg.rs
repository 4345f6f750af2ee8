//! What the lesson feature hears back, and the effects it asks for.

use super::probe::{Answer, Probe};
use super::progress::Progress;
use super::reset::Plan;
use crate::features::cluster::apply::WriteError;

#[derive(Debug, Clone)]
pub enum LessonMsg {
    /// The manifests behind a lesson command run with `r` were applied, or why not.
    CommandApplied(Result<(), WriteError>),
    /// Answers to the probes the current lesson's checks asked for.
    Probed(Vec<(Probe, Answer)>),
    /// The cluster was brought to a lesson's starting state (`R`), or why not.
    ResetDone(Result<(), WriteError>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum LessonEffect {
    /// Server-side apply of the bundled manifests a lesson command names (fieldManager istio-lab).
    ApplyCommand { namespace: String, yaml: String },
    /// Remember where the learner is; the runtime writes the file, at most twice a second.
    SaveProgress(Progress),
    /// Ask the cluster what the current lesson's checks need beyond the watch caches.
    Probe(Vec<Probe>),
    /// Delete, unlabel and apply what a lesson's starting state needs (`R`).
    Reset { namespace: String, plan: Plan },
}
