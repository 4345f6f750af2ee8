//! The pod printer: READY counts restartable init containers (native sidecars) with the
//! containers, STATUS follows the init containers, then the containers, then deletion,
//! as kube-apiserver's `printPod` does.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::{
    AGE, Column, NAME, Row, TEXT, age, column, human_duration, items, parse_time, text, wide,
};

pub const COLUMNS: &[Column] = &[
    NAME,
    column(
        "Ready",
        TEXT,
        "The aggregate readiness state of this pod for accepting traffic.",
    ),
    column(
        "Status",
        TEXT,
        "The aggregate status of the containers in this pod.",
    ),
    column(
        "Restarts",
        TEXT,
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    wide(
        "IP",
        TEXT,
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    ),
    wide(
        "Node",
        TEXT,
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
    ),
    wide(
        "Nominated Node",
        TEXT,
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
    ),
    wide(
        "Readiness Gates",
        TEXT,
        "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
    ),
];

/// A finished pod's row says so, for clients that hide completed rows.
fn completed(reason: &str, message: &str) -> Value {
    json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}])
}

fn condition_true(status: &Value, kind: &str) -> bool {
    items(&status["conditions"])
        .iter()
        .any(|c| c["type"] == kind && c["status"] == "True")
}

fn is_set(value: &Value) -> bool {
    !value.is_null()
}

/// The later of two restart times, as the printer keeps the last one.
fn later(current: Option<Timestamp>, terminated: &Value) -> Option<Timestamp> {
    if !is_set(terminated) {
        return current;
    }
    let finished = parse_time(&terminated["finishedAt"]);
    match (current, finished) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// `ExitCode:1` or `Signal:9` for a container that ended without a reason.
fn exit_text(terminated: &Value) -> String {
    match terminated["signal"].as_i64().unwrap_or_default() {
        0 => format!(
            "ExitCode:{}",
            terminated["exitCode"].as_i64().unwrap_or_default()
        ),
        signal => format!("Signal:{signal}"),
    }
}

pub fn row(pod: &Value, now: Timestamp) -> Row {
    let spec = &pod["spec"];
    let status = &pod["status"];
    let phase = text(&status["phase"]);
    let mut reason = match text(&status["reason"]) {
        "" => phase.to_string(),
        given => given.to_string(),
    };
    let gated = items(&status["conditions"])
        .iter()
        .any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated");
    if gated {
        reason = "SchedulingGated".into();
    }
    let init_specs = items(&spec["initContainers"]);
    let restartable = |name: &Value| {
        init_specs
            .iter()
            .any(|c| c["name"] == *name && c["restartPolicy"] == "Always")
    };
    let sidecars = init_specs
        .iter()
        .filter(|c| c["restartPolicy"] == "Always")
        .count();
    let total = items(&spec["containers"]).len() + sidecars;
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart = None;
    let mut sidecar_restarts = 0;
    let mut last_sidecar_restart = None;
    let mut initializing = false;
    for (i, container) in items(&status["initContainerStatuses"]).iter().enumerate() {
        let restart_count = container["restartCount"].as_i64().unwrap_or_default();
        let last_terminated = &container["lastState"]["terminated"];
        restarts += restart_count;
        last_restart = later(last_restart, last_terminated);
        let sidecar = restartable(&container["name"]);
        if sidecar {
            sidecar_restarts += restart_count;
            last_sidecar_restart = later(last_sidecar_restart, last_terminated);
        }
        let terminated = &container["state"]["terminated"];
        let waiting = text(&container["state"]["waiting"]["reason"]);
        if is_set(terminated) && terminated["exitCode"].as_i64().unwrap_or_default() == 0 {
            continue;
        }
        if sidecar && container["started"] == true {
            if container["ready"] == true {
                ready += 1;
            }
            continue;
        }
        reason = if is_set(terminated) {
            match text(&terminated["reason"]) {
                "" => format!("Init:{}", exit_text(terminated)),
                why => format!("Init:{why}"),
            }
        } else if !waiting.is_empty() && waiting != "PodInitializing" {
            format!("Init:{waiting}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }
    if !initializing || condition_true(status, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for container in items(&status["containerStatuses"]).iter().rev() {
            restarts += container["restartCount"].as_i64().unwrap_or_default();
            last_restart = later(last_restart, &container["lastState"]["terminated"]);
            let state = &container["state"];
            let waiting = text(&state["waiting"]["reason"]);
            let terminated = &state["terminated"];
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if is_set(terminated) {
                reason = match text(&terminated["reason"]) {
                    "" => exit_text(terminated),
                    why => why.to_string(),
                };
            } else if container["ready"] == true && is_set(&state["running"]) {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose last container completed while another still runs is not done.
        if reason == "Completed" && has_running {
            reason = if condition_true(status, "Ready") {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    let deleting = is_set(&pod["metadata"]["deletionTimestamp"]);
    if deleting && text(&status["reason"]) == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }
    let restarts = match last_restart {
        Some(at) if restarts != 0 => {
            let ago = human_duration(now.as_second() - at.as_second());
            format!("{restarts} ({ago} ago)")
        }
        _ => restarts.to_string(),
    };
    let cells = vec![
        json!(text(&pod["metadata"]["name"])),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        age(pod, now),
        none_if_empty(text(&status["podIPs"][0]["ip"])),
        none_if_empty(text(&spec["nodeName"])),
        none_if_empty(text(&status["nominatedNodeName"])),
        json!(readiness_gates(spec, status)),
    ];
    let conditions = match phase {
        "Succeeded" => Some(completed(
            "Succeeded",
            "The pod has completed successfully.",
        )),
        "Failed" => Some(completed("Failed", "The pod failed.")),
        _ => None,
    };
    Row { cells, conditions }
}

fn none_if_empty(value: &str) -> Value {
    json!(if value.is_empty() { "<none>" } else { value })
}

/// `2/3`: readiness gates whose condition is True, of all gates; `<none>` without gates.
fn readiness_gates(spec: &Value, status: &Value) -> String {
    let gates = items(&spec["readinessGates"]);
    if gates.is_empty() {
        return "<none>".into();
    }
    let met = gates
        .iter()
        .filter(|gate| {
            items(&status["conditions"])
                .iter()
                .find(|c| c["type"] == gate["conditionType"])
                .is_some_and(|c| c["status"] == "True")
        })
        .count();
    format!("{met}/{}", gates.len())
}
