//! DELETE: immediate for most objects; for pods bound to a node, graceful (a
//! deletionTimestamp first, removal once the grace period has passed).

use std::time::Duration;

use serde_json::{Value, json};

use super::Outcome;
use crate::sim::handlers::present;
use crate::sim::meta::{metadata_mut, now_timestamp, timestamp_after};
use crate::sim::resources::{PODS, RESOURCES};
use crate::sim::server::{Call, Shared};
use crate::sim::status::ApiError;
use crate::sim::store::{SimStore, Write};

pub fn delete(shared: &Shared, call: &Call) -> Outcome {
    let target = &call.target;
    let def = &RESOURCES[target.resource];
    let options: Value = serde_json::from_slice(&call.body).unwrap_or_else(|_| json!({}));
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    if target.resource != PODS {
        let deleted = shared
            .store
            .delete_now(target.resource, &namespace, &name)?;
        return Ok((200, present(def, &target.version, &deleted)));
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
        let mut terminating = current.clone();
        let meta = metadata_mut(&mut terminating);
        meta.insert("deletionTimestamp".into(), json!(timestamp_after(grace)));
        meta.insert("deletionGracePeriodSeconds".into(), json!(grace));
        graceful = Some((
            grace,
            current["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ));
        Ok(Write::Replace(terminating))
    })?;
    if removed {
        return Ok((200, present(def, &target.version, &pod)));
    }
    let terminating_already = pod["metadata"].get("deletionTimestamp").is_some();
    if let Some((grace, uid)) = graceful {
        let store = shared.store.clone();
        // An API delete keeps the pod for its whole grace period, as the recorded
        // deletionTimestamp promises; only the controllers' own deletions end sooner.
        let delay = Duration::from_secs_f64(grace as f64 / shared.speed.max(0.001));
        let cancel = shared.lifetime.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(delay) => { let _ = finish_pod_deletion(&store, &namespace, &name, &uid); }
                _ = cancel.cancelled() => {}
            }
        });
        return Ok((200, present(def, &target.version, &pod)));
    }
    if terminating_already && requested_grace != Some(0) {
        return Ok((200, present(def, &target.version, &pod)));
    }
    let uid = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let deleted = finish_pod_deletion(&shared.store, &namespace, &name, &uid)?;
    Ok((200, present(def, &target.version, &deleted)))
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
