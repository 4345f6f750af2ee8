//! The follower's state (`istio-lab notes`) and its pure update: positions from the
//! presenter, whether one is there, and the time, all arriving as messages.

use jiff::Timestamp;

use super::position::Position;
use crate::features::lesson::Lesson;

#[derive(Debug, Clone)]
pub enum NotesMsg {
    /// The presenter moved (or this is the position it had when the follower joined).
    Position(Position),
    /// No presenter listens (or it went away); the text says where the follower looked.
    NoPresenter(String),
    Tick(Timestamp),
    Resize,
    Quit,
}

/// What `istio-lab notes` shows: the lessons (for titles, steps and notes), the presenter's
/// position, whether it is connected, and the time for the clock.
#[derive(Debug)]
pub struct Follower {
    pub lessons: Vec<Lesson>,
    pub position: Option<Position>,
    /// `Some(why)` while no presenter answers.
    pub missing: Option<String>,
    pub now: Timestamp,
    pub quit: bool,
}

impl Follower {
    pub fn new(lessons: Vec<Lesson>, now: Timestamp) -> Follower {
        Follower {
            lessons,
            position: None,
            missing: None,
            now,
            quit: false,
        }
    }

    /// Returns whether the screen changed.
    pub fn update(&mut self, msg: NotesMsg) -> bool {
        match msg {
            NotesMsg::Position(position) => {
                let changed = self.position != Some(position) || self.missing.is_some();
                self.position = Some(position);
                self.missing = None;
                changed
            }
            NotesMsg::NoPresenter(why) => {
                let changed = self.missing.as_ref() != Some(&why);
                self.missing = Some(why);
                changed
            }
            NotesMsg::Tick(now) => {
                let changed = now.as_second() != self.now.as_second();
                self.now = now;
                changed
            }
            NotesMsg::Resize => true,
            NotesMsg::Quit => {
                self.quit = true;
                true
            }
        }
    }

    /// The presenter's lesson, if its index is one of ours.
    pub fn lesson(&self) -> Option<&Lesson> {
        self.lessons.get(self.position?.lesson)
    }

    /// Time since the presenter started, as `HH:MM:SS`.
    pub fn clock(&self) -> Option<String> {
        let started = self.position?.started;
        let secs = (self.now.as_second() - started).max(0);
        Some(format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        ))
    }
}
