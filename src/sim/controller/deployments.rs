//! The Deployment controller's rollouts: one ReplicaSet per pod template, numbered by the
//! `deployment.kubernetes.io/revision` annotation, the current one scaled to the wanted
//! replicas and the older ones to zero, each scaling reported as a `ScalingReplicaSet`
//! event.

use serde_json::{Value, json};

use super::{
    Controller, MANAGER, name_of, namespace_of, owner_reference, owner_uid, template_hash, uid_of,
};
use crate::sim::apply::record_update;
use crate::sim::defaults::apply_defaults;
use crate::sim::events::{self, Happening, Reporter};
use crate::sim::resources::REPLICASETS;
use crate::sim::store::Write;

pub const REVISION: &str = "deployment.kubernetes.io/revision";

/// A ReplicaSet's revision number (0 when it has none).
pub fn revision_of(rs: &Value) -> u64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

impl Controller {
    pub(super) fn sync_deployment(&self, deployment: &Value, replicasets: &[Value]) {
        let namespace = namespace_of(deployment);
        let template = &deployment["spec"]["template"];
        let hash = template_hash(template);
        let rs_name = format!("{}-{hash}", name_of(deployment));
        let replicas = deployment["spec"]["replicas"].as_u64().unwrap_or(1);
        let owned: Vec<&Value> = replicasets
            .iter()
            .filter(|rs| owner_uid(rs) == Some(uid_of(deployment)))
            .collect();
        for old in owned.iter().filter(|rs| name_of(rs) != rs_name) {
            self.set_replicas(deployment, old, 0);
        }
        match replicasets
            .iter()
            .find(|rs| namespace_of(rs) == namespace && name_of(rs) == rs_name)
        {
            Some(current) => self.set_replicas(deployment, current, replicas),
            None => {
                let revision = owned.iter().map(|rs| revision_of(rs)).max().unwrap_or(0) + 1;
                let mut labels = template["metadata"]["labels"].clone();
                labels["pod-template-hash"] = json!(hash);
                let mut rs_template = template.clone();
                rs_template["metadata"]["labels"] = labels.clone();
                let mut selector = deployment["spec"]["selector"].clone();
                selector["matchLabels"]["pod-template-hash"] = json!(hash);
                let mut rs = json!({
                    "apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": rs_name, "namespace": namespace, "labels": labels,
                        "annotations": {"deployment.kubernetes.io/desired-replicas": replicas.to_string(),
                                        "deployment.kubernetes.io/max-replicas": (replicas + 1).to_string(),
                                        "deployment.kubernetes.io/revision": revision.to_string()},
                        "ownerReferences": owner_reference(deployment, "Deployment")},
                    "spec": {"replicas": replicas, "selector": selector, "template": rs_template},
                });
                apply_defaults(REPLICASETS, &mut rs, self.store.allocator());
                record_update(None, &mut rs, MANAGER, None, "apps/v1");
                let created = self
                    .store
                    .transact(REPLICASETS, namespace, &rs_name, |_| Ok(Write::Create(rs)));
                if created.is_ok() && replicas > 0 {
                    self.report_scaling(deployment, &rs_name, 0, replicas);
                }
            }
        }
    }

    fn set_replicas(&self, deployment: &Value, rs: &Value, replicas: u64) {
        let before = rs["spec"]["replicas"].as_u64().unwrap_or(0);
        if before == replicas {
            return;
        }
        let scaled = self
            .store
            .transact(REPLICASETS, namespace_of(rs), name_of(rs), |current| {
                let Some(current) = current else {
                    return Ok(Write::Keep);
                };
                let mut scaled = current.clone();
                scaled["spec"]["replicas"] = json!(replicas);
                scaled["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
                    json!(deployment["spec"]["replicas"].as_u64().unwrap_or(1).to_string());
                record_update(Some(current), &mut scaled, MANAGER, None, "apps/v1");
                Ok(Write::Replace(scaled))
            });
        if matches!(scaled, Ok((_, true))) {
            self.report_scaling(deployment, name_of(rs), before, replicas);
        }
    }

    fn report_scaling(&self, deployment: &Value, rs_name: &str, from: u64, to: u64) {
        let direction = if to > from { "up" } else { "down" };
        events::record(
            &self.store,
            Happening {
                involved: deployment,
                reason: "ScalingReplicaSet",
                message: format!("Scaled {direction} replica set {rs_name} from {from} to {to}"),
                field_path: None,
                reporter: Reporter::Controller("deployment-controller"),
            },
        );
    }
}
