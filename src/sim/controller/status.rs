//! Status the controllers write back: ReplicaSet replica counts and Deployment
//! availability, each through the status subresource.

use serde_json::{Value, json};

use super::{
    Controller, MANAGER, name_of, namespace_of, owner_uid, pod_ready, template_hash, terminating,
    uid_of,
};
use crate::sim::apply::record_update;
use crate::sim::meta::{metadata_mut, now_timestamp};
use crate::sim::resources::{DEPLOYMENTS, REPLICASETS};
use crate::sim::store::Write;

impl Controller {
    pub(super) fn write_replicaset_status(&self, rs: &Value, pods: &[Value]) {
        let owned: Vec<&Value> = pods
            .iter()
            .filter(|p| owner_uid(p) == Some(uid_of(rs)) && !terminating(p))
            .collect();
        let ready = owned.iter().filter(|p| pod_ready(p)).count();
        let leaving = pods
            .iter()
            .filter(|p| owner_uid(p) == Some(uid_of(rs)) && terminating(p))
            .count();
        let mut status = json!({"replicas": owned.len(), "fullyLabeledReplicas": owned.len(),
            "observedGeneration": rs["metadata"]["generation"], "terminatingReplicas": leaving});
        if ready > 0 {
            status["readyReplicas"] = json!(ready);
            status["availableReplicas"] = json!(ready);
        }
        self.write_status(REPLICASETS, rs, status);
    }

    pub(super) fn write_deployment_status(&self, deployment: &Value, replicasets: &[Value]) {
        let owned: Vec<&Value> = replicasets
            .iter()
            .filter(|rs| owner_uid(rs) == Some(uid_of(deployment)))
            .collect();
        let count = |field: &str| {
            owned
                .iter()
                .map(|rs| rs["status"][field].as_u64().unwrap_or(0))
                .sum::<u64>()
        };
        let replicas = count("replicas");
        let ready = count("readyReplicas");
        let leaving = count("terminatingReplicas");
        let desired = deployment["spec"]["replicas"].as_u64().unwrap_or(1);
        let hash = template_hash(&deployment["spec"]["template"]);
        let updated: u64 = owned
            .iter()
            .filter(|rs| name_of(rs).ends_with(&hash))
            .map(|rs| rs["status"]["replicas"].as_u64().unwrap_or(0))
            .sum();
        let available = ready >= desired;
        let previous = &deployment["status"]["conditions"];
        let stamp = |kind: &str, ok: bool| {
            let status = if ok { "True" } else { "False" };
            let earlier = previous.as_array().and_then(|c| {
                c.iter()
                    .find(|c| c["type"] == kind && c["status"] == status)
                    .cloned()
            });
            earlier.unwrap_or_else(|| {
                let now = now_timestamp();
                let (reason, message) = if kind == "Available" {
                    if ok { ("MinimumReplicasAvailable", "Deployment has minimum availability.") }
                    else { ("MinimumReplicasUnavailable", "Deployment does not have minimum availability.") }
                } else {
                    ("NewReplicaSetAvailable", "ReplicaSet has successfully progressed.")
                };
                json!({"type": kind, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
                       "reason": reason, "message": message})
            })
        };
        let mut status = json!({"observedGeneration": deployment["metadata"]["generation"], "replicas": replicas,
            "updatedReplicas": updated, "terminatingReplicas": leaving,
            "conditions": [stamp("Available", available), stamp("Progressing", true)]});
        if ready > 0 {
            status["readyReplicas"] = json!(ready);
            status["availableReplicas"] = json!(ready);
        }
        if replicas > ready {
            status["unavailableReplicas"] = json!(replicas - ready);
        }
        self.write_status(DEPLOYMENTS, deployment, status);
    }

    fn write_status(&self, resource: usize, obj: &Value, status: Value) {
        if obj["status"] == status {
            return;
        }
        let _ = self
            .store
            .transact(resource, namespace_of(obj), name_of(obj), |current| {
                let Some(current) = current.filter(|c| uid_of(c) == uid_of(obj)) else {
                    return Ok(Write::Keep);
                };
                let mut updated = current.clone();
                updated["status"] = status;
                if resource == DEPLOYMENTS {
                    // The revision the deployment controller stamps with its first status.
                    let meta = metadata_mut(&mut updated);
                    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
                    if annotations
                        .get("deployment.kubernetes.io/revision")
                        .is_none()
                    {
                        annotations["deployment.kubernetes.io/revision"] = json!("1");
                    }
                }
                record_update(
                    Some(current),
                    &mut updated,
                    MANAGER,
                    Some("status"),
                    "apps/v1",
                );
                Ok(Write::Replace(updated))
            });
    }
}
