//! The controllers that make the demo cluster live: Deployments get ReplicaSets, ReplicaSets
//! get pods (injected where the namespace asks for it), owners' deletions cascade, and
//! statuses follow the pods.

use std::collections::HashSet;

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::sim::apply::record_update;
use crate::sim::defaults::apply_defaults;
use crate::sim::events::{self, Happening, Reporter};
use crate::sim::lifecycle::{Stage, inject_sidecar, spawn_progression, terminate_pod, write_stage};
use crate::sim::meta::metadata_mut;
use crate::sim::resources::{DEPLOYMENTS, NAMESPACES, PODS, REPLICASETS, SERVICES};
use crate::sim::scenario::ControllerSettings;
use crate::sim::store::{SimStore, Write};

mod deployments;
mod endpoints;
mod interest;
mod namespaces;
mod status;

use interest::{concerns_controllers, needs_controllers};

const MANAGER: &str = "kube-controller-manager";

struct Controller {
    store: SimStore,
    settings: ControllerSettings,
    speed: f64,
    cancel: CancellationToken,
}

/// Brings the scenario's workloads up at once (pods already Ready), then keeps reconciling
/// on every change to Deployments, ReplicaSets and Pods until cancelled.
pub fn start(store: SimStore, settings: ControllerSettings, speed: f64, cancel: CancellationToken) {
    let controller = Controller {
        store,
        settings,
        speed,
        cancel,
    };
    let mut events = controller.store.subscribe();
    spawn_endpoints(controller.store.clone(), controller.cancel.clone());
    controller.reconcile(true);
    tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                _ = controller.cancel.cancelled() => return,
                received = events.recv() => received,
            };
            match received {
                Ok(event) if !concerns_controllers(&event) => continue,
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    // Coalesce a burst of changes into one pass.
                    while events.try_recv().is_ok() {}
                    controller.reconcile(false);
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

fn uid_of(obj: &Value) -> &str {
    obj["metadata"]["uid"].as_str().unwrap_or_default()
}

fn name_of(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or_default()
}

fn namespace_of(obj: &Value) -> &str {
    obj["metadata"]["namespace"].as_str().unwrap_or_default()
}

fn owner_uid(obj: &Value) -> Option<&str> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)?["uid"]
        .as_str()
}

fn terminating(obj: &Value) -> bool {
    obj["metadata"].get("deletionTimestamp").is_some()
}

fn owner_reference(owner: &Value, kind: &str) -> Value {
    json!([{"apiVersion": "apps/v1", "kind": kind, "name": name_of(owner), "uid": uid_of(owner),
            "controller": true, "blockOwnerDeletion": true}])
}

/// Ten hex digits derived from the pod template, like `pod-template-hash`.
pub fn template_hash(template: &Value) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in template.to_string().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:010x}", hash & 0xff_ffff_ffff)
}

/// The endpoints controllers run apart: they follow every pod, scheduled by the
/// controllers or not, and resync only the namespaces a burst of changes touched.
fn spawn_endpoints(store: SimStore, cancel: CancellationToken) {
    let mut events = store.subscribe();
    let (namespaces, _) = store.list(NAMESPACES, None);
    for ns in &namespaces {
        endpoints::sync_namespace(&store, name_of(ns));
    }
    tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                _ = cancel.cancelled() => return,
                received = events.recv() => received,
            };
            let mut touched = std::collections::BTreeSet::new();
            let mut burst = Vec::new();
            match received {
                Ok(event) => burst.push(event),
                Err(RecvError::Lagged(_)) => {
                    let (namespaces, _) = store.list(NAMESPACES, None);
                    touched.extend(namespaces.iter().map(|ns| name_of(ns).to_string()));
                }
                Err(RecvError::Closed) => return,
            }
            while let Ok(event) = events.try_recv() {
                burst.push(event);
            }
            for event in burst {
                if matches!(event.resource, PODS | SERVICES) {
                    touched.insert(event.namespace.clone());
                }
            }
            for namespace in &touched {
                endpoints::sync_namespace(&store, namespace);
                namespaces::finish_if_empty(&store, namespace);
            }
        }
    });
}

