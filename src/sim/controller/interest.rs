//! Which changes the controllers act on, read from a few fields of the stored text: with
//! thousands of standalone pods in the store, parsing each one per event or pass would
//! dominate the demo cluster's work.

use crate::sim::resources::{DEPLOYMENTS, NAMESPACES, PODS, REPLICASETS};
use crate::sim::store::{Event, Stored};

pub fn concerns_controllers(event: &Event) -> bool {
    match event.resource {
        DEPLOYMENTS | REPLICASETS | NAMESPACES => true,
        PODS => needs_controllers(&event.object),
        _ => false,
    }
}

/// Pods the controllers act on: owned ones (scaling, cascading) and unscheduled ones.
pub fn needs_controllers(pod: &Stored) -> bool {
    pod.fields::<SchedulingFields>()
        .is_none_or(|pod| pod.needs_controllers())
}

/// The two fields that decide, so a pod is judged without building the rest of it.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SchedulingFields {
    metadata: OwnerField,
    spec: NodeField,
}

#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct OwnerField {
    owner_references: Option<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct NodeField {
    node_name: Option<String>,
}

impl SchedulingFields {
    fn needs_controllers(&self) -> bool {
        self.metadata.owner_references.is_some()
            || self.spec.node_name.as_deref().is_none_or(str::is_empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn owned_or_unscheduled_pods_concern_the_controllers() {
        let cases = [
            (
                json!({"metadata": {"name": "a"}, "spec": {"nodeName": "demo-node"}}),
                false,
            ),
            (json!({"metadata": {"name": "b"}, "spec": {}}), true),
            (
                json!({"metadata": {"name": "c"}, "spec": {"nodeName": ""}}),
                true,
            ),
            (
                json!({"metadata": {"ownerReferences": [{"uid": "u"}]}, "spec": {"nodeName": "n"}}),
                true,
            ),
            (json!({"kind": "Pod"}), true),
        ];
        for (pod, expected) in cases {
            assert_eq!(needs_controllers(&Stored::new(&pod)), expected, "{pod}");
        }
    }
}
