//! What the traffic lab hears back from the cluster and the probe, and the effects it asks for.

use crate::features::cluster::MeshKind;
use crate::features::cluster::apply::WriteError as SendError;

#[derive(Debug, Clone)]
pub enum TrafficMsg {
    /// The weights' pacing timer fired.
    SendDue,
    /// The weights patch finished: the new resourceVersion and how long it took, or why not.
    WeightsSent(Result<(String, u64), SendError>),
    /// The guide's DestinationRule and VirtualService (`a`) were applied, or why not.
    GuideApplied(Result<(), SendError>),
    /// The editor's replace finished: the new resourceVersion, or why not (409: changed meanwhile).
    EditorSaved(Result<String, SendError>),
    /// One productpage request of the probe: HTTP status and body, or why it failed.
    ProbeResponse {
        generation: u64,
        via: String,
        result: Result<(u16, String), String>,
    },
    /// The first free local port for the Kiali forward (None: the whole range is taken).
    KialiPortFound(Option<u16>),
    /// The Kiali forward listens on this local port, or why it could not start (Korean).
    KialiForwarded(Result<u16, String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TrafficEffect {
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
    /// Server-side apply of the guide's DestinationRule and VirtualService (fieldManager istio-lab).
    ApplyGuide { namespace: String, yaml: String },
    /// Start (or restart with a new rate) the productpage probe; `rate` 0 stops it.
    Probe {
        namespace: String,
        rate: u32,
        generation: u64,
    },
    /// Look for the first local port of `first..=last` that is free now.
    FindKialiPort { first: u16, last: u16 },
    /// Forward 127.0.0.1:`port` to Kiali's pod, replacing a running forward.
    ForwardKiali { port: u16 },
}
