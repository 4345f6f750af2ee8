//! The one message type everything becomes, and the effects update asks the runtime to perform.

use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};
use jiff::Timestamp;

use super::progress::Progress;
use crate::cluster::ClusterEvent;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// Ctrl-C outside raw mode, SIGTERM, SIGHUP: leave cleanly.
    Terminate,
    /// A toast's timer ran out.
    ToastExpired(u64),
    /// Result of writing the progress file.
    ProgressSaved(Result<(), String>),
    /// A watcher event; `generation` tells events of replaced watchers apart.
    Cluster {
        generation: u64,
        event: ClusterEvent,
    },
    /// Once a second: ages and countdowns move on.
    Tick(Timestamp),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Put text on the clipboard through the terminal (OSC 52).
    CopyToClipboard(String),
    SaveProgress(Progress),
    /// (Re)start the watchers for a lab namespace, replacing the previous ones.
    WatchNamespace {
        namespace: String,
        generation: u64,
    },
    /// Send `msg` back after `after`.
    Timer {
        after: Duration,
        msg: TimerMsg,
    },
}

/// Messages a timer may carry; kept separate so effects stay comparable in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerMsg {
    ToastExpired(u64),
}

impl From<TimerMsg> for Msg {
    fn from(timer: TimerMsg) -> Msg {
        match timer {
            TimerMsg::ToastExpired(id) => Msg::ToastExpired(id),
        }
    }
}
