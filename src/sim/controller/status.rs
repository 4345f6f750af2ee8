//! Status the controllers write back: ReplicaSet replica counts and Deployment
//! availability, each through the status subresource.

use serde_json::{Value, json};

use super::deployments::{REVISION, revision_of};
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
        self.write_status(REPLICASETS, rs, status, 0);
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
        let current_rs = owned.iter().find(|rs| name_of(rs).ends_with(&hash));
        let rs_name = current_rs.map(|rs| name_of(rs)).unwrap_or_default();
        let revision = current_rs.map(|rs| revision_of(rs)).unwrap_or(1).max(1);
        let complete = updated == desired && replicas == updated && ready >= updated;
        let previous = &deployment["status"]["conditions"];
        let stamp = |kind: &str, ok: bool, reason: &str, message: String| {
            let status = if ok { "True" } else { "False" };
            let now = now_timestamp();
            let earlier = previous
                .as_array()
                .and_then(|c| c.iter().find(|c| c["type"] == kind).cloned());
            let transition = match &earlier {
                Some(e) if e["status"] == status => e["lastTransitionTime"].clone(),
                _ => json!(now),
            };
            match earlier {
                Some(e) if e["status"] == status && e["reason"] == reason => e,
                _ => json!({"type": kind, "status": status, "lastUpdateTime": now,
                    "lastTransitionTime": transition, "reason": reason, "message": message}),
            }
        };
        let availability = if available {
            stamp(
                "Available",
                true,
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
            )
        } else {
            stamp(
                "Available",
                false,
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
            )
        };
        let progress = if complete {
            stamp(
                "Progressing",
                true,
                "NewReplicaSetAvailable",
                format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
            )
        } else {
            stamp(
                "Progressing",
                true,
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{rs_name}\" is progressing."),
            )
        };
        let mut status = json!({"observedGeneration": deployment["metadata"]["generation"], "replicas": replicas,
            "updatedReplicas": updated, "terminatingReplicas": leaving,
            "conditions": [availability, progress]});
        if ready > 0 {
            status["readyReplicas"] = json!(ready);
            status["availableReplicas"] = json!(ready);
        }
        if replicas > ready {
            status["unavailableReplicas"] = json!(replicas - ready);
        }
        self.write_status(DEPLOYMENTS, deployment, status, revision);
    }

    /// Writes `status`; a Deployment's also gets the revision of its current ReplicaSet,
    /// as the deployment controller stamps it.
    fn write_status(&self, resource: usize, obj: &Value, status: Value, revision: u64) {
        let revision = revision.to_string();
        let stamped = resource != DEPLOYMENTS
            || obj["metadata"]["annotations"][REVISION] == revision.as_str();
        if obj["status"] == status && stamped {
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
                    let meta = metadata_mut(&mut updated);
                    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
                    annotations[REVISION] = json!(revision);
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
