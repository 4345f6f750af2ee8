//! The application state: everything update changes and the UI draws.

use ratatui::layout::Rect;

use std::time::Instant;

use super::cluster_view::ClusterView;
use super::editor::EditorState;
use super::traffic_view::TrafficView;
use crate::lesson::{Lesson, Rendered};
use crate::ui::layout::AppLayout;

/// The three live parts of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Lesson,
    Cluster,
    Traffic,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Lesson, Pane::Cluster, Pane::Traffic];

    pub fn next(self) -> Pane {
        match self {
            Pane::Lesson => Pane::Cluster,
            Pane::Cluster => Pane::Traffic,
            Pane::Traffic => Pane::Lesson,
        }
    }

    pub fn previous(self) -> Pane {
        self.next().next()
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Lesson => "레슨",
            Pane::Cluster => "클러스터",
            Pane::Traffic => "트래픽",
        }
    }

    pub fn function_key(self) -> u8 {
        match self {
            Pane::Lesson => 1,
            Pane::Cluster => 2,
            Pane::Traffic => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The key list; the number is how far it is scrolled.
    Help(u16),
    Toc(Toc),
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

/// What typed characters go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Normal,
    Search(String),
    /// Filtering the cluster tables by name, live as the learner types.
    Filter(String),
    /// Typing the namespace to switch the lab to.
    Namespace(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// Rendered line indices that contain the query, in order.
    pub matches: Vec<usize>,
    pub current: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub level: ToastLevel,
    /// Lets a timer clear only the toast it was started for.
    pub id: u64,
}

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
    pub selected_code: Option<usize>,
    pub search: Option<Search>,
}

impl LessonView {
    pub fn max_scroll(&self) -> usize {
        self.rendered
            .lines
            .len()
            .saturating_sub(usize::from(self.height.max(1)))
    }
}

/// Where the app is connected, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub demo: bool,
    pub context: String,
    pub namespace: String,
}

pub struct Model {
    pub lessons: Vec<Lesson>,
    /// Identifies the lesson set in the progress file (built-in language or guide path).
    pub lesson_source: String,
    pub lesson: LessonView,
    pub focus: Pane,
    /// Only the focused pane is shown, filling the screen (`z`): for a projector, or to see
    /// more of a long table.
    pub zoomed: bool,
    pub overlay: Option<Overlay>,
    pub input: Input,
    pub layout: AppLayout,
    pub toast: Option<Toast>,
    pub next_toast_id: u64,
    pub target: Target,
    pub cluster: ClusterView,
    pub traffic: TrafficView,
    /// The YAML editor, when open; it takes every key.
    pub editor: Option<EditorState>,
    /// The runtime's clock when the current batch of messages arrived; update reads time only here.
    pub clock: Instant,
    /// False when NO_COLOR is set: the theme then uses only bold, underline and reverse.
    pub color: bool,
    pub quit: bool,
    /// Set by update whenever something visible changed; the runtime draws and clears it.
    pub dirty: bool,
}

impl Model {
    pub fn current_lesson(&self) -> Option<&Lesson> {
        self.lessons.get(self.lesson.index)
    }

    pub fn area(&self) -> Rect {
        self.layout.area
    }
}