impl Controller {
    fn reconcile(&self, instant: bool) {
        self.sync_namespaces();
        let (deployments, _) = self.store.list(DEPLOYMENTS, None);
        let (replicasets, _) = self.store.list(REPLICASETS, None);
        let deployment_uids: HashSet<&str> = deployments.iter().map(uid_of).collect();
        for rs in &replicasets {
            if owner_uid(rs).is_some_and(|uid| !deployment_uids.contains(uid)) {
                let _ = self
                    .store
                    .delete_now(REPLICASETS, namespace_of(rs), name_of(rs));
            }
        }
        for deployment in deployments.iter().filter(|d| !terminating(d)) {
            self.sync_deployment(deployment, &replicasets);
        }
        let (replicasets, _) = self.store.list(REPLICASETS, None);
        let (pods, _) = self.store.list_where(PODS, None, needs_controllers);
        let rs_uids: HashSet<&str> = replicasets.iter().map(uid_of).collect();
        for pod in pods.iter().filter(|p| !terminating(p)) {
            if owner_uid(pod).is_some_and(|uid| !rs_uids.contains(uid)) {
                terminate_pod(&self.store, pod, self.speed, &self.cancel);
            } else if pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty) {
                self.schedule(pod);
            }
        }
        for rs in &replicasets {
            self.scale_replicaset(rs, &pods, instant);
        }
        let (pods, _) = self.store.list_where(PODS, None, needs_controllers);
        for rs in &replicasets {
            self.write_replicaset_status(rs, &pods);
        }
        let (replicasets, _) = self.store.list(REPLICASETS, None);
        for deployment in &deployments {
            self.write_deployment_status(deployment, &replicasets);
        }
    }

    fn injection_wanted(&self, namespace: &str, template: &Value) -> bool {
        let Some(ns) = self.store.get(NAMESPACES, "", namespace) else {
            return false;
        };
        let labels = &ns["metadata"]["labels"];
        let enabled = labels["istio-injection"] == "enabled"
            || (labels.get("istio.io/rev").is_some() && labels["istio-injection"] != "disabled");
        let opted_out = template["metadata"]["labels"]["sidecar.istio.io/inject"] == "false"
            || template["metadata"]["annotations"]["sidecar.istio.io/inject"] == "false";
        enabled && !opted_out
    }

    fn scale_replicaset(&self, rs: &Value, pods: &[Value], instant: bool) {
        let wanted = rs["spec"]["replicas"].as_u64().unwrap_or(1) as usize;
        let mut active: Vec<&Value> = pods
            .iter()
            .filter(|p| owner_uid(p) == Some(uid_of(rs)) && !terminating(p))
            .collect();
        for _ in active.len()..wanted {
            self.create_pod(rs, instant);
        }
        if active.len() > wanted {
            active.sort_by_key(|p| {
                std::cmp::Reverse(
                    p["metadata"]["creationTimestamp"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            });
            for pod in &active[..active.len() - wanted] {
                terminate_pod(&self.store, pod, self.speed, &self.cancel);
                let message = format!("Deleted pod: {}", name_of(pod));
                let controller = Reporter::Controller("replicaset-controller");
                events::record(
                    &self.store,
                    Happening {
                        involved: rs,
                        reason: "SuccessfulDelete",
                        message,
                        field_path: None,
                        reporter: controller,
                    },
                );
            }
        }
    }

    fn create_pod(&self, rs: &Value, instant: bool) {
        let namespace = namespace_of(rs);
        let template = &rs["spec"]["template"];
        let prefix = format!("{}-", name_of(rs));
        let name = self.store.generated_name(PODS, namespace, &prefix);
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "generateName": prefix, "namespace": namespace,
                "labels": template["metadata"]["labels"].clone(),
                "ownerReferences": owner_reference(rs, "ReplicaSet")},
            "spec": template["spec"].clone(),
        });
        if let Some(annotations) = template["metadata"].get("annotations") {
            metadata_mut(&mut pod).insert("annotations".into(), annotations.clone());
        }
        pod["spec"]["nodeName"] = json!(self.settings.node_name);
        let injected = self.injection_wanted(namespace, template);
        if injected {
            inject_sidecar(&mut pod, &self.settings);
        }
        apply_defaults(PODS, &mut pod, self.store.allocator());
        record_update(None, &mut pod, MANAGER, None, "v1");
        let Ok((created, _)) = self
            .store
            .transact(PODS, namespace, &name, |_| Ok(Write::Create(pod)))
        else {
            return;
        };
        let controller = Reporter::Controller("replicaset-controller");
        events::record(
            &self.store,
            Happening {
                involved: rs,
                reason: "SuccessfulCreate",
                message: format!("Created pod: {name}"),
                field_path: None,
                reporter: controller,
            },
        );
        self.report_scheduled(&created);
        if instant {
            let _ = write_stage(
                &self.store,
                namespace,
                &name,
                &created["metadata"]["uid"],
                Stage::Ready,
            );
        } else {
            spawn_progression(
                self.store.clone(),
                &created,
                injected,
                self.speed,
                self.cancel.clone(),
            );
        }
    }

    /// The scheduler's and kubelet's part for a pod created without a node: bind it to the
    /// node, then run it through its stages.
    fn schedule(&self, pod: &Value) {
        let node = self.settings.node_name.clone();
        let bound = self
            .store
            .transact(PODS, namespace_of(pod), name_of(pod), |current| {
                let Some(current) = current.filter(|c| uid_of(c) == uid_of(pod)) else {
                    return Ok(Write::Keep);
                };
                let mut bound = current.clone();
                bound["spec"]["nodeName"] = json!(node);
                record_update(Some(current), &mut bound, "kube-scheduler", None, "v1");
                Ok(Write::Replace(bound))
            });
        if let Ok((bound, true)) = bound {
            self.report_scheduled(&bound);
            let injected = bound["spec"]["initContainers"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(bound["spec"]["containers"].as_array().into_iter().flatten())
                .any(|c| c["name"] == "istio-proxy");
            spawn_progression(
                self.store.clone(),
                &bound,
                injected,
                self.speed,
                self.cancel.clone(),
            );
        }
    }
}

impl Controller {
    fn report_scheduled(&self, pod: &Value) {
        let message = format!(
            "Successfully assigned {}/{} to {}",
            namespace_of(pod),
            name_of(pod),
            self.settings.node_name
        );
        events::record(
            &self.store,
            Happening {
                involved: pod,
                reason: "Scheduled",
                message,
                field_path: None,
                reporter: Reporter::Scheduler,
            },
        );
    }
}

fn pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_hash_is_ten_hex_digits_and_follows_the_template() {
        let a = template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}));
        let b = template_hash(&json!({"spec": {"containers": [{"image": "b"}]}}));
        assert_eq!(a.len(), 10);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn controller_ownership_is_read_from_owner_references() {
        let pod = json!({"metadata": {"ownerReferences": [{"uid": "u1", "controller": true}]}});
        assert_eq!(owner_uid(&pod), Some("u1"));
        assert_eq!(owner_uid(&json!({"metadata": {}})), None);
        assert!(pod_ready(
            &json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
        ));
    }
}
