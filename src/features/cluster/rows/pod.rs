//! `PodRow`: a Pod reduced to the columns of `kubectl get pods`, with kubectl's printer logic.

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod, PodStatus};

use super::age::format_age;
use super::health::{Health, pod_health};

/// The reason the node lifecycle controller writes when a node stops reporting.
const NODE_UNREACHABLE_REASON: &str = "NodeLost";

/// One line of the pods table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    /// Ready containers and total containers, native sidecars included.
    pub ready: (u32, u32),
    /// kubectl's STATUS text (`Running`, `Init:0/1`, `CrashLoopBackOff`, `Terminating`, …).
    pub status: String,
    pub restarts: u32,
    /// When the most recently restarted container last terminated.
    pub last_restart: Option<Timestamp>,
    pub created: Option<Timestamp>,
    pub health: Health,
    pub labels: BTreeMap<String, String>,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
}

impl PodRow {
    /// Running with every container ready: what the lab means by a pod being up.
    pub fn is_ready(&self) -> bool {
        self.status == "Running" && self.ready.1 > 0 && self.ready.0 == self.ready.1
    }

    /// READY as kubectl prints it: `2/2`.
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready.0, self.ready.1)
    }

    /// RESTARTS as kubectl prints it: `0`, or `3 (5m ago)` once a restart time is known.
    pub fn restarts_text(&self, now: Timestamp) -> String {
        match self.last_restart {
            Some(at) if self.restarts != 0 => {
                format!("{} ({} ago)", self.restarts, format_age(at, now))
            }
            _ => self.restarts.to_string(),
        }
    }

    /// AGE as kubectl prints it; `<unknown>` without a creation timestamp.
    pub fn age_text(&self, now: Timestamp) -> String {
        self.created
            .map_or_else(|| "<unknown>".to_string(), |at| format_age(at, now))
    }
}

impl From<&Pod> for PodRow {
    fn from(pod: &Pod) -> Self {
        let meta = &pod.metadata;
        let printed = print_pod(pod);
        let deleting = meta.deletion_timestamp.is_some();
        PodRow {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            ready: printed.ready,
            health: pod_health(&printed.status, printed.ready, deleting),
            status: printed.status,
            restarts: printed.restarts,
            last_restart: printed.last_restart,
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            labels: meta.labels.clone().unwrap_or_default(),
            deleting,
        }
    }
}

/// The cells kubectl's `printPod` computes from one Pod.
struct PrintedPod {
    ready: (u32, u32),
    status: String,
    restarts: u32,
    last_restart: Option<Timestamp>,
}

/// Restart bookkeeping: a count and the latest `lastState.terminated.finishedAt`.
#[derive(Default, Clone, Copy)]
struct Restarts {
    count: u32,
    last: Option<Timestamp>,
}

impl Restarts {
    fn add(&mut self, status: &ContainerStatus) {
        self.count = self
            .count
            .saturating_add(u32::try_from(status.restart_count).unwrap_or(0));
        let finished = status
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
            .map(|t| t.0);
        if let Some(at) = finished
            && self.last.is_none_or(|last| last < at)
        {
            self.last = Some(at);
        }
    }
}

/// A port of kubectl's `printPod` (pkg/printers/internalversion/printers.go), step for step,
/// so the table and a `kubectl get pods` beside it never disagree.
fn print_pod(pod: &Pod) -> PrintedPod {
    let empty_status = PodStatus::default();
    let status = pod.status.as_ref().unwrap_or(&empty_status);
    let spec = pod.spec.as_ref();
    let containers = spec.map_or(0, |s| s.containers.len());
    let init_containers = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or(&[]);

    let restartable_init: HashSet<&str> = init_containers
        .iter()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .map(|c| c.name.as_str())
        .collect();
    let total = containers + restartable_init.len();
    let mut ready = 0usize;

    let phase = status.phase.clone().unwrap_or_default();
    let mut reason = match status.reason.as_deref() {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => phase.clone(),
    };
    let scheduling_gated = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"));
    if scheduling_gated {
        reason = "SchedulingGated".to_string();
    }

    let mut all_restarts = Restarts::default();
    let mut sidecar_restarts = Restarts::default();
    let mut initializing = false;
    let init_statuses = status.init_container_statuses.as_deref().unwrap_or(&[]);
    for (index, container) in init_statuses.iter().enumerate() {
        all_restarts.add(container);
        let is_sidecar = restartable_init.contains(container.name.as_str());
        if is_sidecar {
            sidecar_restarts.add(container);
        }
        let state = container.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty());
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if is_sidecar && container.started == Some(true) {
            if container.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match t.signal.filter(|s| *s != 0) {
                    Some(signal) => format!("Init:Signal:{signal}"),
                    None => format!("Init:ExitCode:{}", t.exit_code),
                },
            };
        } else if let Some(r) = waiting_reason.filter(|r| *r != "PodInitializing") {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{index}/{}", init_containers.len());
        }
        initializing = true;
        break;
    }

    let mut restarts = all_restarts;
    if !initializing || is_initialized(status) {
        restarts = sidecar_restarts;
        let mut has_running = false;
        let statuses = status.container_statuses.as_deref().unwrap_or(&[]);
        // kubectl walks the containers backwards, so the first container's reason wins.
        for container in statuses.iter().rev() {
            restarts.add(container);
            match container_reason(container.state.as_ref()) {
                Some(r) => reason = r,
                None => {
                    let running = container
                        .state
                        .as_ref()
                        .is_some_and(|s| s.running.is_some());
                    if container.ready && running {
                        has_running = true;
                        ready += 1;
                    }
                }
            }
        }
        if reason == "Completed" && has_running {
            reason = if has_ready_condition(status) {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }

    let terminal = phase == "Succeeded" || phase == "Failed";
    if pod.metadata.deletion_timestamp.is_some() {
        if status.reason.as_deref() == Some(NODE_UNREACHABLE_REASON) {
            reason = "Unknown".to_string();
        } else if !terminal {
            reason = "Terminating".to_string();
        }
    }

    PrintedPod {
        ready: (to_u32(ready), to_u32(total)),
        status: reason,
        restarts: restarts.count,
        last_restart: restarts.last.filter(|_| restarts.count != 0),
    }
}

/// The reason a regular container's state overrides the pod reason with, if any.
fn container_reason(state: Option<&ContainerState>) -> Option<String> {
    let state = state?;
    if let Some(r) = state
        .waiting
        .as_ref()
        .and_then(|w| w.reason.as_deref())
        .filter(|r| !r.is_empty())
    {
        return Some(r.to_string());
    }
    let terminated = state.terminated.as_ref()?;
    Some(
        match terminated.reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => r.to_string(),
            None => match terminated.signal.filter(|s| *s != 0) {
                Some(signal) => format!("Signal:{signal}"),
                None => format!("ExitCode:{}", terminated.exit_code),
            },
        },
    )
}

fn is_initialized(status: &PodStatus) -> bool {
    condition_true(status, "Initialized")
}

fn has_ready_condition(status: &PodStatus) -> bool {
    condition_true(status, "Ready")
}

fn condition_true(status: &PodStatus, kind: &str) -> bool {
    status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == kind && c.status == "True")
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
