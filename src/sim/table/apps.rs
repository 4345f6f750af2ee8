//! Printers for apps/v1: Deployments (READY as ready/desired, then up-to-date and
//! available) and ReplicaSets (desired, current, ready), with the template's containers,
//! images and selector as the wide columns.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::{
    AGE, Column, INTEGER, NAME, Row, TEXT, age, column, container_cells, int, name,
    selector_string, wide,
};

/// The template's containers and images, as both workload kinds print them wide.
const CONTAINERS: Column = wide(
    "Containers",
    TEXT,
    "Names of each container in the template.",
);
const IMAGES: Column = wide(
    "Images",
    TEXT,
    "Images referenced by each container in the template.",
);

pub const DEPLOYMENT_COLUMNS: &[Column] = &[
    NAME,
    column("Ready", TEXT, "Number of the pod with ready state"),
    column(
        "Up-to-date",
        TEXT,
        "Total number of non-terminating pods targeted by this deployment that have the desired template spec.",
    ),
    column(
        "Available",
        TEXT,
        "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    wide(
        "Selector",
        TEXT,
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
    ),
];

pub const REPLICASET_COLUMNS: &[Column] = &[
    NAME,
    column(
        "Desired",
        INTEGER,
        "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset",
    ),
    column(
        "Current",
        INTEGER,
        "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset",
    ),
    column(
        "Ready",
        INTEGER,
        "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    wide(
        "Selector",
        TEXT,
        "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ),
];

/// `spec.replicas`, which the apiserver defaults to 1 when a manifest leaves it out.
fn desired(obj: &Value) -> i64 {
    obj["spec"]["replicas"].as_i64().unwrap_or(1)
}

pub fn deployment(obj: &Value, now: Timestamp) -> Row {
    let status = &obj["status"];
    let (containers, images) = container_cells(&obj["spec"]["template"]["spec"]["containers"]);
    // The Deployment printer leaves an empty selector empty; the ReplicaSet one says <none>.
    let selector = selector_string(&obj["spec"]["selector"]).unwrap_or_else(|| "<invalid>".into());
    Row::new(vec![
        name(obj),
        json!(format!(
            "{}/{}",
            int(&status["readyReplicas"]),
            desired(obj)
        )),
        json!(int(&status["updatedReplicas"])),
        json!(int(&status["availableReplicas"])),
        age(obj, now),
        containers,
        images,
        json!(selector),
    ])
}

pub fn replicaset(obj: &Value, now: Timestamp) -> Row {
    let status = &obj["status"];
    let (containers, images) = container_cells(&obj["spec"]["template"]["spec"]["containers"]);
    let selector = match selector_string(&obj["spec"]["selector"]) {
        Some(s) if s.is_empty() => "<none>".to_string(),
        Some(s) => s,
        None => "<error>".to_string(),
    };
    Row::new(vec![
        name(obj),
        json!(desired(obj)),
        json!(int(&status["replicas"])),
        json!(int(&status["readyReplicas"])),
        age(obj, now),
        containers,
        images,
        json!(selector),
    ])
}
