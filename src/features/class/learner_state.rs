//! What the app keeps for the learner's side of a workshop, and the messages and effects of
//! it: plain data, so the app's model and messages hold them without a circle back.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::doc::{LeadDoc, ProgressDoc};
use super::publish::{Publisher, Written};

#[derive(Debug, Clone, PartialEq)]
pub enum WorkshopMsg {
    Written(Written),
    /// The instructor's lesson, or `None` when their ConfigMap is gone.
    Lead(Option<LeadDoc>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum WorkshopEffect {
    /// Server-side apply of `istio-lab-progress` in `namespace`.
    Publish { namespace: String, doc: ProgressDoc },
    /// Watch the instructor's `istio-lab-class` ConfigMap in `namespace`.
    Follow { namespace: String },
}

/// What the app keeps for the workshop.
#[derive(Debug, Clone, Default)]
pub struct LearnerLink {
    pub publisher: Publisher,
    /// The namespace whose `istio-lab-class` ConfigMap says the instructor's lesson.
    pub follow: Option<String>,
    pub lead: Option<LeadDoc>,
    /// When each failing step (lesson index, step) started failing.
    pub(super) failing_since: BTreeMap<(usize, usize), Timestamp>,
    /// The learner's last key or click.
    pub active: Option<Timestamp>,
}

impl LearnerLink {
    pub fn new(learner: Option<String>, follow: Option<String>) -> LearnerLink {
        LearnerLink {
            publisher: Publisher::new(learner),
            follow,
            ..LearnerLink::default()
        }
    }
}
