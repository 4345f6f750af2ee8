//! The lesson pane's state: which lesson, rendered for the pane's width, where it is scrolled,
//! the step checklist, the highlighted code block, search and the table of contents.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::Rendered;
use super::probe::Answers;

/// The lesson pane: which lesson, rendered for the pane's current width.
#[derive(Debug, Clone)]
pub struct LessonView {
    pub index: usize,
    pub scroll: usize,
    pub rendered: Rendered,
    /// Text width the lesson was rendered for, and the pane's visible line count.
    pub width: u16,
    pub height: u16,
    /// Rows of the pane's text area, of which the step checklist takes the top ones.
    pub text_height: u16,
    /// Per step of the current lesson: done, not yet, or no check.
    pub steps_done: Vec<Option<bool>>,
    /// Per step of the current lesson: why its check does not hold yet.
    pub step_reasons: Vec<Option<String>>,
    /// Steps ticked by hand (Space), per lesson id; kept in the progress file.
    pub ticks: BTreeMap<String, BTreeSet<usize>>,
    /// The step the learner moved to with `[` `]`; otherwise the first one not done.
    pub step_cursor: Option<usize>,
    /// The highlighted step, and since when it has been (for its hint).
    pub current_since: Option<(usize, usize, Timestamp)>,
    /// The highlighted step whose hint is due: its check has failed for [`HINT_AFTER`].
    pub hint_shown: Option<usize>,
    /// The latest answers to the lesson's probes, and when they were last asked for.
    pub answers: Answers,
    pub probed_at: Option<Timestamp>,
    pub selected_code: Option<usize>,
    pub search: Option<Search>,
}

impl LessonView {
    pub fn new(index: usize) -> LessonView {
        LessonView {
            index,
            scroll: 0,
            rendered: Rendered::default(),
            width: 0,
            height: 0,
            text_height: 0,
            steps_done: Vec::new(),
            step_reasons: Vec::new(),
            ticks: BTreeMap::new(),
            step_cursor: None,
            current_since: None,
            hint_shown: None,
            answers: Answers::new(),
            probed_at: None,
            selected_code: None,
            search: None,
        }
    }

    pub fn max_scroll(&self) -> usize {
        self.rendered
            .lines
            .len()
            .saturating_sub(usize::from(self.height.max(1)))
    }
}

/// How long a step's check fails before its hint shows.
pub const HINT_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// A text box any key closes: a step's solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// Rendered line indices that contain the query, in order.
    pub matches: Vec<usize>,
    pub current: usize,
}

/// One row of the table of contents: a lesson, or one of its headings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    pub lesson: usize,
    /// Index into the lesson's rendered headings; `None` for the lesson itself.
    pub heading: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toc {
    pub entries: Vec<TocEntry>,
    pub selected: usize,
}
