//! The application state: the features' states composed, plus what belongs to the whole screen
//! (focus, zoom, overlays, the prompt, toasts).

use std::time::Duration;

use ratatui::layout::Rect;

use super::msg::{Effect, TimerMsg};
use crate::features::cluster::model::ClusterView;
use crate::features::lesson::Lesson;
use crate::features::lesson::model::{LessonView, Note, Toc};
use crate::features::shell::ShellView;
use crate::features::traffic::editor::EditorState;
use crate::features::traffic::model::TrafficView;
use crate::ui::layout::{AppLayout, Pane};
use crate::ui::line_edit::LineEdit;
use crate::ui::theme::ThemeName;

const TOAST_TIME: Duration = Duration::from_secs(4);

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The key list; the number is how far it is scrolled.
    Help(u16),
    Toc(Toc),
    /// Something that changes the cluster, shown exactly before it is done.
    Confirm(Confirmation),
    /// A lesson step's solution (`s`); any key closes it.
    Solution(Note),
}

/// A question before a change: what will happen, line by line; Enter does it, Esc does not.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmation {
    pub title: String,
    pub lines: Vec<String>,
    /// What Enter sets going.
    pub effects: Vec<Effect>,
}

/// What typed characters go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Normal,
    Search(LineEdit),
    /// Filtering the cluster tables by name, live as the learner types.
    Filter(LineEdit),
    /// Typing the namespace to switch the lab to.
    Namespace(LineEdit),
}

/// How serious a toast is; the theme colours it (defined there, so the theme needs no app).
pub use crate::ui::theme::ToastLevel;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub level: ToastLevel,
    /// Lets a timer clear only the toast it was started for.
    pub id: u64,
}

/// Presenter mode's state; what its keys do is in `presenter.rs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presenter {
    pub on: bool,
    /// The theme to return to when presenter mode ends.
    pub theme_before: ThemeName,
    /// How many steps of which lesson are revealed; another lesson starts with none.
    pub revealed: (usize, usize),
    /// Where the big title goes, above the lesson pane (set with the layout).
    pub title_area: Option<Rect>,
    /// When presenting started: the speaker notes' clock counts from it.
    pub started: Option<jiff::Timestamp>,
    /// The position last sent to `istio-lab notes`.
    pub published: Option<crate::features::notes::Position>,
}

impl Presenter {
    /// Steps of `lesson` revealed so far, or `None` when not presenting (all are shown).
    pub fn revealed_steps(&self, lesson: usize) -> Option<usize> {
        match self.revealed {
            _ if !self.on => None,
            (index, steps) if index == lesson => Some(steps),
            _ => Some(0),
        }
    }
}

/// Where the app is connected, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub demo: bool,
    pub context: String,
    /// The API server's address (`host:port`), named in connection errors.
    pub server: String,
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
    /// The shell pane: its pty's screen and whether a shell runs.
    pub shell: ShellView,
    /// False when NO_COLOR is set: the theme then uses only bold, underline and reverse.
    pub color: bool,
    /// The colours drawn with (`--theme`, `T`); pure rendering reads it from here.
    pub theme: ThemeName,
    /// Presenter mode (`--present`, `P`): contrast, no key hints, a big title, steps revealed
    /// one by one.
    pub presenter: Presenter,
    /// The workshop, from the learner's side: progress published (`--learner`), the
    /// instructor's lesson followed (`--follow`).
    pub learner: crate::features::class::learner_state::LearnerLink,
    pub quit: bool,
    /// The process's exit status once `quit` is set (a signal's 128 + N, else 0).
    pub exit_code: u8,
}

impl Model {
    pub fn current_lesson(&self) -> Option<&Lesson> {
        self.lessons.get(self.lesson.index)
    }

    pub fn area(&self) -> Rect {
        self.layout.area
    }

    /// Shows a message in the status bar; the returned timer effect clears it again.
    #[must_use]
    pub fn toast(&mut self, level: ToastLevel, text: impl Into<String>) -> Effect {
        self.next_toast_id += 1;
        let id = self.next_toast_id;
        self.toast = Some(Toast {
            text: text.into(),
            level,
            id,
        });
        Effect::Timer {
            after: TOAST_TIME,
            msg: TimerMsg::ToastExpired(id),
        }
    }
}
