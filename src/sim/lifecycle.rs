//! The kubelet's side of a pod: sidecar injection at creation, status progression
//! (Pending → Init → PodInitializing → Running → Ready) and graceful termination.

use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::alloc::Allocator;
use super::apply::record_update;
use super::events;
use super::meta::{meta_string, metadata_mut, now_timestamp};
use super::resources::PODS;
use super::scenario::{ControllerSettings, SidecarMode};
use super::status::ApiError;
use super::store::{SimStore, Write};
use super::writes::{finish_pod_deletion_after, marked_terminating};

const HOST_IP: &str = "172.18.0.2";
/// Time between two visible status steps at speed 1.
const STEP: Duration = Duration::from_millis(900);

/// The steps a pod's status goes through after creation (Pending, no conditions);
/// `Ready` is the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Init,
    PodInitializing,
    Starting,
    Ready,
}

impl Stage {
    pub fn sequence(injected: bool) -> &'static [Stage] {
        if injected {
            &[
                Stage::Init,
                Stage::PodInitializing,
                Stage::Starting,
                Stage::Ready,
            ]
        } else {
            &[Stage::PodInitializing, Stage::Ready]
        }
    }
}

/// Adds what Istio's injection webhook adds: `istio-init`, and `istio-proxy` either as a
/// native sidecar (init container, `restartPolicy: Always`) or as a regular container.
pub fn inject_sidecar(pod: &mut Value, settings: &ControllerSettings) {
    let app = pod["metadata"]["labels"]["app"]
        .as_str()
        .unwrap_or("unknown")
        .to_string();
    let revision = pod["metadata"]["labels"]["version"]
        .as_str()
        .unwrap_or("latest")
        .to_string();
    if let Some(labels) = pod
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.insert("security.istio.io/tlsMode".into(), json!("istio"));
        labels.insert("service.istio.io/canonical-name".into(), json!(app));
        labels.insert(
            "service.istio.io/canonical-revision".into(),
            json!(revision),
        );
    }
    let meta = metadata_mut(pod);
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    annotations["sidecar.istio.io/status"] = json!(
        r#"{"containers":["istio-proxy"],"initContainers":["istio-init"],"volumes":["istio-envoy"],"revision":"default"}"#
    );
    let image = settings.proxy_image.clone();
    let init = json!({"name": "istio-init", "image": image,
        "args": ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-b", "*", "-d", "15090,15021,15020"],
        "resources": {"requests": {"cpu": "10m", "memory": "40Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}});
    let mut proxy = json!({"name": "istio-proxy", "image": image,
        "args": ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local"],
        "ports": [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021}, "periodSeconds": 15},
        "resources": {"requests": {"cpu": "10m", "memory": "40Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}});
    let spec = &mut pod["spec"];
    let mut init_containers = spec["initContainers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    init_containers.push(init);
    match settings.sidecar {
        SidecarMode::Native => {
            proxy["restartPolicy"] = json!("Always");
            init_containers.push(proxy);
        }
        SidecarMode::Classic => {
            if let Some(containers) = spec["containers"].as_array_mut() {
                containers.push(proxy);
            }
        }
    }
    spec["initContainers"] = Value::Array(init_containers);
}

fn condition(kind: &str, ok: bool, now: &str) -> Value {
    json!({"type": kind, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now})
}

fn container_status(container: &Value, state: Value, ready: bool, started: bool) -> Value {
    let image = container["image"].clone();
    let mut status = json!({"name": container["name"], "state": state, "lastState": {}, "ready": ready,
        "restartCount": 0, "image": image, "imageID": "", "started": started});
    if status["state"].get("running").is_some() || status["state"].get("terminated").is_some() {
        status["imageID"] = json!(format!(
            "{}@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            image.as_str().unwrap_or_default()
        ));
        status["containerID"] = json!(format!(
            "containerd://{:064x}",
            container["name"].to_string().len() as u64 * 7919
        ));
    }
    status
}

fn waiting(reason: &str) -> Value {
    json!({"waiting": {"reason": reason}})
}

/// The status a pod shows at `stage`. `previous` keeps the start time and IPs stable; a
/// pod without an IP yet gets the next one from `alloc`.
pub fn status_at(pod: &Value, stage: Stage, previous: &Value, alloc: &Allocator) -> Value {
    let now = now_timestamp();
    let running = json!({"running": {"startedAt": now}});
    let qos = previous["qosClass"].clone();
    let init_containers = pod["spec"]["initContainers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let containers = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut status = json!({"phase": "Pending", "qosClass": qos});
    let pod_ip = previous["podIP"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| alloc.pod_ip());
    let initialized = stage >= Stage::PodInitializing;
    let ready = stage == Stage::Ready;
    status["conditions"] = json!([
        condition(
            "PodReadyToStartContainers",
            stage != Stage::PodInitializing || !init_containers.is_empty(),
            &now
        ),
        condition("Initialized", initialized, &now),
        condition("Ready", ready, &now),
        condition("ContainersReady", ready, &now),
        condition("PodScheduled", true, &now),
    ]);
    status["hostIP"] = json!(HOST_IP);
    status["hostIPs"] = json!([{"ip": HOST_IP}]);
    status["startTime"] = previous
        .get("startTime")
        .cloned()
        .unwrap_or_else(|| json!(now));
    if init_containers.is_empty() && stage == Stage::PodInitializing {
        // Without init containers this step is "ContainerCreating": no IP yet.
        status["containerStatuses"] = containers
            .iter()
            .map(|c| container_status(c, waiting("ContainerCreating"), false, false))
            .collect();
        return status;
    }
    status["podIP"] = json!(pod_ip);
    status["podIPs"] = json!([{"ip": pod_ip}]);
    if stage >= Stage::Starting || (init_containers.is_empty() && ready) {
        status["phase"] = json!("Running");
    }
    if !init_containers.is_empty() {
        status["initContainerStatuses"] = init_containers
            .iter()
            .map(|c| {
                let sidecar = c["restartPolicy"] == "Always";
                match (sidecar, stage) {
                    (false, Stage::Init) => container_status(c, running.clone(), false, true),
                    (false, _) => container_status(
                        c,
                        json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}}),
                        false,
                        false,
                    ),
                    (true, Stage::Init) => container_status(c, waiting("PodInitializing"), false, false),
                    (true, Stage::PodInitializing) => container_status(c, running.clone(), false, true),
                    (true, _) => container_status(c, running.clone(), true, true),
                }
            })
            .collect();
    }
    status["containerStatuses"] = containers
        .iter()
        .map(|c| {
            let is_proxy = c["name"] == "istio-proxy";
            match stage {
                Stage::Init | Stage::PodInitializing => {
                    container_status(c, waiting("PodInitializing"), false, false)
                }
                Stage::Starting => container_status(c, running.clone(), is_proxy, true),
                _ => container_status(c, running.clone(), true, true),
            }
        })
        .collect();
    status
}

/// Writes the pod's status for `stage` through the status subresource, as the kubelet.
/// Stops (Err) once the pod is gone, replaced, or terminating.
pub fn write_stage(
    store: &SimStore,
    namespace: &str,
    name: &str,
    uid: &Value,
    stage: Stage,
) -> Result<(), ApiError> {
    let mut started = Vec::new();
    let (pod, _) = store.transact(PODS, namespace, name, |current| {
        let Some(current) = current.filter(|p| p["metadata"]["uid"] == *uid) else {
            return Err(ApiError::new(404, Some("NotFound"), "pod replaced", None));
        };
        if current["metadata"].get("deletionTimestamp").is_some() {
            return Err(ApiError::new(
                409,
                Some("Conflict"),
                "pod terminating",
                None,
            ));
        }
        let mut updated = current.clone();
        updated["status"] = status_at(current, stage, &current["status"], store.allocator());
        started = newly_started(&current["status"], &updated["status"]);
        record_update(Some(current), &mut updated, "kubelet", Some("status"), "v1");
        Ok(Write::Replace(updated))
    })?;
    // The kubelet reports each container it started, in the order it started them.
    for (list, init) in [("initContainers", true), ("containers", false)] {
        for container in pod["spec"][list].as_array().into_iter().flatten() {
            if started.iter().any(|n| container["name"] == n.as_str()) {
                events::container_started(store, &pod, container, init);
            }
        }
    }
    Ok(())
}

/// Names of the containers running or done in `after` that were neither in `before`.
fn newly_started(before: &Value, after: &Value) -> Vec<String> {
    let up = |status: &Value| -> Vec<String> {
        ["initContainerStatuses", "containerStatuses"]
            .iter()
            .flat_map(|list| status[*list].as_array().cloned().unwrap_or_default())
            .filter(|c| {
                c["state"].get("running").is_some() || c["state"].get("terminated").is_some()
            })
            .filter_map(|c| c["name"].as_str().map(str::to_string))
            .collect()
    };
    let earlier = up(before);
    up(after)
        .into_iter()
        .filter(|name| !earlier.contains(name))
        .collect()
}

/// Runs a new pod through its stages, one status write per step.
pub fn spawn_progression(
    store: SimStore,
    pod: &Value,
    injected: bool,
    speed: f64,
    cancel: CancellationToken,
) {
    let namespace = meta_string(pod, "namespace");
    let name = meta_string(pod, "name");
    let uid = pod["metadata"]["uid"].clone();
    let step = STEP.div_f64(speed);
    tokio::spawn(async move {
        for stage in Stage::sequence(injected) {
            tokio::select! {
                _ = tokio::time::sleep(step) => {}
                _ = cancel.cancelled() => return,
            }
            if write_stage(&store, &namespace, &name, &uid, *stage).is_err() {
                return;
            }
        }
    });
}

/// How long a terminating pod stays before removal. Containers that exit promptly end a
/// pod well before its grace period runs out, so a fraction of it, at most 3 s.
pub fn termination_delay(grace_seconds: u64, speed: f64) -> Duration {
    Duration::from_secs_f64((grace_seconds as f64 / 10.0).min(3.0) / speed.max(0.001))
}

/// Starts a graceful deletion (deletionTimestamp, grace period from the spec) and removes
/// the pod once the grace period, divided by `speed`, has passed.
pub fn terminate_pod(store: &SimStore, pod: &Value, speed: f64, cancel: &CancellationToken) {
    let namespace = meta_string(pod, "namespace");
    let name = meta_string(pod, "name");
    let uid = meta_string(pod, "uid");
    let grace = pod["spec"]["terminationGracePeriodSeconds"]
        .as_u64()
        .unwrap_or(30);
    let started = store.transact(PODS, &namespace, &name, |current| {
        let Some(current) = current.filter(|p| p["metadata"]["uid"] == uid.as_str()) else {
            return Ok(Write::Keep);
        };
        if current["metadata"].get("deletionTimestamp").is_some() {
            return Ok(Write::Keep);
        }
        Ok(Write::Replace(marked_terminating(current, grace)))
    });
    if let Ok((terminating, true)) = &started {
        events::containers_stopping(store, terminating);
        let delay = termination_delay(grace, speed);
        finish_pod_deletion_after(store.clone(), (namespace, name, uid), delay, cancel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(settings: &ControllerSettings) -> Value {
        let mut pod = json!({"metadata": {"name": "p", "labels": {"app": "reviews", "version": "v1"}},
            "spec": {"containers": [{"name": "reviews", "image": "r:1"}]}});
        inject_sidecar(&mut pod, settings);
        pod
    }

    fn ready_count(status: &Value) -> (usize, usize) {
        let mut ready = 0;
        let mut total = 0;
        for list in ["containerStatuses", "initContainerStatuses"] {
            for c in status[list].as_array().into_iter().flatten() {
                let sidecar = list == "containerStatuses" || c["name"] == "istio-proxy";
                if sidecar {
                    total += 1;
                    ready += usize::from(c["ready"] == true);
                }
            }
        }
        (ready, total)
    }

    #[test]
    fn native_sidecar_pods_progress_to_two_of_two() {
        let settings = ControllerSettings::default();
        let pod = pod(&settings);
        assert_eq!(pod["spec"]["initContainers"][1]["restartPolicy"], "Always");
        let mut status = json!({"qosClass": "Burstable"});
        let mut seen = Vec::new();
        for stage in Stage::sequence(true) {
            status = status_at(&pod, *stage, &status, &Allocator::default());
            seen.push((
                status["phase"].as_str().unwrap().to_string(),
                ready_count(&status),
            ));
        }
        assert_eq!(seen.first().unwrap().0, "Pending");
        assert_eq!(seen[2], ("Running".to_string(), (1, 2)));
        assert_eq!(seen[3], ("Running".to_string(), (2, 2)));
        assert_eq!(status["conditions"][2]["status"], "True");
    }

    #[test]
    fn classic_sidecar_is_a_second_container_and_plain_pods_are_one_of_one() {
        let settings = ControllerSettings {
            sidecar: SidecarMode::Classic,
            ..ControllerSettings::default()
        };
        let pod = pod(&settings);
        assert_eq!(pod["spec"]["containers"].as_array().unwrap().len(), 2);
        let plain = json!({"spec": {"containers": [{"name": "a", "image": "a:1"}]}});
        let status = status_at(&plain, Stage::Ready, &json!({}), &Allocator::default());
        assert_eq!(ready_count(&status), (1, 1));
        assert_eq!(status["phase"], "Running");
    }
}
