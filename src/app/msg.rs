//! The one message type everything becomes, and the effects update asks the runtime to perform.
//! Each feature has its own messages and effects; these enums only compose them.

use crate::features::class::learner_state::{WorkshopEffect, WorkshopMsg};
use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::features::cluster::msg::{ClusterEffect, ClusterMsg};
use crate::features::lesson::msg::{LessonEffect, LessonMsg};
use crate::features::shell::{ShellEffect, ShellMsg};
use crate::features::traffic::msg::{TrafficEffect, TrafficMsg};

// Messages live only while they pass through the channel once; boxing the cluster event would
// add an allocation per watch event on the hottest path for no lasting memory gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// A signal from outside the terminal's keys.
    Signal(Signal),
    /// Once a second: ages, countdowns and step checks move on.
    Tick,
    /// A toast's timer ran out.
    ToastExpired(u64),
    /// Result of writing the progress file.
    ProgressSaved(Result<(), String>),
    Lesson(LessonMsg),
    Cluster(ClusterMsg),
    Traffic(TrafficMsg),
    Shell(ShellMsg),
    Workshop(WorkshopMsg),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Put text on the clipboard through the terminal (OSC 52).
    CopyToClipboard(String),
    /// Give the terminal back and stop, until the shell continues the app (`fg`).
    Suspend,
    /// Leave the app: what a confirmed quit (the demo cluster's) sets going; update turns it
    /// into `Model::quit` when the confirmation is answered.
    Quit,
    /// Send `msg` back after `after`.
    Timer {
        after: Duration,
        msg: TimerMsg,
    },
    Lesson(LessonEffect),
    Cluster(ClusterEffect),
    Traffic(TrafficEffect),
    Shell(ShellEffect),
    Workshop(WorkshopEffect),
    /// Tell `istio-lab notes` where the presenter is.
    Notes(crate::features::notes::Position),
}

/// Signals the app handles: the ending ones leave cleanly with the exit code a shell expects
/// (128 + the signal's number); SIGTSTP suspends the app as Ctrl-Z in a shell does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Hangup,
    Interrupt,
    Quit,
    Terminate,
    Suspend,
}

impl Signal {
    pub fn exit_code(self) -> Option<u8> {
        match self {
            Signal::Hangup => Some(128 + 1),
            Signal::Interrupt => Some(128 + 2),
            Signal::Quit => Some(128 + 3),
            Signal::Terminate => Some(128 + 15),
            Signal::Suspend => None,
        }
    }
}

/// Messages a timer may carry; kept separate so effects stay comparable in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerMsg {
    ToastExpired(u64),
    /// The pacing interval passed: send the newest slider values if still due.
    SendWeights,
}

impl From<TimerMsg> for Msg {
    fn from(timer: TimerMsg) -> Msg {
        match timer {
            TimerMsg::ToastExpired(id) => Msg::ToastExpired(id),
            TimerMsg::SendWeights => Msg::Traffic(TrafficMsg::SendDue),
        }
    }
}
