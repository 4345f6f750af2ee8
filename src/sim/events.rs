//! The Events the demo cluster's components record (core/v1 `events`), as the scheduler,
//! the kubelet and the ReplicaSet and Deployment controllers word them in Kubernetes v1.36,
//! so `kubectl describe` and `kubectl get events` tell the story a real cluster tells.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::apply::record_update;
use super::meta::now_timestamp;
use super::resources::EVENTS;
use super::store::{SimStore, Write};

/// Who reports an event: the `source` of core events, or only `reportingComponent` for
/// those written through events.k8s.io (the scheduler's).
#[derive(Debug, Clone, Copy)]
pub enum Reporter<'a> {
    Kubelet { node: &'a str },
    Controller(&'a str),
    Scheduler,
}

/// One thing that happened to `involved` (a stored object).
pub struct Happening<'a> {
    pub involved: &'a Value,
    pub reason: &'a str,
    pub message: String,
    pub field_path: Option<String>,
    pub reporter: Reporter<'a>,
}

/// Event names are the object's name and a hex stamp, unique per run as the recorders'
/// nanosecond stamps are.
fn event_name(object_name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = jiff::Timestamp::now().as_nanosecond() as u64;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{object_name}.{:016x}", nanos.wrapping_add(n))
}

/// The core/v1 Event for `happening`, before the store gives it its identity.
pub fn event_object(happening: &Happening) -> Value {
    let involved = happening.involved;
    let meta = &involved["metadata"];
    let namespace = meta["namespace"].as_str().unwrap_or("default");
    let name = meta["name"].as_str().unwrap_or_default();
    let kind = involved["kind"].as_str().unwrap_or_default();
    let api_version = involved["apiVersion"].as_str().unwrap_or("v1");
    let mut reference = json!({"kind": kind, "namespace": namespace, "name": name,
        "uid": meta["uid"], "apiVersion": api_version, "resourceVersion": meta["resourceVersion"]});
    if let Some(path) = &happening.field_path {
        reference["fieldPath"] = json!(path);
    }
    let now = now_timestamp();
    let mut event = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": event_name(name), "namespace": namespace},
        "involvedObject": reference,
        "reason": happening.reason,
        "message": happening.message,
        "type": "Normal",
    });
    match happening.reporter {
        Reporter::Kubelet { node } => {
            event["source"] = json!({"component": "kubelet", "host": node});
            event["reportingComponent"] = json!("kubelet");
            event["reportingInstance"] = json!(node);
        }
        Reporter::Controller(component) => {
            event["source"] = json!({"component": component});
            event["reportingComponent"] = json!(component);
            event["reportingInstance"] = json!("");
        }
        Reporter::Scheduler => {
            // Written through events.k8s.io/v1: no source, count or first/last times,
            // an eventTime with microseconds and the action instead.
            let micros = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S.%6fZ");
            event["source"] = json!({});
            event["eventTime"] = json!(micros.to_string());
            event["action"] = json!("Binding");
            event["reportingComponent"] = json!("default-scheduler");
            event["reportingInstance"] = json!("default-scheduler-istio-lab-control-plane");
            event["firstTimestamp"] = Value::Null;
            event["lastTimestamp"] = Value::Null;
            return event;
        }
    }
    event["firstTimestamp"] = json!(now);
    event["lastTimestamp"] = json!(now);
    event["count"] = json!(1);
    event["eventTime"] = Value::Null;
    event
}

/// Stores the event. A recorder that cannot write (its namespace is going away) drops the
/// event, as real recorders do after their retries.
pub fn record(store: &SimStore, happening: Happening) {
    let mut event = event_object(&happening);
    let namespace = event["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = event["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let manager = match happening.reporter {
        Reporter::Kubelet { .. } => "kubelet",
        Reporter::Controller(_) => "kube-controller-manager",
        Reporter::Scheduler => "kube-scheduler",
    };
    record_update(None, &mut event, manager, None, "v1");
    let _ = store.transact(EVENTS, &namespace, &name, |_| Ok(Write::Create(event)));
}

/// The four kubelet events of a container coming up: its image pulled, then the container
/// created and started. `init` says which list of the pod spec it is in.
pub fn container_started(store: &SimStore, pod: &Value, container: &Value, init: bool) {
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    let name = container["name"].as_str().unwrap_or_default();
    let image = container["image"].as_str().unwrap_or_default();
    let list = if init {
        "spec.initContainers"
    } else {
        "spec.containers"
    };
    let steps = [
        ("Pulling", format!("Pulling image \"{image}\"")),
        (
            "Pulled",
            format!(
                "Successfully pulled image \"{image}\" in 1.2s (1.2s including waiting). Image size: 52428800 bytes."
            ),
        ),
        ("Created", format!("Created container: {name}")),
        ("Started", format!("Started container {name}")),
    ];
    for (reason, message) in steps {
        record(
            store,
            Happening {
                involved: pod,
                reason,
                message,
                field_path: Some(format!("{list}{{{name}}}")),
                reporter: Reporter::Kubelet { node },
            },
        );
    }
}

/// The kubelet's `Killing` events as a graceful deletion stops the pod's containers.
pub fn containers_stopping(store: &SimStore, pod: &Value) {
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    for (list, containers) in [
        ("spec.containers", &pod["spec"]["containers"]),
        ("spec.initContainers", &pod["spec"]["initContainers"]),
    ] {
        for container in containers.as_array().into_iter().flatten() {
            // Init containers that ran to completion have nothing left to stop.
            if list == "spec.initContainers" && container["restartPolicy"] != "Always" {
                continue;
            }
            let name = container["name"].as_str().unwrap_or_default();
            record(
                store,
                Happening {
                    involved: pod,
                    reason: "Killing",
                    message: format!("Stopping container {name}"),
                    field_path: Some(format!("{list}{{{name}}}")),
                    reporter: Reporter::Kubelet { node },
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_and_scheduler_events_are_worded_and_sourced_as_recorded() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p-1", "namespace": "ns",
            "uid": "u", "resourceVersion": "7"}, "spec": {"nodeName": "worker"}});
        let pulled = event_object(&Happening {
            involved: &pod,
            reason: "Started",
            message: "Started container app".into(),
            field_path: Some("spec.containers{app}".into()),
            reporter: Reporter::Kubelet { node: "worker" },
        });
        assert_eq!(
            pulled["involvedObject"]["fieldPath"],
            "spec.containers{app}"
        );
        assert_eq!(
            pulled["source"],
            json!({"component": "kubelet", "host": "worker"})
        );
        assert_eq!(pulled["count"], 1);
        assert!(
            pulled["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("p-1.")
        );
        let scheduled = event_object(&Happening {
            involved: &pod,
            reason: "Scheduled",
            message: "Successfully assigned ns/p-1 to worker".into(),
            field_path: None,
            reporter: Reporter::Scheduler,
        });
        assert_eq!(scheduled["source"], json!({}));
        assert_eq!(scheduled["reportingComponent"], "default-scheduler");
        assert!(scheduled["firstTimestamp"].is_null() && scheduled["eventTime"].is_string());
        assert_ne!(pulled["metadata"]["name"], scheduled["metadata"]["name"]);
    }
}
