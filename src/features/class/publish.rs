//! The learner's side (`--learner NAME`): when to write the progress ConfigMap. Pure: the
//! app hands in the progress as it is now and the time; out comes a write, or nothing.
//! Writes happen only when something changed, and at most once every 5 s; a change within
//! the 5 s is written when they are up (on a later tick). A 403 is said once.

use std::time::Duration;

use jiff::Timestamp;

use super::doc::ProgressDoc;

pub const MIN_INTERVAL: Duration = Duration::from_secs(5);

/// What the publisher remembers between calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publisher {
    pub learner: Option<String>,
    /// The last document sent (its times included), to tell a change from none.
    sent: Option<ProgressDoc>,
    sent_at: Option<Timestamp>,
    /// A write is on its way; the next waits for its answer.
    in_flight: bool,
    /// The 403 was said already.
    told_forbidden: bool,
    /// When the learner last made progress, and what counted: steps done, lesson number.
    progressed: Option<(Timestamp, usize, usize)>,
}

/// The outcome of a write, as the effect runner reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Ok,
    Forbidden(String),
    Failed(String),
}

impl Publisher {
    pub fn new(learner: Option<String>) -> Publisher {
        Publisher {
            learner,
            ..Publisher::default()
        }
    }

    /// The document to write now, if any. `doc` is the progress as it stands, with
    /// `active` set to the learner's last activity; `progressed` is filled in here.
    pub fn due(&mut self, mut doc: ProgressDoc, now: Timestamp) -> Option<ProgressDoc> {
        let learner = self.learner.clone()?;
        doc.learner = learner;
        let (done, _) = doc.done_total();
        let progressed = match self.progressed {
            Some((at, d, l)) if done <= d && doc.lesson <= l => (at, d, l),
            _ => (now, done, doc.lesson),
        };
        self.progressed = Some(progressed);
        doc.progressed = progressed.0;
        if self.in_flight || self.sent.as_ref() == Some(&doc) {
            return None;
        }
        if let Some(at) = self.sent_at
            && now.duration_since(at).unsigned_abs() < MIN_INTERVAL
        {
            return None;
        }
        self.sent = Some(doc.clone());
        self.sent_at = Some(now);
        self.in_flight = true;
        Some(doc)
    }

    /// Takes a write's outcome; returns what to tell the learner, at most once for a 403.
    pub fn written(&mut self, outcome: Written) -> Option<String> {
        self.in_flight = false;
        match outcome {
            Written::Ok => None,
            Written::Forbidden(message) if !self.told_forbidden => {
                self.told_forbidden = true;
                Some(format!(
                    "진행 기록을 올릴 권한이 없습니다 (istio-lab-progress ConfigMap). 실습은 그대로 계속됩니다: {message}"
                ))
            }
            Written::Forbidden(_) => None,
            Written::Failed(message) => {
                // Sent again on a later change or tick.
                self.sent = None;
                tracing::debug!("progress not written: {message}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::ToSpan;

    use super::*;
    use crate::features::class::doc::{DOC_VERSION, LessonProgress, StepState, StepTitleState};

    fn at(secs: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + (1_000_000 + secs).seconds()
    }

    fn doc(done: usize) -> ProgressDoc {
        ProgressDoc {
            version: DOC_VERSION,
            learner: String::new(),
            lesson: 3,
            step: Some(done),
            lessons: vec![LessonProgress {
                number: 3,
                title: "Bookinfo".into(),
                steps: (0..4)
                    .map(|i| StepTitleState {
                        title: format!("{i}"),
                        state: if i < done {
                            StepState::Auto
                        } else {
                            StepState::Todo
                        },
                    })
                    .collect(),
            }],
            weights: Default::default(),
            active: at(0),
            progressed: at(0),
        }
    }

    #[test]
    fn nothing_is_written_without_a_learner_name() {
        let mut p = Publisher::new(None);
        assert_eq!(p.due(doc(1), at(0)), None);
    }

    #[test]
    fn only_changes_are_written_and_at_most_every_five_seconds() {
        let mut p = Publisher::new(Some("kim".into()));
        let first = p.due(doc(1), at(0)).expect("the first state is written");
        assert_eq!(first.learner, "kim");
        assert_eq!(first.progressed, at(0));
        assert_eq!(
            p.due(doc(2), at(1)),
            None,
            "the first write is still in flight"
        );
        assert_eq!(p.written(Written::Ok), None);
        assert_eq!(p.due(doc(1), at(2)), None, "unchanged");
        assert_eq!(p.due(doc(2), at(3)), None, "changed, but within 5 s");
        let second = p.due(doc(2), at(5)).expect("written once 5 s are up");
        assert_eq!(second.progressed, at(1), "progress was first seen at 1 s");
        p.written(Written::Ok);
        assert_eq!(p.due(doc(2), at(30)), None, "no change, no write");
    }

    #[test]
    fn a_403_is_told_once_and_a_failure_is_retried() {
        let mut p = Publisher::new(Some("kim".into()));
        p.due(doc(1), at(0));
        let told = p.written(Written::Forbidden("configmaps is forbidden".into()));
        assert!(told.is_some_and(|t| t.contains("권한이 없습니다")));
        p.due(doc(2), at(10));
        assert_eq!(p.written(Written::Forbidden("again".into())), None);
        p.due(doc(3), at(20));
        assert_eq!(p.written(Written::Failed("timeout".into())), None);
        assert!(
            p.due(doc(3), at(25)).is_some(),
            "the same state is sent again after a failure"
        );
    }
}
