//! What the lesson feature hears back, and the effects it asks for.

use super::progress::Progress;
use crate::features::cluster::apply::WriteError;

#[derive(Debug, Clone)]
pub enum LessonMsg {
    /// The manifests behind a lesson command run with `r` were applied, or why not.
    CommandApplied(Result<(), WriteError>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum LessonEffect {
    /// Server-side apply of the bundled manifests a lesson command names (fieldManager istio-lab).
    ApplyCommand { namespace: String, yaml: String },
    /// Remember where the learner is; the runtime writes the file, at most twice a second.
    SaveProgress(Progress),
}
