//! The one message type everything becomes, and the effects update asks the runtime to perform.

use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};
use jiff::Timestamp;

use super::progress::Progress;
use super::traffic_view::SendError;
use crate::cluster::{ClusterEvent, MeshKind};

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
    /// Ctrl-C outside raw mode, SIGTERM, SIGHUP: leave cleanly.
    Terminate,
    /// The weights' pacing timer fired.
    SendWeightsDue,
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
    /// The weights patch finished: the new resourceVersion and how long it took, or why not.
    WeightsSent(Result<(String, u64), SendError>),
    /// Applying a manifest (a lesson command, or the guide's reviews resources) finished.
    ManifestApplied(Result<(), SendError>),
    /// The editor's replace finished: the new resourceVersion, or why not (409: changed meanwhile).
    EditorSaved(Result<String, SendError>),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// One productpage request of the probe: HTTP status and body, or why it failed.
    ProbeResponse {
        generation: u64,
        via: String,
        result: Result<(u16, String), String>,
    },
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
    /// JSON merge patch of a VirtualService (never strategic merge: custom resources reject it).
    PatchVirtualService {
        namespace: String,
        name: String,
        body: serde_json::Value,
    },
    /// Replace (PUT) of an edited object; its metadata.resourceVersion makes a stale edit a 409.
    ReplaceObject {
        kind: MeshKind,
        namespace: String,
        name: String,
        object: serde_json::Value,
    },
    /// Server-side apply of a manifest (fieldManager istio-lab).
    ApplyManifest {
        namespace: String,
        yaml: String,
    },
    /// Start (or restart with a new rate) the productpage probe; `rate` 0 stops it.
    Probe {
        namespace: String,
        rate: u32,
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
    /// The pacing interval passed: send the newest slider values if still due.
    SendWeights,
}

impl From<TimerMsg> for Msg {
    fn from(timer: TimerMsg) -> Msg {
        match timer {
            TimerMsg::ToastExpired(id) => Msg::ToastExpired(id),
            TimerMsg::SendWeights => Msg::SendWeightsDue,
        }
    }
}
