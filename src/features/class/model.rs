//! The class view's state: one learner per lab namespace (from their progress ConfigMap),
//! how they are sorted and filtered, which is selected, and what the watch is doing.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;

use super::doc::{DocError, ProgressDoc};
use crate::ui::line_edit::LineEdit;

/// No step done or lesson advanced for this long: stuck.
pub const STUCK_IDLE: Duration = Duration::from_secs(10 * 60);
/// The same check failing for this long: stuck.
pub const STUCK_FAILING: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Most steps done first.
    Progress,
    /// Longest stuck first.
    Stuck,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watching {
    Starting,
    /// Watching; the text says where (all namespaces, or which ones).
    Live(String),
    /// The watch fails; it is retried, and the reason is shown.
    Failing(String),
}

/// One learner: their lab namespace and what their ConfigMap holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    pub namespace: String,
    pub doc: Result<ProgressDoc, DocError>,
}

impl Learner {
    pub fn name(&self) -> &str {
        match &self.doc {
            Ok(doc) => &doc.learner,
            Err(_) => &self.namespace,
        }
    }

    /// Since when the learner is stuck, if they are: the earlier of "no progress since" (past
    /// [`STUCK_IDLE`]) and the oldest check failing past [`STUCK_FAILING`].
    pub fn stuck_since(&self, now: Timestamp) -> Option<Timestamp> {
        let doc = self.doc.as_ref().ok()?;
        let older_than = |since: Timestamp, limit: Duration| {
            now.duration_since(since).unsigned_abs() >= limit && since <= now
        };
        let idle = Some(doc.progressed).filter(|t| older_than(*t, STUCK_IDLE));
        let failing = doc
            .failing()
            .into_iter()
            .map(|(_, _, _, since)| since)
            .filter(|t| older_than(*t, STUCK_FAILING))
            .min();
        idle.into_iter().chain(failing).min()
    }
}

/// The instructor's lead: the lesson they are on, published for learners who follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub namespace: String,
    /// Index into the lessons.
    pub lesson: usize,
    /// The last publish's failure, shown until one succeeds.
    pub problem: Option<String>,
}

#[derive(Debug)]
pub struct ClassModel {
    pub learners: BTreeMap<String, Learner>,
    /// Lesson titles, for the lead line and for learners' lesson numbers.
    pub lesson_titles: Vec<String>,
    pub sort: Sort,
    pub filter: String,
    pub editing: Option<LineEdit>,
    /// Index into [`ClassModel::visible`].
    pub selected: usize,
    pub detail: bool,
    /// Double-spaced rows and no key line: for a projector.
    pub zoom: bool,
    pub watching: Watching,
    pub lead: Option<Lead>,
    pub now: Timestamp,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
}

impl ClassModel {
    pub fn new(lesson_titles: Vec<String>, lead: Option<String>, now: Timestamp) -> ClassModel {
        ClassModel {
            learners: BTreeMap::new(),
            lesson_titles,
            sort: Sort::Progress,
            filter: String::new(),
            editing: None,
            selected: 0,
            detail: false,
            zoom: false,
            watching: Watching::Starting,
            lead: lead.map(|namespace| Lead {
                namespace,
                lesson: 0,
                problem: None,
            }),
            now,
            width: 80,
            height: 24,
            quit: false,
        }
    }

    /// The learners shown, filtered and in the chosen order.
    pub fn visible(&self) -> Vec<&Learner> {
        let needle = self.filter.to_lowercase();
        let mut shown: Vec<&Learner> = self
            .learners
            .values()
            .filter(|l| {
                needle.is_empty()
                    || l.name().to_lowercase().contains(&needle)
                    || l.namespace.to_lowercase().contains(&needle)
            })
            .collect();
        let done = |l: &Learner| l.doc.as_ref().map_or(0, |d| d.done_total().0);
        match self.sort {
            Sort::Progress => {
                shown.sort_by(|a, b| done(b).cmp(&done(a)).then_with(|| a.name().cmp(b.name())))
            }
            Sort::Stuck => shown.sort_by(|a, b| {
                // Stuck longest first (earliest "since"), the others after, by name.
                let (sa, sb) = (a.stuck_since(self.now), b.stuck_since(self.now));
                match (sa, sb) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
                .then_with(|| a.name().cmp(b.name()))
            }),
        }
        shown
    }

    pub fn selected_learner(&self) -> Option<&Learner> {
        self.visible().get(self.selected).copied()
    }

    pub fn stuck_count(&self) -> usize {
        self.learners
            .values()
            .filter(|l| l.stuck_since(self.now).is_some())
            .count()
    }
}
