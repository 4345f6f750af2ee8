//! DELETE: immediate for most objects; for pods bound to a node, graceful (a
//! deletionTimestamp first, removal once the grace period has passed); for namespaces,
//! Terminating until the namespace controller has emptied them.

use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::Outcome;
use crate::sim::events;
use crate::sim::http::{Call, Shared};
use crate::sim::meta::{meta_string, metadata_mut, now_timestamp, timestamp_after};
use crate::sim::resources::{NAMESPACES, PODS, RESOURCES};
use crate::sim::status::ApiError;
use crate::sim::store::{SimStore, Write};

pub fn delete(shared: &Shared, call: &Call) -> Outcome {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let options: Value = serde_json::from_slice(&call.body).unwrap_or_else(|_| json!({}));
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    if target.resource == NAMESPACES {
        return begin_namespace_deletion(shared, &name);
    }
    if target.resource != PODS {
        let deleted = shared
            .store
            .delete_now(target.resource, &namespace, &name)?;
        return Ok((200, def.present(&target.version, &deleted)));
    }
    let requested_grace = options["gracePeriodSeconds"].as_u64();
    let mut graceful: Option<(u64, String)> = None;
    let mut removed = false;
    let (pod, _) = shared.store.transact(PODS, &namespace, &name, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(def, &name))?;
        let bound = current["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| !n.is_empty());
        let grace = requested_grace
            .or_else(|| current["spec"]["terminationGracePeriodSeconds"].as_u64())
            .unwrap_or(30);
        if !bound {
            // No kubelet holds the pod, so there is nothing to wait for.
            removed = true;
            return Ok(Write::Delete);
        }
        if grace == 0 {
            return Ok(Write::Keep);
        }
        if current["metadata"].get("deletionTimestamp").is_some() {
            return Ok(Write::Keep);
        }
        graceful = Some((grace, meta_string(current, "uid")));
        Ok(Write::Replace(marked_terminating(current, grace)))
    })?;
    if removed {
        return Ok((200, def.present(&target.version, &pod)));
    }
    let terminating_already = pod["metadata"].get("deletionTimestamp").is_some();
    if let Some((grace, uid)) = graceful {
        events::containers_stopping(&shared.store, &pod);
        // An API delete keeps the pod for its whole grace period, as the recorded
        // deletionTimestamp promises; only the controllers' own deletions end sooner.
        let delay = Duration::from_secs_f64(grace as f64 / shared.speed.max(0.001));
        let pod_key = (namespace, name, uid);
        finish_pod_deletion_after(shared.store.clone(), pod_key, delay, &shared.lifetime);
        return Ok((200, def.present(&target.version, &pod)));
    }
    if terminating_already && requested_grace != Some(0) {
        return Ok((200, def.present(&target.version, &pod)));
    }
    let uid = meta_string(&pod, "uid");
    let deleted = finish_pod_deletion(&shared.store, &namespace, &name, &uid)?;
    Ok((200, def.present(&target.version, &deleted)))
}

/// A namespace is not removed at once: it gets a deletionTimestamp, phase Terminating and
/// the `kubernetes` finalizer, and the namespace controller removes it once its content is
/// gone. A second DELETE answers with it as it is.
fn begin_namespace_deletion(shared: &Shared, name: &str) -> Outcome {
    let def = &RESOURCES[NAMESPACES];
    let (ns, _) = shared.store.transact(NAMESPACES, "", name, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(def, name))?;
        if current["metadata"].get("deletionTimestamp").is_some() {
            return Ok(Write::Keep);
        }
        let mut terminating = current.clone();
        metadata_mut(&mut terminating).insert("deletionTimestamp".into(), json!(now_timestamp()));
        terminating["spec"] = json!({"finalizers": ["kubernetes"]});
        terminating["status"]["phase"] = json!("Terminating");
        Ok(Write::Replace(terminating))
    })?;
    Ok((200, def.present("v1", &ns)))
}

/// The pod as a graceful deletion leaves it until the kubelet is done: a deletionTimestamp
/// `grace` seconds ahead.
pub fn marked_terminating(current: &Value, grace: u64) -> Value {
    let mut terminating = current.clone();
    let meta = metadata_mut(&mut terminating);
    meta.insert("deletionTimestamp".into(), json!(timestamp_after(grace)));
    meta.insert("deletionGracePeriodSeconds".into(), json!(grace));
    terminating
}

/// Finishes the deletion of the pod (namespace, name, uid) after `delay`, unless the demo
/// cluster stops first.
pub fn finish_pod_deletion_after(
    store: SimStore,
    (namespace, name, uid): (String, String, String),
    delay: Duration,
    lifetime: &CancellationToken,
) {
    let cancel = lifetime.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(delay) => { let _ = finish_pod_deletion(&store, &namespace, &name, &uid); }
            _ = cancel.cancelled() => {}
        }
    });
}

/// The kubelet's part of a pod deletion: grace period 0 (MODIFIED), then removal (DELETED).
/// The uid guards against removing a newer pod that reused the name.
pub fn finish_pod_deletion(
    store: &SimStore,
    namespace: &str,
    name: &str,
    uid: &str,
) -> Result<Value, ApiError> {
    let def = &RESOURCES[PODS];
    store.transact(PODS, namespace, name, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(def, name))?;
        if current["metadata"]["uid"] != uid {
            return Err(ApiError::not_found(def, name));
        }
        let mut finished = current.clone();
        let meta = metadata_mut(&mut finished);
        meta.insert("deletionTimestamp".into(), json!(now_timestamp()));
        meta.insert("deletionGracePeriodSeconds".into(), json!(0));
        Ok(Write::Replace(finished))
    })?;
    store.delete_now(PODS, namespace, name)
}
